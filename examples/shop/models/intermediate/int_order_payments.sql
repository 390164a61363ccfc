{#- One row per order with the amount paid by each payment method. -#}
select
    order_id,
    {% for method in payment_methods() -%}
    sum(case when payment_method = '{{ method }}' then amount else 0 end) as {{ method }}_amount,
    {% endfor -%}
    sum(amount) as total_amount,
    count(*) as payment_count
from {{ ref('stg_payments') }}
group by order_id
