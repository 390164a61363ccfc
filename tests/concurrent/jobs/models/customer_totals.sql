select customer, sum(amount) as total, count(*) as orders
from {{ ref('slow_orders') }}
group by customer
