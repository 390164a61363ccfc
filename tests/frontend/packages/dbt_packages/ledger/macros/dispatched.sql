{% macro fmt(x) %}{{ return(adapter.dispatch('fmt', 'ledger')(x)) }}{% endmacro %}
{% macro default__fmt(x) %}cast({{ x }} as varchar){% endmacro %}

{% macro label(x) %}{{ return(adapter.dispatch('label')(x)) }}{% endmacro %}
{% macro default__label(x) %}'ledger:' || {{ x }}{% endmacro %}
