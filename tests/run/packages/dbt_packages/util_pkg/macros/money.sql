{% macro cents_to_units(column) -%}
    {{ return(adapter.dispatch('cents_to_units', 'util_pkg')(column)) }}
{%- endmacro %}

{% macro default__cents_to_units(column) -%}
    ({{ column }} / 100)::decimal(12, 2)
{%- endmacro %}

{% macro duckdb__cents_to_units(column) -%}
    round({{ column }} / 100.0, 2)::decimal(12, 2)
{%- endmacro %}

{% macro greeting() -%}
    {{ return(adapter.dispatch('greeting', 'util_pkg')()) }}
{%- endmacro %}

{% macro default__greeting() -%}
    'hello from util_pkg'
{%- endmacro %}

{# Calls its sibling through the namespace: a macro renders in the calling
   model's context, where package macros are not in scope unqualified. #}
{% macro price(column) -%}
    {{ util_pkg.cents_to_units(column) }}
{%- endmacro %}
