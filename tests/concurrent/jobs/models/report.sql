select big.customer, big.total, totals.orders
from {{ ref('big_customers') }} as big
join {{ ref('customer_totals') }} as totals using (customer)
