select 'ąę’' as a, {{ '’
