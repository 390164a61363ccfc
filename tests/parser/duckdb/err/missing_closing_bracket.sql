select [1, 2, 3 from t
