-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)", "status": "VARCHAR", "order_date": "DATE", "created_at": "TIMESTAMP"}, "customers": {"id": "INTEGER NOT NULL", "name": "VARCHAR", "email": "VARCHAR", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "staging.payments": {"payment_id": "BIGINT NOT NULL", "order_id": "INTEGER", "amount": "DOUBLE", "paid_at": "TIMESTAMP WITH TIME ZONE"}, "raw_events": null}
select address.city, c.address.zip, address['city'] as c2, tags[1] as first_tag, tags[1:2] as some_tags from customers c;
select address.country from customers;
select name.first from customers;
select [1, 2, 3] as l, {'a': 1, 'b': 'x'} as s, [1, 2.5] as m from customers;
select * from range(10);
select range * 2 as doubled from range(1, 10) r;
select * from generate_series(1, 3) as g(n);
select * from read_csv('x.csv');
select tag from customers c, unnest(c.tags) as t(tag);
select unnest from unnest([1, 2, 3]);
