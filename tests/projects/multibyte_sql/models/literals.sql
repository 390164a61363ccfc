{# Komentarz: zażółć gęślą jaźń — ’cytat’ 🦆 #}
select
    'Łódź ’’ 東京' as miasto,
    '{{ var("etykieta") }}' as etykieta,
    nazwa = = 'ę’' as zły
from {{ ref('base') }}
