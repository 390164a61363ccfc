{% set relation = api.Relation.create(database='warehouse', schema='audit', identifier='events') %}
{% set is_relation = relation is mapping and relation.get('metadata', {}).get('type', '').endswith('Relation') %}
select
    '{{ schema_of(find_model("uses_builtins")) }}' as builtins_relation,
    cast(null as {{ api.Column.translate_type('string') }}) as translated,
    {#- Packages test the class methods before calling them. #}
    {% set translate = api.Column.translate_type if api.Column.translate_type is defined else none -%}
    cast(null as {{ translate('integer') if translate else 'missing' }}) as translated_integer,
    {{ api.Relation.create is defined }} as has_create,
    '{{ (api.Relation.create)(schema='s', identifier='t') }}' as created_through_value,
    cast(null as {{ first_type_macro() }}) as first_type,
    {{ is_relation }} as created_relation_is_relation,
    {# dbt_project_evaluator counts a node's lines from its raw code. #}
    {{ (find_model("uses_builtins").raw_code or '') | length > 0 }} as has_raw_code,
    '{{ find_model("uses_builtins").language }}' as language
from {{ relation }}
