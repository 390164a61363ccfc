select id as entry_id, {{ cents('amount') }} as amount_cents, '{{ var("ledger_currency") }}' as currency
from {{ source('ledger_raw', 'entries') }}
