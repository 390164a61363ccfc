{# A test that lists its model's columns from the warehouse, as
   dbt_utils.equality does: its SQL is known only when it runs. #}
{% test same_columns(model, compare_model) %}
{%- set columns = adapter.get_columns_in_relation(model) -%}
{%- set names = columns | map(attribute='name') | join(', ') -%}
select {{ names }} from {{ model }}
except
select {{ names }} from {{ compare_model }}
{% endtest %}
