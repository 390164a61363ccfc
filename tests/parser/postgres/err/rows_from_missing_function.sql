-- ROWS FROM lists functions: a trailing comma leaves one missing.
select * from rows from (generate_series(1, 3), ) as z;
