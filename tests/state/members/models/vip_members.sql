select id, name from {{ ref('member_plans') }} where spend >= {{ var('vip_threshold') }}
