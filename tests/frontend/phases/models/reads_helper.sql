-- An ephemeral parent is read as its CTE, whatever the parse phase saw.
select id from {{ ref('helper') }}
