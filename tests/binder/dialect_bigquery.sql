-- schema: {"orders": {"id": "INT64 NOT NULL", "customer_id": "INT64", "amount": "NUMERIC", "status": "STRING", "order_date": "DATE", "created_at": "TIMESTAMP", "items": "ARRAY<STRUCT<sku STRING, qty INT64>>"}, "customers": {"id": "INT64 NOT NULL", "name": "STRING"}}
-- dialect: bigquery
-- Correct SQL: must stay clean.
select id, amount * 2 as doubled, id / 2 as half, safe_divide(amount, 3) as third from orders;
select customer_id, sum(amount) as total, avg(id) as mean, countif(status = 'paid') as paid, string_agg(status, ',') as statuses from orders group by customer_id;
select date_add(order_date, interval 7 day) as next_week, date_diff(order_date, date '2024-01-01', day) as age, timestamp_trunc(created_at, month) as month from orders;
select format_date('%Y-%m', order_date) as month, ifnull(status, 'unknown') as status, safe.parse_date('%Y%m%d', '20240101') as parsed from orders;
select array_length(items) as item_count, if(amount > 100, 'big', 'small') as size from orders;
select o.id, c.name from orders o join customers c on o.customer_id = c.id where o.order_date >= '2024-01-01';
select date_trunc(order_date, week(monday)) as week_start, last_day(order_date, week(sunday)) as week_end, array_to_string(['a', 'b', null], '-') as joined from orders;
-- Errors.
select id from orders where status = 42;
select id from orders where order_date = 1;
select sum(status) as total from orders;
select customer_id, status, count(*) from orders group by customer_id;
select id from orders order by no_such_column;
-- Not reserved in BigQuery (its lexical structure's list): MAP and SETS name tables and columns.
select map.id, sets.map from orders as map, (select 1 as map) as sets;
-- Correct: an interval's value is any INT64 expression (GoogleSQL's `INTERVAL int64_expression datetime_part`).
select date_add(order_date, interval customer_id day) as a, order_date - interval customer_id * 7 day as b, interval -customer_id hour as c from orders;
