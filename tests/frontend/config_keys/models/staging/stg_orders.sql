{{ config(tags=['staging'], materialise='table') }}
select 1 as id
