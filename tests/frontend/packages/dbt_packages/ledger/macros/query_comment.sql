{% macro query_comment(app) -%}
{{ app }} query
{%- endmacro %}
