{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ generate_schema_name_for_env(custom_schema_name, node) }}
{%- endmacro %}

{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if node.name == 'uses_api_and_graph' -%}api_graph{%- else -%}{{ default__generate_alias_name(custom_alias_name, node) }}{%- endif -%}
{%- endmacro %}
