{{ config(schema='reporting') }}
select * from {{ ref('summary') }}
