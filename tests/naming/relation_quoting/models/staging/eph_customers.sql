{{ config(materialized='ephemeral') }}
select id from {{ source('landing', 'customers') }}
