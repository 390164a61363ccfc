{% macro doubled(column) -%}
    ({{ column }} * 2)
{%- endmacro %}
