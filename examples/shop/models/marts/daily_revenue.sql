select
    ordered_on,
    count(distinct customer_id) as customers,
    sum(amount) as revenue,
    sum(sum(amount)) over (order by ordered_on rows between unbounded preceding and current row) as cumulative_revenue
from {{ ref('orders') }}
where status in ('completed', 'shipped')
group by ordered_on
qualify revenue > 0
order by ordered_on
