{% test not_null_together(model, column_names) %}
select * from {{ model }} where {{ column_names | join(' is null or ') }} is null
{% endtest %}
