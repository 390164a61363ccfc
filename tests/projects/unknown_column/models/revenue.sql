{% set dimension = 'ordered_on' %}
select
    {{ dimension }},
    sum(amout) as revenue
from {{ ref('orders') }}
group by {{ dimension }}
