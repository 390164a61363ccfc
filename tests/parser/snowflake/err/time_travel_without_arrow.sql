-- AT needs `name => value`: without it AT reads as an alias and the parenthesis is wrong.
select * from orders at (timestamp '2024-01-01');
