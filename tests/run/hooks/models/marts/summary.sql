{{ config(alias='summary_table') }}
select count(*) as n from {{ ref('base') }}
