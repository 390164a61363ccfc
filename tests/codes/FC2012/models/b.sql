{{ config(alias='ORGM') }}
select 2 as id
