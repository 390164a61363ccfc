select c_id as x_id, 1 as p2_id from {{ ref('c') }}
