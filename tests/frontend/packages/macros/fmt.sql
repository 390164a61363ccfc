{% macro duckdb__fmt(x) %}format('{}', {{ x }}){% endmacro %}
