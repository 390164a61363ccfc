{% macro column_of(name) %}{{ name | lower }}{% endmacro %}
