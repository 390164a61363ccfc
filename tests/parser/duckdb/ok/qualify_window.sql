select id, row_number() over (partition by customer_id order by created_at desc) as rn
from orders
qualify rn = 1;
select sum(x) over w, avg(x) over (w rows between 1 preceding and current row)
from t
window w as (partition by g order by x asc nulls first);
select first_value(x ignore nulls) over (order by y range between unbounded preceding and unbounded following),
       lag(x, 1) respect nulls over (order by y groups 2 preceding exclude current row),
       count(*) over ()
from t
