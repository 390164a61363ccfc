-- EXCLUDE after the select list, #temporary tables, TIME(p) WITH TIME ZONE, ARRAY(...),
-- and EXCLUDE still usable as an alias.
select *, amount * 2 as doubled exclude (secret, internal_id) from orders;
select * exclude secret from accounts;
select * from #staging_orders where id in (select id from #seen);
select cast('01:03:05' as time(2) with time zone), array(1, 2, 3);
select 1 exclude;
