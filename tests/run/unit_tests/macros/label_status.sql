{% macro label_status(expr) %}upper({{ expr }}){% endmacro %}
