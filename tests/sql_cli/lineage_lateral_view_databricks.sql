select e.id, t.tag
from events e lateral view explode(e.tags) t as tag
