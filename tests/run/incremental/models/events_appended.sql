{{ config(materialized='incremental') }}
select event_id, kind, happened_at
from {{ ref('events') }}
{% if is_incremental() %}
where happened_at > (select max(happened_at) from {{ this }})
{% endif %}
