{# Every column of a relation but the excluded ones, read from the warehouse. #}
{% macro star_except(relation, except=[]) -%}
    {%- if not execute -%}{{ return('*') }}{%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name | lower not in except -%}{%- do names.append(column.name) -%}{%- endif -%}
    {%- endfor -%}
    {{- return(names | join(', ')) -}}
{%- endmacro %}
