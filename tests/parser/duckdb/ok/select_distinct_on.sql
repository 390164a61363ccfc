select distinct on (customer_id) customer_id, order_date from orders order by customer_id, order_date desc;
select distinct status from orders;
select all status from orders
