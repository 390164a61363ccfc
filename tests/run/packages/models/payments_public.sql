select {{ util_pkg.star_except(ref('payments'), except=['secret']) }}
from {{ ref('payments') }}
