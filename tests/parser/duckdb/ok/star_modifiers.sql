select * exclude (a, b) from t;
select * exclude a from t;
select t.* exclude (t.c) replace (lower(name) as name) from t;
select u.*, * rename (old as new) from u
