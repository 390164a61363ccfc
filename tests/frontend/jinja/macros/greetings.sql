{# A macro in another file calling macros of helpers.sql. #}
{% macro greet(name) -%}
    'hello {{ shout(name) }} x{{ double(2) }}'
{%- endmacro %}
