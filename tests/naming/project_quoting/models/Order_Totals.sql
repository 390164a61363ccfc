{{ config(quoting={'database': false, 'identifier': false}) }}
-- this: {{ this }}
-- api.Relation.create: {{ api.Relation.create(database='Db', schema='Sch', identifier='Tbl') }}
select id from {{ ref('base_orders') }}
