{% snapshot customers_check %}
{{ config(target_schema='snapshots', unique_key='customer_id', strategy='check', check_cols='all') }}
select * from {{ ref('customers') }}
{% endsnapshot %}

{% snapshot customers_by_time %}
{{ config(target_schema='snapshots', unique_key='customer_id', strategy='timestamp', updated_at='updated_at') }}
select customer_id, nmae, updated_at
from {{ ref('customers') }}
{% endsnapshot %}
