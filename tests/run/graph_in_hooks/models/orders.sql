{{ config(meta={'owner': 'sales'}) }}
select 1 as order_id, 'fr' as country_code, {{ order_status() }} as status
union all
select 2, 'jp', 'placed'
