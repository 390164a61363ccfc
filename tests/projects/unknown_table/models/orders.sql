select * from raw.orders_export
