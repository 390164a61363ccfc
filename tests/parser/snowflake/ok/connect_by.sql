-- Hierarchical queries: START WITH and CONNECT BY after FROM, in either order; PRIOR and CONNECT_BY_ROOT.
select sys_connect_by_path(title, ' > ') as path, connect_by_root title as top, level
from staff
start with boss_id is null
connect by boss_id = prior staff_id;
select s.title from staff as s connect by nocycle prior s.staff_id = s.boss_id, prior s.team = s.team start with s.boss_id is null where s.title like 'Head%' order by 1;
-- Still names where no clause follows.
select prior, start, connect from (select 1 as prior, 2 as start, 3 as connect) as t;
