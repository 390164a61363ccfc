select
    1 as order_id,
    'placed' as status,
    10.5 as amount
