select 1 as date_key
