-- schema: {"orders": {"id": "INTEGER NOT NULL", "amount": "DECIMAL(10,2)"}, "refunds": {"refund_id": "INTEGER NOT NULL", "refund_amount": "DECIMAL(10,2)"}, "archived": {"amount": "DECIMAL(10,2)", "id": "INTEGER"}}
select id, amount from orders union all select refund_id, -refund_amount from refunds;
select id from orders except select refund_id from refunds;
select id, amount from orders intersect select refund_id, refund_amount from refunds;
select id, amount from orders union by name select amount, id from archived;
