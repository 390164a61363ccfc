-- In a folder with a custom schema: predicted from dbt_project.yml.
{{ config(tags=['daily']) }}
select p.id, '{{ this }}' as me from {{ ref('plain') }} as p join {{ ref('own_schema') }} as o on true
