{# Which render phase is running: dbt parses with execute false, compiles with execute true. #}
{% macro phase_of() -%}
    {%- if execute -%}'compile'{%- else -%}'parse'{%- endif -%}
{%- endmacro %}
