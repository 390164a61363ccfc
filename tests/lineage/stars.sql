-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR"}}
select * from orders;
select * exclude (amount, status) from orders;
select * replace (amount * 100 as amount) from orders;
select o.*, c.name from orders o join customers c on o.customer_id = c.id;
with base as (select * exclude (status) from orders) select * from base;
with base as (select * from orders), enriched as (select b.*, c.name as customer_name from base b left join customers c on c.id = b.customer_id) select * exclude (customer_id) from enriched;
select c.* exclude (name), o.amount from customers c join orders o on o.customer_id = c.id;
