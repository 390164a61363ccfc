-- The template does not mention the phase; the macro it calls does.
select {{ phase_of() }} as phase, id from {{ ref('plain') }}
