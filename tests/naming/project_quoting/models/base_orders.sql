select id from {{ source('landing', 'orders') }}
