{{ config(alias='orders') }}
select 1 as id
