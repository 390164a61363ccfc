select count(*) as orders from {{ ref('order_view') }}
