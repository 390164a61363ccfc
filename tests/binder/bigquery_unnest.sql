-- schema: {"events": {"event_id": "INT64 NOT NULL", "tags": "ARRAY<STRING>", "params": "ARRAY<STRUCT<key STRING, value STRUCT<string_value STRING, int_value INT64>>>", "lines": "ARRAY<STRUCT<sku STRING, qty INT64>>", "payload": "ARRAY<STRUCT<sku STRING>>"}, "raw_events": null}
-- dialect: bigquery
-- UNNEST in FROM is a value table: the alias is the element; a struct element's fields are columns.
select event_id, tag from events, unnest(tags) as tag;
select event_id, (select value.int_value from unnest(params) where key = 'page') as page from events;
select e.event_id, line.sku, qty, line from events as e, unnest(e.lines) as line;
select * from events, unnest(lines) as line with offset as position;
select sku, position from unnest([struct('a' as sku, 1 as qty)]) with offset as position;
-- A join to UNNEST reads the left row: ON may be left out.
select event_id, line.sku from events join unnest(lines) as line;
select event_id, p.value.string_value from events left join unnest(params) as p;
-- An array path of a table to the left is unnested too, named by its last part unless aliased; a join to it needs no ON.
select event_id, tag from events, events.tags as tag;
select e.event_id, lines.sku, qty from events as e, e.lines;
select e.event_id, p.key from events as e left join e.params as p;
-- An element of unknown type: any field may be read.
select event_id, item.anything from raw_events, unnest(items) as item;
-- Errors.
select line.price from events, unnest(lines) as line;
select sku from events, unnest(lines) as line, unnest(payload) as other;
select * from events join events as other;
select event_id from events, no_such_table.tags;
