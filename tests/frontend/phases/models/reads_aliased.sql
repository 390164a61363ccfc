-- Reads a relation whose name changed between the phases.
select id from {{ ref('aliased') }}
