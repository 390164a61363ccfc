-- Reads the seed directly: a seed reloaded on its own keeps it.
select owner from {{ ref('accounts') }}
