{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='merge') }}
select event_id, user_id, kind, amount, happened_at
from {{ ref('events') }}
{% if is_incremental() %}
where happened_at > (select max(happened_at) from {{ this }})
{% endif %}
