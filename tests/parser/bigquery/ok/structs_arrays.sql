select as struct 1 as a, [1, 2] as l, struct(1 as x, 'y' as y) as s,
  cast(null as array<struct<a int64, b string>>) as typed,
  safe.parse_date('%Y', '2024') as d, r'\d+' as pattern, b'bytes' as raw, '''multi
line''' as multi
from `project.dataset.table` as t;
select * except (a) replace (b + 1 as b) from `project.dataset.events_*`
where _table_suffix between '20240101' and '20240131'
qualify row_number() over (order by a) = 1;
select x, pos from unnest([1, 2, 3]) as x with offset as pos;
select array_agg(x ignore nulls order by x limit 10) from t;
