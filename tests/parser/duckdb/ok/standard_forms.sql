select current_date, current_timestamp, "current_date", t.current_date from t;
select a from t where a = any (select b from u) and a > all (select c from v) and a <> some (select 1);
select a from t order by a offset 10 rows fetch first 5 rows only;
select a from t fetch next 1 row with ties
