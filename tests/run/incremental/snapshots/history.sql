{% snapshot events_history %}
{{ config(target_schema=target.schema ~ '_snapshots', unique_key='event_id', strategy='check', check_cols=['kind', 'amount']) }}
select event_id, kind, amount from {{ ref('events') }}
{% endsnapshot %}

{% snapshot events_timeline %}
{{ config(target_schema=target.schema ~ '_snapshots', unique_key='event_id', strategy='timestamp', updated_at='happened_at') }}
select * from {{ ref('events') }}
{% endsnapshot %}
