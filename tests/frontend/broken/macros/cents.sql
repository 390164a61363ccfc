{% macro cents_to_dollars(column) %}({{ column }} / 100){% endmacro %}
{% macro broken_macro() %}{{ oops( }}{% endmacro %}
