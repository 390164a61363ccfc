-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
select * from orders;
select o.* from orders o join customers c on o.customer_id = c.id;
select * exclude (amount, created_at) from orders;
select * replace (amount * 100 as amount) from orders;
select * exclude (nope) from orders;
select c.* exclude (tags), o.id as order_id from orders o join customers c on o.customer_id = c.id;
select z.* from orders;
select * from raw_events;
select id, kind from raw_events;
select e.*, o.id from raw_events e join orders o on e.order_id = o.id;
select count(*) as n from raw_events;
