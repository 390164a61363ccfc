-- schema: {"orders": {"id": "INTEGER NOT NULL", "amount": "DECIMAL(10,2)"}, "raw_events": null}
select * from raw_events;
select id, kind from raw_events;
select e.kind, o.amount from raw_events e join orders o on e.order_id = o.id;
select count(*) as n from raw_events;
with staged as (select * from raw_events) select event_id from staged;
