{{ config(materialized='table') }}
select 1 as n union all select 2
