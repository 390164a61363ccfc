select a b c from t where x = 1
