{{ config(materialized='materialized_view', indexes=[{'columns': ['orders'], 'unique': true}]) }}
select count(*) as orders, sum(amount) as total from {{ ref('orders') }}
