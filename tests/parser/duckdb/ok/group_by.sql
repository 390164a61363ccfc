select a, b, sum(c) from t group by a, b;
select a, count(*) from t group by 1;
select a, sum(c) from t group by all;
select a, b, sum(c) from t group by rollup (a, b);
select a, b, sum(c) from t group by cube (a, (a, b));
select a, b, sum(c) from t group by grouping sets ((a), (a, b), ());
select sum(c) from t group by ();
select a, sum(c) s from t group by a having sum(c) > 10
