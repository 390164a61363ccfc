create table foo as select 1;
insert into foo values (1, 'a;b'), (2, ')');
set threads = 4;
select 1;
pragma table_info('foo');
copy foo to 'foo.csv' (header, delimiter ';');
update foo set a = 1 where b in (select 1);
delete from foo;
create or replace view v as select * from foo;
use main;
call my_proc(1);
attach 'x.db' as x;
grant select on foo to bob
