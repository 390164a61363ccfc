{# ’ #} select 'ę' as a {%}
