{{ config(tags=['nightly', 'finance']) }}
select sum(amount) as total from {{ ref('orders') }}
