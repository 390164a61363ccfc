-- Collations in types, distribution clauses, keyword-separated SUBSTR, LEFT/RIGHT,
-- named STRUCT fields, Delta time travel, bracketed JSON keys, ?::, multi-part
-- intervals, and CTEs ahead of an INSERT.
select cast(name as string collate utf8_lcase) from people;
select * from events distribute by user_id sort by ts desc;
select * from events cluster by user_id;
select substr(name from 2 for 3), left(name, 2), right(name, 1) from people;
select to_json(struct(id as key, name as value)) from people;
select * from events timestamp as of '2024-01-01' as e;
select * from events version as of 3;
select raw:['price']::double, raw:["item name"] from orders;
select '20'?::int;
select interval 5 hours 30 minutes;
with s as (select * from src) insert into t select * from s;
with t as (values ('foo', 1) as t(name, n)) select name from t;
select * from events limit 10;
