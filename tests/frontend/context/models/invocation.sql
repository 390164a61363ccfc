{#- What dbt's context says of the invocation: the worker thread, the
    command's arguments, custom metadata variables, the target as `env`. -#}
select
    '{{ thread_id }}' as thread,
    '{{ invocation_args_dict.which }}' as command,
    {{ invocation_args_dict.select | length }} as selected,
    {{ dbt_metadata_envs | length }} as metadata_envs,
    '{{ env.type }}' as adapter
