{% macro order_status() %}'shipped'{% endmacro %}
