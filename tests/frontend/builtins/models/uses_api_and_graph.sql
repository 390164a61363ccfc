{% set relation = api.Relation.create(database='warehouse', schema='audit', identifier='events') %}
{% set is_relation = relation is mapping and relation.get('metadata', {}).get('type', '').endswith('Relation') %}
select
    '{{ schema_of(find_model("uses_builtins")) }}' as builtins_relation,
    cast(null as {{ api.Column.translate_type('string') }}) as translated,
    cast(null as {{ first_type_macro() }}) as first_type,
    {{ is_relation }} as created_relation_is_relation,
    {# dbt_project_evaluator counts a node's lines from its raw code. #}
    {{ (find_model("uses_builtins").raw_code or '') | length > 0 }} as has_raw_code,
    '{{ find_model("uses_builtins").language }}' as language
from {{ relation }}
