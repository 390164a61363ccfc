select * from {{ ref('broken_cast') }}
