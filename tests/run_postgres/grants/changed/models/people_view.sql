{{ config(materialized='view', grants={'select': ['pg_monitor']}) }}
select id from {{ ref('people') }}
