{# Makro z tekstem: ąę ’x’ #}
{% macro powitaj(imie) -%}
    'Cześć, ' || {{ imie }} || ' — ’!'
{%- endmacro %}
{%}
