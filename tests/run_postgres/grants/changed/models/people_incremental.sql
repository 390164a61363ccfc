{{ config(
    materialized='incremental',
    unique_key='id',
    grants={'select': ['pg_monitor'], 'insert': ['pg_read_all_stats']},
) }}
select id, name from {{ ref('people') }}
