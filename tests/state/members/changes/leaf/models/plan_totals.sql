select plan, count(*) as members, sum(spend) as spend, avg(spend) as average_spend
from {{ ref('member_plans') }}
group by plan
