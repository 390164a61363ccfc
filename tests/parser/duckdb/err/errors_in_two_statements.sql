select a, , b from t;
select c from u where;
select ok from fine
