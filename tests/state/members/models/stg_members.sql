{{ config(materialized='view') }}
select id, name, plan, spend, plan = 'premium' as is_premium
from {{ source('raw', 'members') }}
where id > 0
