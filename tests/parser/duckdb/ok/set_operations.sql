select 1 union select 2 intersect select 3;
select 1 union all select 2 except select 3;
select a from t union by name select a from u;
select a from t union all by name select a from u;
(select 1) union distinct (select 2) order by 1 limit 1;
select 1 except all select 2 intersect all select 3;
values (1, 2), (3, 4)
