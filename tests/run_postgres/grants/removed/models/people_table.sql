{{ config(materialized='table', grants={'select': []}) }}
select id, name from {{ ref('people') }}
