{# Python's unary plus, as dbt's Jinja takes it. #}
{% set offset = +2 %}
select {{ offset + 1 }} as three, {{ [+1, -1] | sum }} as zero, {{ range(+2) | list | length }} as two
