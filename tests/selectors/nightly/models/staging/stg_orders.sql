select id, customer_id, amount from {{ ref('raw_orders') }}
