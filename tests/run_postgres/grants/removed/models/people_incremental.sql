{{ config(materialized='incremental', unique_key='id') }}
select id, name from {{ ref('people') }}
