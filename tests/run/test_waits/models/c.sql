select id as c_id from {{ ref('a') }}
