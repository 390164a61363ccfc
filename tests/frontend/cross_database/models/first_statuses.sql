-- listagg with a limit: Redshift has no array functions to take the first n.
select customer_id, {{ dbt.listagg('status', "','", 'order by ordered_at', 2) }} as first_two
from orders
group by customer_id
