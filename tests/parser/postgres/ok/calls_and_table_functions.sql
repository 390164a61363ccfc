-- VARIADIC, SQL/XML names, square and cube roots, OVERLAPS, IS JSON,
-- column definition lists, WITH ORDINALITY, ROWS FROM, UESCAPE, and a
-- parenthesised join that starts with a parenthesised VALUES.
select concat_ws(',', variadic array['a', 'b']), json_extract_path(j, variadic '{a,b}') from docs;
select xmlelement(name item, xmlattributes(id as id, name), 'text') from products;
select |/ 16.0, ||/ 27.0;
select (date '2024-01-01', date '2024-02-01') overlaps (date '2024-01-15', date '2024-03-01');
select js is json, js is not json object, js is json array with unique keys from docs;
select * from json_to_recordset(j) as r(id int, name text);
select * from json_array_elements('[1, 2]') with ordinality as e(value, n);
select * from rows from (generate_series(1, 3), unnest(array['a', 'b'])) with ordinality as z(a, b, n);
select U&'d!0061t!+000061' uescape '!' as label;
select 1 from ((values (1)) as v(id) left join tbl on v.id = tbl.id);
