select
    view_id,
    customer_id,
    page,
    viewed_at,
    customer_id is null as is_anonymous
from {{ source('web', 'page_views') }}
