-- EXCLUDE needs at least one column.
select * exclude () from orders;
