select 'ąę' as tekst
