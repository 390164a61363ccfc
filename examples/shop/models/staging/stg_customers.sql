select
    id as customer_id,
    first_name || ' ' || last_name as customer_name,
    lower(email) as email,
    signed_up_at
from {{ ref('raw_customers') }}
