select count(*) as adult_count from {{ ref('adults') }}
