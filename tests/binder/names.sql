-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
select id, ID as upper_id, "Id" as quoted_id from orders;
select o.id, c.name from orders o join customers c on o.customer_id = c.id;
select amout from orders;
select id from orders join customers on orders.customer_id = customers.id;
select x.id from orders o;
select * from ordres;
select o.nope from orders o;
select main.orders.id, db.main.orders.status, orders.amount from main.orders;
select payment_id from payments;
select p.amount from staging.payments as p;
select nothing_here;
