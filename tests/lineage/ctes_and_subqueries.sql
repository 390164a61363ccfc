-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR"}}
with paid as (select id as order_id, customer_id, amount from orders where status = 'paid') select order_id, amount from paid;
with per_customer as (select customer_id, sum(amount) as total from orders group by customer_id), named as (select c.name, p.total from per_customer p join customers c on c.id = p.customer_id) select name as customer_name, total * 100 as cents from named;
select t.k, t.v from (select customer_id as k, amount as v from orders) as t;
select x.a, x.b from (select id, name from customers) as x(a, b);
with renamed (a, b) as (select id, name from customers) select a, b from renamed;
with recursive numbers as (select 1 as n union all select n + 1 from numbers where n < 10) select n from numbers;
select * from (select id, amount * 2 as doubled from orders) sub;
