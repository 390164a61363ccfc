{# A test that reads one value from the warehouse and indexes into the
   result, as dbt_expectations' date-range tests do: rendered with the
   empty results of compile time it fails, so it waits for its run. #}
{% test at_most_max_id(model, column_name) %}
{%- set result = run_query("select max(payment_id) as top from " ~ model) -%}
{%- set top = result.columns[0].values()[0] -%}
select {{ column_name }}
from {{ model }}
where {{ column_name }} > {{ top }}
{% endtest %}
