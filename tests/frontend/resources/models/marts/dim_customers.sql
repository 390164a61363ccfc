select customer_id, name, 'gold' as tier from {{ ref('stg_customers') }}
