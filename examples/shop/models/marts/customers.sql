with order_summary as (
    select
        customer_id,
        min(ordered_on) as first_order_on,
        max(ordered_on) as last_order_on,
        count(*) as order_count,
        sum(amount) filter (where status <> 'returned') as lifetime_value
    from {{ ref('orders') }}
    group by all
),

visits as (
    select customer_id, count(*) as page_view_count
    from {{ ref('stg_page_views') }}
    where not is_anonymous
    group by customer_id
)

select
    customers.customer_id,
    customers.customer_name,
    customers.email,
    order_summary.first_order_on,
    order_summary.last_order_on,
    coalesce(order_summary.order_count, 0) as order_count,
    coalesce(order_summary.lifetime_value, 0) as lifetime_value,
    coalesce(visits.page_view_count, 0) as page_view_count,
    case
        when order_summary.order_count >= 3 then 'loyal'
        when order_summary.order_count >= 1 then 'active'
        else 'prospect'
    end as segment
from {{ ref('stg_customers') }} as customers
left join order_summary on customers.customer_id = order_summary.customer_id
left join visits on customers.customer_id = visits.customer_id
