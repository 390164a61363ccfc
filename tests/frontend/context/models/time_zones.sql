{#- IANA zones as pytz gives them: attached directly, a zone has its first
    (local mean time) offset; localize, astimezone and normalize find the
    offset of the moment, daylight saving time included. -#}
{%- set la = modules.pytz.timezone('America/Los_Angeles') -%}
{%- set tokyo = modules.pytz.timezone('asia/tokyo') -%}
{%- set summer = modules.datetime.datetime(2024, 7, 1, 12, 0) -%}
{%- set winter = modules.datetime.datetime(2024, 1, 15, 8, 30) -%}
{%- set noon_utc = modules.datetime.datetime(2024, 7, 1, 12, tzinfo=modules.pytz.utc) -%}
-- zone: {{ la }} {{ la.zone }} {{ tokyo }}
-- attached: {{ modules.datetime.datetime(1997, 9, 29, 6, 14, tzinfo=la) }} {{ summer.replace(tzinfo=tokyo) }}
-- localize: {{ la.localize(summer) }} {{ la.localize(winter) }} {{ la.localize(summer).strftime('%H:%M %z %Z') }} {{ tokyo.localize(winter).tzname() }}
-- repeated hour: {{ la.localize(modules.datetime.datetime(2024, 11, 3, 1, 30)) }}
-- skipped hour: {{ la.localize(modules.datetime.datetime(2024, 3, 10, 2, 30)) }}
-- astimezone: {{ noon_utc.astimezone(la) }} {{ noon_utc.astimezone(tokyo) }} {{ la.localize(winter).astimezone(modules.pytz.utc) }}
-- normalize: {{ la.normalize(noon_utc) }}
-- utcoffset: {{ la.utcoffset(summer) }} {{ la.utcoffset(winter) }} {{ la.tzname(summer) }}
-- compare: {{ la.localize(summer) == tokyo.localize(modules.datetime.datetime(2024, 7, 2, 4, 0)) }}
-- run_started_at: {{ run_started_at.astimezone(modules.pytz.timezone('America/New_York')).tzinfo }}
select 1 as one
