select a, t.b as bee, 1 + 2 * 3 c
from my_db.main.orders as t
where t.status = 'shipped' and not t.deleted
