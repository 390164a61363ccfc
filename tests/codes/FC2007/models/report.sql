select * from {{ ref('orders', v=1) }}
