from orders;
from orders select id, amount where amount > 10;
from orders o join customers c using (customer_id) select o.id
