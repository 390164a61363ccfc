select top 5 listagg(name, ',') within group (order by name) as names,
  dateadd(day, 1, getdate()) as tomorrow, datediff(day, created_at, getdate()) as age,
  c.orders[0].id as first_order, cast(payload as super) as payload
from customers c
qualify row_number() over (partition by region order by created_at) = 1;
