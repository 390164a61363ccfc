{{ config(materialized='table', alias='base_table') }}
{%- set columns = column_list() %}
select
{%- for column in columns %}
    {{ column }}{% if not loop.last %},{% endif %}
{%- endfor %}
from (values (1, 2.5, 'ok')) as t({{ columns | join(', ') }})
-- {{ this }} {{ target.name }} {{ target.type }} {{ target.schema }} {{ target.threads }}
