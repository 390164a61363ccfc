{{ config(materialized='table', grants={'select': ['pg_monitor']}) }}
select id, name from {{ ref('people') }}
