-- schema: {"orders": {"id": "integer NOT NULL", "customer_id": "integer", "amount": "numeric(10,2)", "status": "varchar(20)", "order_date": "date", "created_at": "timestamp", "payload": "super"}, "customers": {"id": "integer NOT NULL", "name": "varchar(100)"}}
-- dialect: redshift
-- Correct SQL: must stay clean.
select id, amount * 2 as doubled, id / 2 as half, avg(id) over () as mean from orders;
select customer_id, sum(amount) as total, count(*) as n, listagg(status, ',') as statuses from orders group by customer_id;
select dateadd(day, 7, created_at) as next_week, datediff(day, order_date, created_at) as age, date_trunc('month', created_at) as month from orders;
select nvl(status, 'unknown') as status, len(status) as status_length, getdate() as now from orders;
select o.id, c.name from orders o join customers c on o.customer_id = c.id where o.order_date >= '2024-01-01';
select id from orders where (customer_id, status) in ((1, 'paid'), (2, 'open'));
-- Errors.
select id from orders where order_date = true;
select customer_id, status, count(*) from orders group by customer_id;
select id from orders o where no_such_column > 1;
