-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
select id, status from orders union all select id, name from customers;
select id from orders union select id, name from customers;
select order_date from orders union all select id from customers;
select 1 as a union all select 2.5 union all select null;
select id, status from orders union by name select name, id from customers;
select id from orders intersect select id from customers;
select id from orders except select id from customers order by 1;
select id, status from orders union all select id, name from customers order by status;
