{{ config(materialized='view') }}
select e.entry_id, e.amount_cents, d.date_key
from {{ ref('stg_entries') }} as e
cross join {{ ref('dates') }} as d
