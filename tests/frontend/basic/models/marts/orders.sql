{{ config(materialized='incremental', unique_key='order_id') }}
select o.*, c.name
from {{ ref('stg_orders') }} o
join {{ ref('shop', 'stg_customers') }} c using (customer_id)
{% if is_incremental() %}where order_id > (select max(order_id) from {{ this }}){% endif %}
