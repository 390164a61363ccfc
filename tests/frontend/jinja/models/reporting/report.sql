{% set result = run_query('select 1') %}
{% if execute %}
select * from {{ ref('features') }}
{% endif %}
