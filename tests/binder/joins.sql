-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
select * from orders join customers using (id);
select id, name, o.status from orders o left join customers c using (id);
select o.id, c.id as customer_key, c.name from orders o left join customers c on o.customer_id = c.id;
select o.id, c.name from orders o right join customers c on o.customer_id = c.id;
select o.id, c.id as cid from orders o full join customers c on o.customer_id = c.id;
select * from orders natural join customers;
select id from orders o full outer join customers c using (id);
select * from orders o semi join customers c on o.customer_id = c.id;
select * from orders o anti join customers c on o.customer_id = c.id;
select * from orders o cross join customers c;
select * from orders join customers using (missing_column);
select * from orders o, lateral (select count(*) as n from customers c where c.id = o.customer_id) counts;
select o.id, x.total from orders o join (select customer_id, sum(amount) as total from orders group by customer_id) x on x.customer_id = o.customer_id;
select * from orders o join customers c on o.status = c.id;
