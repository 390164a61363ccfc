-- dbt's cross-database macros render each warehouse's own SQL.
select
    customer_id,
    {{ dbt.listagg('status', "', '", 'order by ordered_at') }} as statuses,
    min({{ dbt.split_part('email', "'@'", 2) }}) as email_domain,
    {{ dbt.any_value('region') }} as region,
    {{ dbt.bool_or('is_gift') }} as any_gift,
    min({{ dbt.dateadd('day', 7, 'ordered_at') }}) as first_due,
    max({{ dbt.datediff('first_ordered_at', 'ordered_at', 'day') }}) as days_active,
    max({{ dbt.datediff('first_ordered_at', 'ordered_at', 'month') }}) as months_active,
    max({{ dbt.datediff('first_ordered_at', 'ordered_at', 'hour') }}) as hours_active,
    {{ dbt.current_timestamp() }} as measured_at
from orders
group by customer_id
