select *
from t
where a in (1, 2, 3)
  and b not in (select id from u)
  and c like 'x%' escape '\'
  and d not ilike '%y'
  and e similar to 'a|b'
  and f glob '*.csv'
  and g not like 'z'
  and exists (select 1 from v where v.id = t.id)
  and not exists (select 1 from w)
  and h = (select max(h) from t)
  and i ~~ 'p%'
  and j @> [1]
