-- Revenue can never be negative: refunds are modelled as returned orders.
select * from {{ ref('daily_revenue') }} where revenue < 0
