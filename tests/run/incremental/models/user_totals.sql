{{ config(materialized='incremental', unique_key=['user_id'], incremental_strategy='delete+insert', on_schema_change='append_new_columns') }}
select user_id, count(*) as events
from {{ ref('events') }}
group by user_id
