-- schema: {"orders": {"id": "INTEGER NOT NULL", "customer_id": "INTEGER", "amount": "DECIMAL(10,2)"}, "customers": {"customer_id": "INTEGER NOT NULL", "name": "VARCHAR"}, "payments": {"customer_id": "INTEGER", "paid": "DOUBLE"}}
select * from orders join customers using (customer_id);
select customer_id, name, amount from orders left join customers using (customer_id);
select customer_id from orders full join customers using (customer_id);
select * from customers natural join payments;
select o.id, p.paid from orders o join payments p on o.customer_id = p.customer_id and p.paid > 0;
select o.id from orders o semi join customers c on o.customer_id = c.customer_id;
select orders.customer_id, customers.customer_id as other from orders join customers using (customer_id);
