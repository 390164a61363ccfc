{{ config(alias='OrdersEnriched', schema='Marts') }}
-- this: {{ this }}
-- this without quoting its identifier: {{ this.quote(identifier=false) }}
-- this quoting only its schema: {{ this.quote(database=false, schema=true, identifier=false) }}
-- this without its database: {{ this.include(database=false) }}
-- api.Relation.create: {{ api.Relation.create(database='Other_Db', schema='Other', identifier='Tbl') }}
-- adapter.quote: {{ adapter.quote('Amount') }}
-- adapter.quote_as_configured: {{ adapter.quote_as_configured('Tbl', 'identifier') }} {{ adapter.quote_as_configured('Sch', 'schema') }} {{ adapter.quote_as_configured('Col', 'column') }}
select
    orders.id,
    orders.customer_id,
    countries.name as country_name
from {{ ref('stg_orders') }} as orders
join {{ ref('eph_customers') }} as customers on customers.id = orders.customer_id
join {{ ref('Country_Codes') }} as countries on countries.code = orders.country
