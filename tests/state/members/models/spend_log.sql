{{ config(materialized='incremental') }}
select id, spend from {{ ref('stg_members') }}
{% if is_incremental() %}
where id > (select max(id) from {{ this }})
{% endif %}
