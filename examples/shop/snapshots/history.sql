{# Versions of customers and orders over time, as dbt snapshots record them. #}
{% snapshot customers_snapshot %}
{{ config(target_schema='snapshots', unique_key='customer_id', strategy='check', check_cols='all') }}
select * from {{ ref('stg_customers') }}
{% endsnapshot %}

{% snapshot orders_snapshot %}
{{ config(target_schema='snapshots', unique_key='order_id', strategy='timestamp', updated_at='ordered_on') }}
select * from {{ ref('stg_orders') }}
{% endsnapshot %}
