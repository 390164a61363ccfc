{{ config(tags=['pii']) }}
select distinct customer_id from {{ ref('raw_orders') }}
