select sum(x) over (partition x order by y) from t
