{% macro cents(column) -%}
round({{ column }} * {{ 10 ** var('ledger_scale') }})
{%- endmacro %}

{% test positive(model, column_name) %}
select * from {{ model }} where {{ column_name }} <= 0
{% endtest %}
