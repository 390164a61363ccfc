-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
with paid as (select order_id, sum(amount) as paid from staging.payments group by order_id) select o.id, p.paid from orders o left join paid p on p.order_id = o.id;
with a as (select 1 as x), b as (select x + 1 as y from a) select * from b;
with a as (select 1 as x) select * from (with a as (select 'inner' as z) select * from a) t;
select * from b_before_defined, (with b_before_defined as (select 1) select 1) t;
with recursive numbers(n) as (select 1 union all select n + 1 from numbers where n < 10) select n from numbers;
select t.a, t.b from (select id, status from orders) as t(a, b);
select id, (select max(amount) from staging.payments p where p.order_id = o.id) as max_paid from orders o;
select id from orders o where exists (select 1 from staging.payments p where p.order_id = o.id);
select id from orders where id in (select order_id from staging.payments);
select id from orders where id in (select order_id, amount from staging.payments);
select id from orders where order_date in (select payment_id from staging.payments);
select (select id, status from orders limit 1);
select * from (select 1 as a) where a = 1;
select * from (values (1, 'a'), (2, 'b')) as v(num, letter);
select * from (values (1, 'a'), (2.5, null));
with x as (select 1 as a) select y.a from x;
