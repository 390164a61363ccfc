{{ config(static_analysis='baseline') }}
select id from {{ ref('good') }} where id = 'one'
