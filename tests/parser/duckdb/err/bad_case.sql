select case when a then 1 else 2 from t
