{{ config(tags=['staging']) }}
select
    id as order_id,
    customer_id,
    {{ cents_to_dollars('amount_cents') }} as amount,
    '{{ var("currency") }}' as currency
from {{ source('raw', 'orders') }}
where order_date >= '{{ var("start_date") }}'
