-- Its own config() renames it after the parse phase used the predicted name.
{{ config(alias='renamed', materialized='table') }}
select 1 as id, '{{ this }}' as me
