-- Object constants of a row, ILIKE stars, keyword-named functions, GROUP BY ALL,
-- RLIKE, ASOF joins with MATCH_CONDITION, joins without ON, keys named like keywords.
select {*} as row_object, {o.*} as order_object from orders o;
select {* exclude (secret)} from accounts;
select {* ilike 'amount%'} from orders;
select * ilike 'amount%' from orders;
select like(name, 'a%'), ilike(name, 'A%', '!'), right(name, 2), left(name, 1) from customers;
select region, sum(amount) from orders group by all;
select name from customers where name rlike '^[A-Z].*';
select * from trades t asof join quotes q match_condition (t.ts >= q.ts) on t.symbol = q.symbol;
select i, j from table1 as t1 inner join table2 as t2 where t2.j = t1.i;
select v:from::string from raw;
select * rename a as b from t;
select * exclude secret rename amount as total from orders sample row (10);
select * from orders limit 10 offset 20;
select * from orders fetch first 5 rows only;
select a from t except select a from u;
