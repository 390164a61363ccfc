{# The project overrides the package's default greeting (dbt searches the root project first). #}
{% macro default__greeting() -%}
    'hello from the project'
{%- endmacro %}
