{{ config(alias='ledger_dates') }}
select 2 as date_key
