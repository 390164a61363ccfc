{{ config(materialized='view') }}
select id, {{ shout('name') }} as loud_name from {{ ref('stg_members') }}
