{% macro double(x) -%}
    {{ return(x * 2) }}
{%- endmacro %}

{% macro column_list() -%}
    {% do return(['id', 'amount', 'status']) %}
{%- endmacro %}

{% macro shout(text) -%}
    {{ text | upper }}!
{%- endmacro %}

{% macro concat_cols(left, right) -%}
    {{ return(adapter.dispatch('concat_cols', 'jinja_shop')(left, right)) }}
{%- endmacro %}

{% macro default__concat_cols(left, right) -%}
    {{ left }} || {{ right }}
{%- endmacro %}

{% macro duckdb__concat_cols(left, right) -%}
    concat({{ left }}, {{ right }})
{%- endmacro %}

{% macro only_default(x) -%}
    {{ return(adapter.dispatch('only_default')(x)) }}
{%- endmacro %}

{% macro default__only_default(x) -%}
    coalesce({{ x }}, 0)
{%- endmacro %}
