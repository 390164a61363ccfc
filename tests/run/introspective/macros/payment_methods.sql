{% macro payment_methods(relation) %}
    {%- if execute -%}
        {%- set methods = run_query("select distinct method from " ~ relation ~ " order by 1") -%}
        {{- return(methods.columns[0].values()) -}}
    {%- else -%}
        {{- return([]) -}}
    {%- endif -%}
{% endmacro %}
