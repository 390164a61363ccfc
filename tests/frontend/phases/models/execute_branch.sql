{% if execute %}
select 'compile' as phase
{% else %}
select 'parse' as phase
{% endif %}
