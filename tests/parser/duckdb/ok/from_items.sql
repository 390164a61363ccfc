select * from (select 1 as x) as sub(y);
select * from range(10) as r(i);
select * from read_csv('orders.csv', header := true, delim => ',') t;
select * from unnest([1, 2, 3]) as u(v);
select * from (values (1, 'a'), (2, 'b')) as v(id, name);
select * from values (1), (2) as w(x);
select * from orders o, lateral (select * from items i where i.order_id = o.id) li;
select * from 'data/orders.parquet';
select * from read_csv('orders.csv', header = true, columns = {'id': 'INTEGER'});
select * from (a join b using (id));
select * from main.tbl tbl_alias
