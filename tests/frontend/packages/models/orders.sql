select s.entry_id, d.date_key
from {{ ref('ledger', 'summary') }} as s
cross join {{ ref('dates') }} as d
join {{ ref('currencies') }} as c on c.code = '{{ var("shop_region") }}'
