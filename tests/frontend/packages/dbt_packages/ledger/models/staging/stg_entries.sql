select id as entry_id, {{ cents('amount') }} as amount_cents, '{{ var("ledger_currency") }}' as currency,
  {{ fmt('id') }} as entry_text, {{ label('id') }} as entry_label
from {{ source('ledger_raw', 'entries') }}
