select count(*) as events from {{ source('raw', 'events') }}
