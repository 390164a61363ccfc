-- ’komentarz’ ąę
select 'ąę’' as a, nazwą from {{ ref('base') }}
