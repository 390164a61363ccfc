{{ config(alias='orgm', materialized='table') }}
select 1 as id
