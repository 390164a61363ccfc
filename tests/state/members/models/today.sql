-- current_date is volatile: without evaluate_volatile_sql, rebuilt on every run.
select current_date as today, count(*) as members from {{ ref('stg_members') }}
