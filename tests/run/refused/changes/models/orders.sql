{{ config(materialized='incremental', on_schema_change='fail') }}
select 2 as id, 'new' as status
