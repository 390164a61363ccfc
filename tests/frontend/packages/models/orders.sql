select s.entry_id, d.date_key, {{ 'true' if var('not_set_anywhere', None) is none else 'false' }} as defaulted
from {{ ref('ledger', 'summary') }} as s
cross join {{ ref('dates') }} as d
join {{ ref('currencies') }} as c on c.code = '{{ var("shop_region") }}'
