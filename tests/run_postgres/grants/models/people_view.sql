{{ config(materialized='view', grants={'select': ['pg_read_all_stats']}) }}
select id from {{ ref('people') }}
