select a from t order by a desc nulls last, b asc nulls first limit 10 offset 5;
select a from t order by all;
select a from t order by all desc;
select a from t limit 5;
select a from t offset 3;
select a from t limit all
