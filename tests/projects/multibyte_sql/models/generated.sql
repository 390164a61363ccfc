select '{{ var("etykieta") }}' as a, {{ "'ąę’' as b, ’🦆 from" }} {{ ref('base') }}
