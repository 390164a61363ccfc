select 2 as customer_id, 'Ann' as name
