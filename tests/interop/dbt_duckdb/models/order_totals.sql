select count(*) as orders, sum(amount) as total
from {{ source('shop', 'orders') }}
