select code, name from {{ source('loaded', 'country_codes') }}
