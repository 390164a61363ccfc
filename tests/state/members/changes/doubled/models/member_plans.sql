select m.id, m.name, m.plan, p.price, m.spend * 2 as spend
from {{ ref('stg_members') }} as m
join {{ ref('plans') }} as p on p.plan = m.plan
