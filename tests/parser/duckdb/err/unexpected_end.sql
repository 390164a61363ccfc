select a from t where
