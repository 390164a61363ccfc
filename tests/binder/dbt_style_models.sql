-- schema: {"stg_payments": {"payment_id": "INTEGER", "order_id": "INTEGER", "payment_method": "VARCHAR", "amount": "DECIMAL(18,2)"}, "stg_orders": {"order_id": "INTEGER", "customer_id": "INTEGER", "ordered_on": "DATE", "status": "VARCHAR"}, "int_order_payments": {"order_id": "INTEGER", "credit_card_amount": "DECIMAL(38,2)", "total_amount": "DECIMAL(38,2)", "payment_count": "BIGINT NOT NULL"}, "analytics.orders": {"order_id": "INTEGER", "customer_id": "INTEGER", "ordered_on": "DATE", "status": "VARCHAR", "amount": "DECIMAL(38,2)"}, "stg_customers": {"customer_id": "INTEGER", "customer_name": "VARCHAR", "email": "VARCHAR"}, "stg_page_views": {"customer_id": "INTEGER", "is_anonymous": "BOOLEAN NOT NULL"}}
select
    order_id,
    sum(case when payment_method = 'credit_card' then amount else 0 end) as credit_card_amount,
    sum(amount) as total_amount,
    count(*) as payment_count
from "db"."main"."stg_payments"
group by order_id;
with payments as (
    select * from "db"."main"."int_order_payments"
)
select
    orders.order_id,
    orders.customer_id,
    orders.ordered_on,
    orders.status,
    coalesce(payments.total_amount, 0) as amount,
    coalesce(payments.payment_count, 0) as payment_count,
    row_number() over (partition by orders.customer_id order by orders.ordered_on) as customer_order_number
from "db"."main"."stg_orders" as orders
left join payments using (order_id)
where orders.ordered_on > (select max(ordered_on) from "db"."analytics"."orders");
with order_summary as (
    select
        customer_id,
        min(ordered_on) as first_order_on,
        count(*) as order_count,
        sum(amount) filter (where status <> 'returned') as lifetime_value
    from "db"."analytics"."orders"
    group by all
),
visits as (
    select customer_id, count(*) as page_view_count
    from "db"."main"."stg_page_views"
    where not is_anonymous
    group by customer_id
)
select
    customers.customer_id,
    customers.customer_name,
    order_summary.first_order_on,
    coalesce(order_summary.order_count, 0) as order_count,
    coalesce(order_summary.lifetime_value, 0) as lifetime_value,
    coalesce(visits.page_view_count, 0) as page_view_count,
    case
        when order_summary.order_count >= 3 then 'loyal'
        when order_summary.order_count >= 1 then 'active'
        else 'prospect'
    end as segment
from "db"."main"."stg_customers" as customers
left join order_summary on customers.customer_id = order_summary.customer_id
left join visits on customers.customer_id = visits.customer_id;
select
    ordered_on,
    count(distinct customer_id) as customers,
    sum(amount) as revenue,
    sum(sum(amount)) over (order by ordered_on rows between unbounded preceding and current row) as cumulative_revenue
from analytics.orders
where status in ('completed', 'shipped')
group by ordered_on
qualify revenue > 0
order by ordered_on;
select
    md5(cast(coalesce(cast(order_id as varchar), '_dbt_utils_surrogate_key_null_') as varchar) || '-' || coalesce(cast(customer_id as varchar), '_dbt_utils_surrogate_key_null_')) as order_key,
    date_trunc('month', ordered_on)::date as order_month,
    ordered_on - interval 7 day as week_before,
    current_date - ordered_on as age_days
from stg_orders;
