with o as (select * exclude (note) from orders)
select c.name, sum(o.amount) as total
from o join customers c using (customer_id)
where o.status = 'done'
group by c.name
