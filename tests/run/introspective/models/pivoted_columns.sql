-- Every column pivoted has in the warehouse, doubled.
select
{%- for column in adapter.get_columns_in_relation(ref('pivoted')) %}
    {{ column.name }} * 2 as {{ column.name }}_doubled{% if not loop.last %},{% endif %}
{%- endfor %}
from {{ ref('pivoted') }}
