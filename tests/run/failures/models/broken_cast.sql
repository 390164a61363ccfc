{{ config(materialized='table') }}
-- Fine for static analysis (a varchar can be cast to an integer), but the
-- warehouse cannot convert 'Ada'.
select
    person_id,
    cast(name as integer) as name_number
from {{ ref('people_clean') }}
