{{ config(enabled = var('type_markers_enabled', True) | as_bool) }}
select
    {{ var('limit_rows') | as_number }} as limit_rows,
    {{ 'true' | as_bool }} as flag,
    '{{ 'text' | as_text }}' as text_value,
    {{ [1, 2] | as_native | length }} as listed,
    {{ [1, 2] | is_list }} as is_a_list,
    {{ 'a' | is_list }} as is_not_a_list
from {{ ref('base', version=1) }}
