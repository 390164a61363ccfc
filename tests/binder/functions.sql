-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
select count(*) as a, count(id) as b, count(distinct status) as c, sum(id) as d, sum(amount) as e, avg(id) as f, min(order_date) as g, max(status) as h, any_value(status) as i, string_agg(status, ',') as j, list(id) as k, bool_and(id > 1) as l, stddev(amount) as m, median(amount) as n, quantile_cont(amount, 0.5) as o, approx_count_distinct(id) as p, count_if(id > 1) as q, arg_max(status, amount) as r, mode(status) as s from orders;
select coalesce(customer_id, 0) as a, coalesce(customer_id, id) as b, nullif(status, '') as c, ifnull(status, 'x') as d, greatest(id, customer_id) as e, least(amount, 1) as f, if(id > 1, 'a', 'b') as g from orders;
select lower(status) as a, length(status) as b, trim(status) as c, substring(status, 1, 2) as d, replace(status, 'a', 'b') as e, concat(status, id) as f, concat_ws('-', status, id) as g, split_part(status, ',', 1) as h, left(status, 2) as i, lpad(status, 5, ' ') as j, starts_with(status, 'a') as k, regexp_matches(status, 'a.') as l, regexp_replace(status, 'a', 'b') as m, md5(status) as n, strpos(status, 'a') as o, string_split(status, ',') as p from orders;
select abs(amount) as a, round(amount, 1) as b, floor(amount) as c, ceil(id) as d, sqrt(id) as e, power(id, 2) as f, ln(amount) as g, exp(1) as h, mod(id, 3) as i, sign(amount) as j, random() as k from orders;
select current_date as a, now() as b, date_trunc('month', order_date) as c, date_part('year', created_at) as d, extract(year from order_date) as e, date_diff('day', order_date, created_at) as f, strftime(created_at, '%Y') as g, strptime('2024', '%Y') as h, make_date(2024, 1, 1) as i, year(order_date) as j, last_day(order_date) as k, age(created_at) as l, epoch(created_at) as m from orders;
select row_number() over (order by id) as a, rank() over (order by id) as b, dense_rank() over w as c, percent_rank() over w as d, ntile(4) over w as e, lag(amount) over w as f, lead(status, 1, 'none') over w as g, first_value(id) over w as h, sum(amount) over (partition by status) as i, count(*) over () as j from orders window w as (order by created_at);
select typeof(id) as a, hash(id) as b, gen_random_uuid() as c, list_value(1, 2) as d, len(tags) as e, list_contains(tags, 'x') as f, list_extract(tags, 1) as g, struct_pack(a := 1) as h from customers;
select frobnicate(id) from orders;
select coalese(id, 0) from orders;
select coalesce() from orders;
select sum(status) from orders;
select length(id) from orders;
select DATE_TRUNC('day', created_at), Upper(status) from orders;
-- A schema-qualified function is a warehouse UDF fusionc cannot see: a warning.
select my_schema.my_udf(id) from orders;
select count(*) filter (where status = 'done') as done, string_agg(status, ',' order by id) as ordered, percentile_cont(0.5) within group (order by amount) as p from orders;
select list_transform(tags, x -> upper(x)) as upper_tags from customers;
select substring(status from 1 for 2) as a, trim(both ' ' from status) as b, position('a' in status) as c, extract(epoch from created_at) as d, date_part('dow', order_date) as e, status ilike 'A%' as f, status similar to 'a.*' as g, status glob 'a*' as h from orders;
select 1 where 1;
select id from orders where id and true;
select date_trunc('hour', order_date) as a, date_trunc('year', order_date) as b, date_part('epoch', created_at) as c, datediff('day', order_date, created_at) as d from orders;
select strftime('%Y%m', order_date) as format_first, strftime(order_date, '%Y%m') as data_first from orders;
