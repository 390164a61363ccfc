{#- dbt's own naming macros, called from a template of a project that
    does not override them. -#}
select
    '{{ generate_schema_name('raw_data') }}' as custom_schema,
    '{{ generate_schema_name(none) }}' as default_schema,
    '{{ generate_alias_name('other_name') }}' as custom_alias,
    '{{ dbt.generate_database_name(none) }}' as default_database
