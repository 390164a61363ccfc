select 1 as order_id, 10.5 as amount
