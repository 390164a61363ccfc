select 1 as order_id, 2 as customer_id, 10.5 as amount, date '2024-01-01' as ordered_at
