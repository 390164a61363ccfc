select
    cast(id as {{ dbt.type_string() }}) as id_text,
    cast(amount as {{ type_numeric() }}) as amount,
    {{ dbt.dateadd('day', 7, 'ordered_at') }} as due_at,
    {{ dbt.datediff('ordered_at', 'shipped_at', 'day') }} as days_to_ship,
    {{ dbt.date_trunc('month', 'ordered_at') }} as order_month,
    {{ dbt.concat(['first_name', "' '", 'last_name']) }} as full_name,
    {{ dbt.hash('email') }} as email_md5,
    {{ hash('email') }} as email_sha256,
    {{ dbt.safe_cast('code', dbt.type_int()) }} as code,
    {{ dbt.listagg('tag', "', '", 'order by tag') }} as tags,
    {{ dbt.last_day('ordered_at', 'month') }} as month_end,
    {{ current_timestamp() }} as loaded_at
from raw_orders
group by all
