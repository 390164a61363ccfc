-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "scores": "INTEGER[]"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "tags": "VARCHAR[]"}}
-- Lambda parameters take the list's element type.
select list_transform(scores, s -> s * 2) as doubled, list_filter(tags, t -> t like 'a%') as a_tags from orders, customers;
select list_transform(tags, t -> t + 1) as broken from customers;
select list_reduce(scores, (a, b) -> a + b) as total from orders;
-- Window-only functions need OVER.
select row_number() as n from orders;
select lag(amount) as previous from orders;
select row_number() over (order by id) as n, lag(amount) over (order by id) as previous from orders;
-- SELECT DISTINCT ordered by what it does not output.
select distinct customer_id from orders order by order_date;
select distinct customer_id from orders order by customer_id desc;
select distinct customer_id as c from orders order by c;
select distinct customer_id, status from orders order by 2, 1;
-- A correlated subquery in an aggregated block reads an ungrouped column.
select customer_id, (select max(c.name) from customers c where c.id = o.id) as name from orders o group by customer_id;
select customer_id, (select max(c.name) from customers c where c.id = o.customer_id) as name from orders o group by customer_id;
select customer_id, count(*) from orders o where exists (select 1 from customers c where c.id = o.id) group by customer_id;
