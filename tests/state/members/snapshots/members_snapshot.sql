{% snapshot members_snapshot %}
{{ config(unique_key='id', strategy='check', check_cols=['plan', 'spend'], target_schema='snapshots') }}
select id, plan, spend from {{ source('raw', 'members') }}
{% endsnapshot %}
