{% macro feature() %}1{% endmacro %}
