-- depends_on: {{ ref('orders') }}
{{ config(materialized='table') }}
{#- A dict literal's list, filled in place; dbt's Column methods; an entry
    kept in `graph` for the rest of the invocation. -#}
{%- set facts = {} -%}
{%- if execute -%}
{%- for column in adapter.get_columns_in_relation(ref('orders')) -%}
  {%- do facts.update({column.name: []}) -%}
  {%- do facts[column.name].append(column.is_string()) -%}
  {%- do facts[column.name].append(column.is_number()) -%}
  {%- do facts[column.name].append(column.string_size() if column.is_string() else 0) -%}
{%- endfor -%}
{%- do graph.setdefault('fixture_cache', {}).update({'columns': facts | length}) -%}
{%- endif %}
select
{%- for name, values in facts.items() %}
    '{{ name }}' as name_{{ loop.index }}, '{{ values | join("/") }}' as facts_{{ loop.index }},
{%- endfor %}
    {{ graph.get('fixture_cache', {}).get('columns', 0) if execute else 0 }} as cached_columns
