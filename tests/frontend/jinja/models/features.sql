{%- set greeting = 'Hi there' -%}
{%- set block_text -%}
    upper('{{ var('region') }}')
{%- endset -%}
select
    {{ greet('bob') }} as greeting,
    {{ concat_cols('a', 'b') }} as joined,
    {{ only_default('amount') }} as amount,
    {{ double(21) }} as answer,
    {{ block_text }} as region,
    '{{ greeting.lower().replace('hi', 'bye') }}' as words,
    {{ var('limit_rows') }} as limit_rows,
    '{{ var('missing_with_default', 'fallback') }}' as defaulted,
    '{{ env_var('FUSIONC_TEST_UNSET_ENV', 'env-default') }}' as env,
    {{ [1, 2, 3] | length }} as n,
    '{{ "  padded  " | trim }}' as trimmed,
    {{ {'a': 1} | tojson }} as json_text,
    {{ is_incremental() }} as incremental,
    {{ execute }} as executing
from {{ ref('base', version=1) }}
