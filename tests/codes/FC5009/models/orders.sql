{{ config(static_analysis='sometimes') }}
select 1 as id
