-- schema: {"main.orders": {"id": "INTEGER"}, "staging.orders": {"id": "BIGINT"}, "other.main.events": {"kind": "VARCHAR"}, "main.Customers": {"Id": "INTEGER"}}
select * from orders;
select * from main.orders;
select * from staging.orders;
select * from db.staging.orders;
select * from events;
select * from other.main.events;
select * from db.main.events;
select ID from CUSTOMERS;
select c.id from "customers" c;
select * from nowhere.orders;
select count(*) as n from 'data/orders.csv';
select f.id from 's3://bucket/events/*.parquet' as f;
select count(*) as n from read_csv('data/orders.csv', header = true, delim = ',');
select * from 'orders';
