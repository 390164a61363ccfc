{# Komentarz: zażółć gęślą jaźń — ’cytat’ 🦆 #}
{%- set etykiety = ['ą', 'ę', '’'] -%}
select
    id,
    miasto,
    '{{ var("powitanie") }}' as powitanie,
    '{{ etykiety | join("·") }}' as etykiety, -- ’komentarz’ SQL
    'Zürich ’x’' as stałe
from {{ ref('znaki') }}
