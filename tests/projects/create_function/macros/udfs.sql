{% macro create_udfs() %}
create or replace function add_tax(amount numeric, rate numeric default 0.2)
returns numeric language sql as $$ select amount * (1 + rate) $$;
{% endmacro %}
