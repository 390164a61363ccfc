-- schema: {"customers": {"id": "INTEGER NOT NULL", "tags": "VARCHAR[]", "address": "STRUCT(city VARCHAR, zip VARCHAR)"}, "events": {"id": "INTEGER", "payload": "STRUCT(kind VARCHAR, value DOUBLE)"}}
select id, unnest(tags) as tag from customers;
select c.id, t.tag from customers c, unnest(c.tags) as t(tag);
select c.id, t.tag from customers c cross join lateral (select unnest(c.tags) as tag) t;
select address.city as city, c.address.zip as zip from customers c;
select payload.kind, payload['value'] as value from events;
select id, list_transform(tags, x -> upper(x)) as upper_tags from customers;
