select 1 as customer_id, 'Ada' as name, timestamp '2024-01-01 00:00:00' as updated_at
