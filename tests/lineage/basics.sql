-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR"}}
select id, amount as total, amount * 2 as doubled, cast(order_date as varchar) as day from orders;
select customer_id, sum(amount) as revenue, count(*) as n from orders group by customer_id;
select id, row_number() over (partition by customer_id order by order_date) as rank_in_customer from orders;
select id from orders where status = 'paid';
select customer_id, sum(amount) as revenue from orders group by customer_id having count(*) > 2;
select id, amount from orders qualify row_number() over (partition by customer_id order by amount desc) = 1;
select o.id, c.name from orders o join customers c on o.customer_id = c.id;
select case when status = 'paid' then amount else 0 end as paid_amount from orders;
select count(*) filter (where status = 'paid') as paid, sum(amount) filter (where status = 'paid') as paid_total from orders;
select id, (select max(amount) from orders) as biggest from customers;
select id from customers where id in (select customer_id from orders where amount > 10);
select 1 as one, current_date as today from orders;
