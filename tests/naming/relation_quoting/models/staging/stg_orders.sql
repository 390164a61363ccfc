select id, customer_id, country from {{ source('landing', 'orders') }}
