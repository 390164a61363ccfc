{{ config(alias='ORGM', materialized='table') }}
select 2 as id
