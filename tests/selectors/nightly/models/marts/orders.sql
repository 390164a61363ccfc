{{ config(tags=['nightly']) }}
select o.id, o.amount, c.customer_id
from {{ ref('stg_orders') }} as o
join {{ ref('stg_customers') }} as c using (customer_id)
