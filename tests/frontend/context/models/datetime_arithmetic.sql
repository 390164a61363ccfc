{#- Python's datetime arithmetic with + and -, which minijinja's operators
    do not reach: fusionc rewrites `x - modules.datetime.timedelta(...)`
    into `x.__sub__(...)`. -#}
{%- set start = modules.datetime.datetime(2024, 3, 1, 12, 30) -%}
{%- set earlier = (start - modules.datetime.timedelta(days=10)) -%}
select
    '{{ earlier }}' as ten_days_before,
    '{{ start + modules.datetime.timedelta(hours=13) }}' as thirteen_hours_after,
    '{{ modules.datetime.date(2024, 3, 1) - modules.datetime.timedelta(1) }}' as day_before,
    '{{ (start - modules.datetime.timedelta(weeks=1)).strftime("%Y-%m-%d") }}' as week_before
