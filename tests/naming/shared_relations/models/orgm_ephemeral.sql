{{ config(alias='Orgm', materialized='ephemeral') }}
select 3 as id
