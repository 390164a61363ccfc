select total: price * quantity, n: 1 from o: order_lines;
select map {'k': 1, 'j': 2}, (map {'x': 1})['x'];
select coalesce(*columns('amount_.*')) from t;
select * from t limit 10%;
select * from t limit 10 percent offset 1;
select * from tbl using sample 10% (system, 377);
select * from tbl tablesample reservoir(20%), tbl2 where tbl.i = tbl2.i;
with recursive tbl(a, b) using key (a) as (select 1, 2 union select a + 1, b from tbl where a < 3) select * from tbl;
with 'x' as (select 1) select * from x
