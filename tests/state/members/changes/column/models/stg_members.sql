{{ config(materialized='view') }}
select id, name, plan, spend, plan in ('premium', 'gold') as is_premium
from {{ source('raw', 'members') }}
where id > 0
