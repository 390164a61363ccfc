{#- dbt's runtime configuration, as elementary reads its own version:
    `builtins.ref.config`; `builtins.ref(...)` is `ref`. -#}
{%- set config = builtins.ref.config -%}
select
    '{{ config.project_name }}' as project_name,
    '{{ config.dependencies["ledger"].version }}' as ledger_version,
    '{{ config.dependencies[config.project_name].version }}' as own_version,
    '{{ config.args.require_explicit_package_overrides_for_builtin_materializations }}' as explicit_overrides,
    count(*) as orders
from {{ builtins.ref('orders') }}
