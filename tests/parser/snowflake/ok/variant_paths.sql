select v:customer.name::string as name, v:items[0].sku as sku, iff(v:paid, 'y', 'n') as paid
from raw_orders
where name ilike any ('%a%', '%b%')
qualify row_number() over (partition by v:id order by v:ts desc) = 1;
