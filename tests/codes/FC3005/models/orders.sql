delete from orders
