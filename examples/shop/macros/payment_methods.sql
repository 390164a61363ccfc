{#- The payment methods to pivot on, from the `payment_methods` var, lower-cased. -#}
{% macro payment_methods() %}
    {% set methods = [] %}
    {% for method in var('payment_methods') %}
        {% do methods.append(method | lower) %}
    {% endfor %}
    {{ return(methods) }}
{% endmacro %}
