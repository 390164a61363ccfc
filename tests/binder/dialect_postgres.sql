-- schema: {"orders": {"id": "integer NOT NULL", "customer_id": "integer", "amount": "numeric(10,2)", "status": "text", "order_date": "date", "created_at": "timestamp with time zone", "meta": "jsonb", "tags": "text[]"}, "customers": {"id": "integer NOT NULL", "name": "character varying(100)"}}
-- dialect: postgres
-- Correct SQL: must stay clean.
select id, amount * 2 as doubled, id / 2 as half, round(amount, 1) as rounded from orders;
select customer_id, sum(amount) as total, avg(id) as mean, count(*) as n, string_agg(status, ',') as statuses from orders group by customer_id;
select order_date + 7 as next_week, order_date - date '2024-01-01' as age, date_trunc('month', created_at) as month, extract(year from created_at) as year from orders;
select meta ->> 'name' as name, coalesce(status, 'unknown') as status, array_length(tags, 1) as tag_count from orders;
select o.id, c.name from orders o join customers c on o.customer_id = c.id where o.order_date >= '2024-01-01';
select distinct customer_id from orders order by customer_id;
select id from orders where (customer_id, status) in ((1, 'paid'), (2, 'open'));
-- Errors.
select id from orders where status = 42;
select id from orders where order_date = 1;
select distinct customer_id from orders order by order_date;
select customer_id, status, count(*) from orders group by customer_id;
select row_number() from orders;
select id from orders where order_date like '2024-%';
