{{ config(alias='orgm') }}
select 1 as id
