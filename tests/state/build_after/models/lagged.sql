{{ config(state={'lag_tolerance': '2h'}) }}
select count(*) as events from {{ source('raw', 'events') }}
