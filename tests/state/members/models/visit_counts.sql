select member_id, count(*) as visits from {{ source('raw', 'visits') }} group by member_id
