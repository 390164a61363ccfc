select {{ doubled('n') }} as twice
from (select 1 as n) as numbers
