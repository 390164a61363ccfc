-- depends_on: {{ ref('payments') }}
{% call statement('counted', fetch_result=True) %}
    select count(*) from {{ ref('payments') }}
{% endcall %}
{% if execute %}
select {{ load_result('counted')['data'][0][0] }} as payment_count
{% endif %}
