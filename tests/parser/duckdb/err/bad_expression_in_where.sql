select a from t where a = = 1 group by a order by a
