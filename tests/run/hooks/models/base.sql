{{ config(pre_hook="insert into main.audit values ('before base', null)", post_hook=["insert into main.audit values ('after base', '{{ this }}')"]) }}
select 1 as id
