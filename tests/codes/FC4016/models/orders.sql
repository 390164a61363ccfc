select 'a' as id
