{{ config(freshness={'build_after': {'count': 1, 'period': 'minute', 'updates_on': 'all'}}) }}
select (select count(*) from {{ source('raw', 'events') }}) as events,
       (select count(*) from {{ source('raw', 'users') }}) as users
