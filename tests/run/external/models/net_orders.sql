select o.order_id, o.amount - coalesce(r.refunded, 0) as net_amount
from {{ ref('stg_orders') }} as o
left join {{ source('files', 'refunds') }} as r on r.order_id = o.order_id
