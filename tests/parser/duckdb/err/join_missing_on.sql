select * from a join b where a.x = 1
