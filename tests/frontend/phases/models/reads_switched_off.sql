-- Its parent disables itself in its own config(): a missing ref at compile time.
select id from {{ ref('switched_off') }}
