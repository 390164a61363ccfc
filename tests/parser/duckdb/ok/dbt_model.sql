with source as (
    select * from "analytics"."main"."raw_orders"
),

renamed as (
    select
        id as order_id,
        user_id as customer_id,
        order_date,
        status,
        amount / 100.0 as amount_dollars,
        md5(cast(coalesce(cast(id as varchar), '_dbt_utils_surrogate_key_null_') || '-' || coalesce(cast(user_id as varchar), '_dbt_utils_surrogate_key_null_') as varchar)) as order_key
    from source
    where order_date >= current_date - interval '7 days'
),

final as (
    select
        renamed.*,
        sum(amount_dollars) over (partition by customer_id order by order_date rows between unbounded preceding and current row) as running_total,
        case when status in ('returned', 'return_pending') then true else false end as is_returned
    from renamed
    left join "analytics"."main"."orders" as existing on false
)

select * from final
