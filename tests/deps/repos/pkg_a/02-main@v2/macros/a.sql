{% macro a_v2() %}2{% endmacro %}
