{{ config(pre_hook="insert into {{ target.schema }}.audit values ('before base', null)", post_hook=["insert into {{ target.schema }}.audit values ('after base', '{{ this }}')"]) }}
select 1 as id
