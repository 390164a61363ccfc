{{ config(materialized='view', persist_docs={'relation': true, 'columns': true}) }}
select id, owner from {{ ref('accounts_table') }}
