{{ config(quoting={'database': false, 'identifier': false}) }}
-- this: {{ this }}
-- api.Relation.create: {{ api.Relation.create(database='Db', schema='Sch', identifier='Tbl') }}
-- adapter.quote_as_configured: {{ adapter.quote_as_configured('Db', 'database') }} {{ adapter.quote_as_configured('Sch', 'schema') }} {{ adapter.quote_as_configured('Tbl', 'identifier') }}
select id from {{ ref('base_orders') }}
