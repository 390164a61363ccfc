{% macro cents(column) -%}
round({{ column }} * {{ 10 ** var('ledger_scale') }})
{%- endmacro %}

{% test positive(model, column_name) %}
select * from {{ model }} where {{ column_name }} <= 0
{% endtest %}

{% test has_rows(model) %}
select 1 from (select count(*) as n from {{ model }}) counted where n = 0
{% endtest %}
