-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
select 42 as i, 3000000000 as b, 30000000000000000000 as h, 1.50 as d, 1e3 as f, 'x' as s, true as t, null as n, date '2024-01-01' as dt;
select id + 1 as a, id / 2 as b, id // 2 as c, amount * 2 as d, amount + 1.5 as e, order_date - order_date as f, order_date + 1 as g, order_date + interval 1 day as h, created_at - interval '1' hour as i, status || '!' as j, -amount as k, id % 3 as m from orders;
select id = 1 and status <> 'x' or not (amount > 10) as flag, status like 'a%' as l, status is null as n, id is distinct from customer_id as d from orders;
select order_date = 42 from orders;
select status + 1 from orders;
select -status from orders;
select order_date > '2024-01-01' as a, created_at between '2024-01-01' and order_date as b, id in (1, 2, 3) as c, id in (1, 'x') as d from orders;
select id in (1, order_date) from orders;
