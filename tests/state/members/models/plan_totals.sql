select plan, count(*) as members, sum(spend) as spend
from {{ ref('member_plans') }}
group by plan
