select * from {{ ref('broken_but_read') }}
