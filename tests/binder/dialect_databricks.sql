-- schema: {"orders": {"id": "bigint NOT NULL", "customer_id": "int", "amount": "decimal(10,2)", "status": "string", "order_date": "date", "created_at": "timestamp", "tags": "array<string>", "attrs": "map<string,string>"}, "customers": {"id": "bigint NOT NULL", "name": "string"}}
-- dialect: databricks
-- Correct SQL: must stay clean.
select id, amount * 2 as doubled, id / 2 as half, amount / 3 as third from orders;
select customer_id, sum(amount) as total, avg(amount) as mean, count(*) as n, collect_list(status) as statuses from orders group by customer_id;
select date_add(order_date, 7) as next_week, datediff(order_date, created_at) as age, date_trunc('MONTH', created_at) as month from orders;
select size(tags) as tag_count, element_at(attrs, 'color') as color, nvl(status, 'unknown') as status from orders;
select o.id, c.name from orders o join customers c on o.customer_id = c.id where o.order_date >= '2024-01-01';
select id from orders where status = 42;
-- Errors.
select id from orders where order_date = true;
select customer_id, status, count(*) from orders group by customer_id;
select no_such_function(id) from orders;
-- Correct: LISTAGG with its order in WITHIN GROUP.
select customer_id, listagg(status, ', ') within group (order by created_at) as statuses, string_agg(status) as any_order from orders group by customer_id;
