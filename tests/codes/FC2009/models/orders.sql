select customer_id as order_id from {{ ref('customers') }}
