{{ config(materialized='table') }}

select
    id,
    name
from {{ ref('base') }}
where id = = 1
