{#- Jinja2 macros take keyword and positional arguments they do not
    declare when their body reads `kwargs` or `varargs`. -#}
{% macro describe(name) -%}
    {{ name }}:{% for key in kwargs | sort %} {{ key }}={{ kwargs[key] }}{% endfor %}{% for extra in varargs %} +{{ extra }}{% endfor %}
{%- endmacro %}

{% macro forward(name) -%}
    {{ describe(name, **kwargs) }}
{%- endmacro %}

{#- A generic test whose list argument it appends to, as a Python list. -#}
{% test has_columns(model, columns) %}
{%- set wanted = columns -%}
{%- do wanted.append('1 as marker') -%}
select {{ wanted | join(', ') }} from {{ model }} where false
{% endtest %}

{#- A test whose argument is datetime arithmetic in Jinja. -#}
{% test dated(model, day) %}
select '{{ day }}' as day from {{ model }} where false
{% endtest %}
