select a from t /* never closed
