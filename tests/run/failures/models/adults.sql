{{ config(materialized='table') }}
select * from {{ ref('people_clean') }} where age >= 18
