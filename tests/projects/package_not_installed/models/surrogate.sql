select {{ dbt_utils.generate_surrogate_key(['id']) }} as key
from (select 1 as id) as ids
