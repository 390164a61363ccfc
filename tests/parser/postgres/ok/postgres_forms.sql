select distinct on (customer_id) customer_id, payload -> 'a' ->> 'b' as b, payload #> '{a,b}' as p,
  payload #>> '{a}' as q, tags @> array['x'] as has_x, E'line\n' as e, $tag$body$tag$ as d,
  count(*) filter (where amount > 0) as positive,
  percentile_cont(0.5) within group (order by amount) as median,
  name::varchar(20) as short_name, cast(amount as numeric(10, 2)) as amount
from orders o, lateral (select * from items i where i.order_id = o.id) li
where name ilike 'a%';
