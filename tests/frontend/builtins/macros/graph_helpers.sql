{% macro find_model(model_name) %}
    {% if not execute %}{{ return(none) }}{% endif %}
    {% for graph_node in graph['nodes'].values() %}
        {% if graph_node.resource_type == 'model' and graph_node.name == model_name %}
            {{ return(graph_node) }}
        {% endif %}
    {% endfor %}
    {{ return(none) }}
{% endmacro %}

{% macro schema_of(node) %}
    {% if node is none %}{{ return('unknown') }}{% endif %}
    {{ return(node.schema ~ '.' ~ node.alias) }}
{% endmacro %}

{% macro first_type_macro() %}
    {% set found = dbt.type_timestamp or dbt.type_string %}
    {{ return(found()) }}
{% endmacro %}
