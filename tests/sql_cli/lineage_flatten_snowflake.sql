select e.id, f.value:name::string as tag_name, f.index as position
from events e, lateral flatten(input => e.payload:items) f
