-- Evaluated, current_date changes once a day: reused until then.
{{ config(state={'evaluate_volatile_sql': true}) }}
select current_date as today, count(*) as visits from {{ source('raw', 'visits') }}
