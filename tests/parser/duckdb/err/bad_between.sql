select * from t where a between 1 or 2
