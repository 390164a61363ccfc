select * from {{ ref('cycle_b') }}
