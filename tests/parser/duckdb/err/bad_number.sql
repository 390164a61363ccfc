select 1__000, 2_ from t
