select customer_id, upper(first_name) as first_name, signup_date from {{ ref('customers') }}
