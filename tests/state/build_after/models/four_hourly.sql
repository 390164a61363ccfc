{{ config(freshness={'build_after': {'count': 4, 'period': 'hour'}}) }}
select count(*) as events from {{ source('raw', 'events') }}
