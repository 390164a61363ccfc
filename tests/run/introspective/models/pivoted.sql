-- The payment methods are read from the warehouse when the model runs.
{{ config(materialized='table') }}
select
{%- for method in payment_methods(ref('payments')) %}
    sum(case when method = '{{ method }}' then amount else 0 end) as {{ method }}_amount
    {%- if not loop.last %},{% endif %}
{%- endfor %}
from {{ ref('payments') }}
