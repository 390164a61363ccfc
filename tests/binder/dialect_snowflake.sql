-- schema: {"orders": {"id": "NUMBER(38,0) NOT NULL", "customer_id": "NUMBER(38,0)", "amount": "NUMBER(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP_NTZ", "payload": "VARIANT", "tags": "ARRAY"}, "customers": {"id": "NUMBER(38,0) NOT NULL", "name": "VARCHAR(100)", "signup": "TIMESTAMP_LTZ"}}
-- dialect: snowflake
-- Correct SQL: must stay clean.
select id, amount * 2 as doubled, amount / 3 as third, iff(amount > 100, 'big', 'small') as size from orders;
select customer_id, sum(amount) as total, avg(amount) as mean, count(*) as n, listagg(status, ',') as statuses from orders group by customer_id;
select dateadd(day, 7, order_date) as next_week, datediff(day, order_date, created_at) as age, date_trunc('month', created_at) as month from orders;
select payload:customer.name::varchar as customer_name, tags[0] as first_tag, array_size(tags) as tag_count from orders;
select to_varchar(order_date, 'YYYY-MM') as month, zeroifnull(amount) as amount, nvl(status, 'unknown') as status from orders;
select id, row_number() over (partition by customer_id order by created_at desc) as rn from orders qualify rn = 1;
select o.id, c.name from orders o join customers c on o.customer_id = c.id where o.order_date >= '2024-01-01';
select id from orders where status = 42;
-- Errors.
select id from orders where order_date = true;
select dateadd(day, 7) as too_few from orders;
select no_such_function(id) from orders;
select customer_id, status, count(*) from orders group by customer_id;
select cast(order_date as boolean) from orders;
select id, amount from orders union all select id from customers;
-- Correct: LIKE converts a date, timestamp or number to text (Snowflake's implicit coercion).
select id from orders where order_date like '2024-%' or created_at like '2024-01%' or id like '1%';
-- Correct: a hierarchical query (START WITH, CONNECT BY, PRIOR, CONNECT_BY_ROOT, LEVEL, SYS_CONNECT_BY_PATH).
select sys_connect_by_path(status, '/') as path, connect_by_root id as root_id, level as depth, prior amount as parent_amount from orders start with customer_id is null connect by customer_id = prior id;
-- Errors: its conditions read the FROM's columns.
select id from orders start with no_such_column is null connect by customer_id = prior id;
