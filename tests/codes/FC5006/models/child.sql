select * from {{ ref('parent') }}
