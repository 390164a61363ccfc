select cast(x as) from t;
