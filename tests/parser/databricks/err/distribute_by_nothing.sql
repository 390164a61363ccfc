-- DISTRIBUTE BY needs at least one expression.
select * from events distribute by;
