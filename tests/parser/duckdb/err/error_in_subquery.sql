select * from (select a, from t where) s where s.a = 1
