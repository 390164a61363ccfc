select o.id, f.value::number as n
from orders o, lateral flatten(input => o.items, outer => true) f;
select * from quarterly_sales pivot (sum(amount) for quarter in ('Q1', 'Q2')) as p;
select top 10 * from orders sample (10);
select $$it's raw$$ as s, 'it''s \' escaped' as t, cast(x as number(38, 0)) as n, x::timestamp_ntz as ts
from t minus select 1, 2, 3, 4 from u;
create table t as select 1;
