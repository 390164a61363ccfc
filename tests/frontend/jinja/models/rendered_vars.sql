select
    {{ var('max_depth') | int }} as max_depth,
    '{{ var('greeting') }}' as greeting,
    {{ var('ratio') | int }} as ratio_int,
    {{ var('ratio') | float }} as ratio
