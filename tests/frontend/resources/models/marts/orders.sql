select o.*, c.tier, l.customer_id as legacy_id, old.name as old_name
from {{ ref('stg_orders') }} o
join {{ ref('dim_customers') }} c using (customer_id)
join {{ ref('dim_customers', v=1) }} old using (customer_id)
join {{ ref('dim_customers', version=3) }} l using (customer_id)
