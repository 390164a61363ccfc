{{ config(enabled=false) }}
select 3 as id
