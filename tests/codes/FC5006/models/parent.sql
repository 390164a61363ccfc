{{ config(materialized='table') }}
select cast('a' as integer) as broken
