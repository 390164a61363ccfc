select 1 as account_id, 'gold' as plan
