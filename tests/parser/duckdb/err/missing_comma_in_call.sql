select coalesce(a b) from t where c = 1
