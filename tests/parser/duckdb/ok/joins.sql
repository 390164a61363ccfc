select *
from a
join b on a.id = b.id
inner join c using (id)
left join d on d.x = a.x
left outer join e on true
right join f on f.y = e.y
full outer join g using (k, l)
cross join h
natural join i
natural left join j
semi join k on k.id = a.id
anti join l on l.id = a.id
asof join m on a.ts >= m.ts
asof left join n on a.ts >= n.ts
positional join o,
p, q as qq
