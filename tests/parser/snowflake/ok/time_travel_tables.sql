-- Time travel, tables named at run time, bind parameters.
select * from orders at (timestamp => '2024-01-01'::timestamp_tz) as o where o.id = 1;
select * from orders before (statement => '8e5d0ca9-005e-44e6-b858-a8f5b37c5726');
select c1 from t1 changes (information => append_only) at (stream => 's1') end (timestamp => $ts2);
select * from table('mydb.public.orders') as t;
select * from table($orders_table) where id = :1;
select id from orders where amount > :min_amount;
