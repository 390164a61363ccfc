with recursive
  numbers(n) as (select 1 union all select n + 1 from numbers where n < 10),
  kept as materialized (select * from numbers),
  skipped as not materialized (select n from kept)
select n from skipped
