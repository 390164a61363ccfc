{% set kolumny = ['ą', 'ę', 'ł'] %}
select 'zażółć’’’’’’’’’’’’’’’’’’’’' as a, {{ nieznane_makro('’') }} as b
