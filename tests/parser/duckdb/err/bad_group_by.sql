select a, count(*) from t group a order by 1
