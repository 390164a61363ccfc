select id as b_id, 1 as a_id from {{ ref('p2') }}
