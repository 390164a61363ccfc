{#- Python's list(): a new list of its own, with the list methods. -#}
{%- set letters = ['c', 'a', 'b'] -%}
{%- set last = (letters | sort | list).pop() -%}
{%- set copied = letters | list -%}
{%- do copied.append('d') -%}
{%- set first = (letters | list).pop(0) -%}
-- popped: {{ last }} {{ first }}; the copy grew: {{ copied | join(',') }}; the original did not: {{ letters | join(',') }}
-- from a string: {{ 'xyz' | list | join('|') }}; from a mapping: {{ {'k': 1, 'j': 2} | list | sort | join('|') }}
select 1 as one
