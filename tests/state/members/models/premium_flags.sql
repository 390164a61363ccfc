select id, is_premium from {{ ref('stg_members') }}
