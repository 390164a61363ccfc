{{ config(
    materialized='table',
    unlogged=true,
    indexes=[{'columns': ['id'], 'unique': true}, {'columns': ['owner'], 'type': 'hash'}],
    grants={'select': ['public']},
    persist_docs={'relation': true, 'columns': true},
) }}
select id, owner, balance from {{ ref('accounts') }}
