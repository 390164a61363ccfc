select
    1 as order_id,
    {% if var('include_status', true) %}
    'placed' as status
    {% endfi %}
