select t.id, e.item, transform(t.items, x -> x + 1) as bumped, c:price::double as price
from orders t lateral view outer explode(t.items) e as item
where `weird name` <=> 1
qualify row_number() over (partition by t.id order by t.ts) = 1;
select cast(m as map<string, array<int>>) as m, cast(s as struct<a: int, b: string>) as s
from t tablesample (10 percent);
select * from sales pivot (sum(amount) for month in ('jan', 'feb'));
