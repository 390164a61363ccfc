with orders as (
    select * from {{ ref('orders') }} where amount > {{ var('min_amount') }}
),
payments as (
    select order_id, sum(amount) as paid from {{ source('raw', 'payments') }} group by order_id
)
select
    c.customer_id,
    c.first_name,
    count(o.order_id) as order_count,
    coalesce(sum(o.amount), 0) as total_amount,
    coalesce(sum(p.paid), 0) as total_paid,
    {{ label_status('max(o.status)') }} as last_status,
    '{{ env_var("REGION", "eu") }}' as region
from {{ ref('stg_customers') }} c
left join orders o on o.customer_id = c.customer_id
left join payments p on p.order_id = o.order_id
group by 1, 2
