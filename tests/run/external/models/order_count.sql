-- DuckDB's table functions take `name = value` arguments.
select count(*) as orders from read_csv('data/orders.csv', header = true, delim = ',')
