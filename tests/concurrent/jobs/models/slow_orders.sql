-- Slow on purpose: the second job reaches this model while the first
-- still builds it.
select orders.id, orders.customer, orders.amount
from {{ ref('orders') }} as orders
cross join (select 1 as one from pg_sleep(1.5)) as pause
