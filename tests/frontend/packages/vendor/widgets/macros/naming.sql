{# A package's own schema naming: dbt uses it for the package's nodes only. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    widgets_{{ target.schema }}
{%- endmacro %}
