-- How often each customer's record changed, from the customers snapshot.
select
    customer_id,
    count(*) as versions,
    max(dbt_valid_from) as last_changed_at,
    count(*) filter (where dbt_valid_to is null) as current_versions
from {{ ref('customers_snapshot') }}
group by customer_id
