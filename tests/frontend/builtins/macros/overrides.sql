{# The project's own implementation wins over dbt's default through dispatch. #}
{% macro duckdb__type_string() %}{{ return('varchar') }}{% endmacro %}

{# A project macro named like a built-in replaces the unprefixed name only. #}
{% macro hash(field) %}sha256({{ field }}){% endmacro %}
