with a as (select x from where y = 1),
     b as (select 1)
select * from a join b on true
