-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
select amount * 2 as doubled, doubled + 1 as plus_one from orders;
select amount * 2 as doubled from orders where doubled > 10;
select sum(amount) as total from orders where total > 10;
select id, id from orders;
select o.id, c.id from orders o join customers c on o.customer_id = c.id;
select status as s from orders order by s;
select status as id from orders order by id;
select amount, id * 2, upper(status), count(*) over () from orders;
select distinct on (customer_id) customer_id, amount from orders order by customer_id, amount desc;
select id from orders limit 10 offset 5;
select id as order_id, order_id + 1 as next_id from orders where next_id > 2 order by next_id;
select status as s, count(*) as n from orders group by s having n > 1 qualify row_number() over (order by n) = 1;
