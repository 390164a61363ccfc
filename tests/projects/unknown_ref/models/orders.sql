-- reads the staging model, but misspells it
select order_id
from {{ ref('stg_ordres') }}
