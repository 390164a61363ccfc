{{ config(static_analysis='baseline') }}
select id, labl from {{ ref('good') }}
