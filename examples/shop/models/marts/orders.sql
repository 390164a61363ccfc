{{ config(materialized='incremental', unique_key='order_id') }}

with payments as (
    select * from {{ ref('int_order_payments') }}
)

select
    orders.order_id,
    orders.customer_id,
    orders.ordered_on,
    orders.status,
    coalesce(payments.total_amount, 0) as amount,
    coalesce(payments.payment_count, 0) as payment_count,
    row_number() over (partition by orders.customer_id order by orders.ordered_on) as customer_order_number
from {{ ref('stg_orders') }} as orders
left join payments using (order_id)
{% if is_incremental() %}
where orders.ordered_on > (select max(ordered_on) from {{ this }})
{% endif %}
