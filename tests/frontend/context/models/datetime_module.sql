{%- set dt = modules.datetime.datetime(2024, 1, 2, 3, 4, 5, 123456) -%}
{%- set d = modules.datetime.date(2024, 2, 28) -%}
{%- set delta = modules.datetime.timedelta(days=1, hours=2, minutes=3, seconds=4, weeks=1) -%}
{%- set noon_utc = modules.datetime.datetime(2024, 1, 2, 12, tzinfo=modules.pytz.utc) -%}
-- str: {{ dt }} / {{ modules.datetime.datetime(2024, 1, 2) }}
-- strftime: {{ dt.strftime('%Y-%m-%d %H:%M:%S.%f %j %a %b %y %I%p') }}
-- isoformat: {{ dt.isoformat() }} / {{ dt.isoformat(' ') }}
-- attributes: {{ dt.year }} {{ dt.month }} {{ dt.day }} {{ dt.hour }} {{ dt.minute }} {{ dt.second }} {{ dt.microsecond }} {{ dt.tzinfo }}
-- replace: {{ dt.replace(hour=0, minute=0, second=0, microsecond=0) }} / {{ dt.replace(day=31) }}
-- date: {{ dt.date() }} {{ d }} {{ d.strftime('%d/%m/%Y') }} {{ d.isoformat() }} {{ d.weekday() }}
-- timedelta: {{ delta }} / {{ modules.datetime.timedelta(seconds=-1) }} / {{ modules.datetime.timedelta(hours=1.5) }} / {{ delta.days }} {{ delta.seconds }} {{ delta.total_seconds() }}
-- add: {{ dt.__add__(delta) }} / {{ d.__add__(modules.datetime.timedelta(days=2)) }}
-- sub: {{ dt.__sub__(modules.datetime.timedelta(hours=4)) }} / {{ dt.__sub__(modules.datetime.datetime(2024, 1, 1)) }} / {{ d.__sub__(modules.datetime.date(2024, 1, 1)) }}
-- compare: {{ dt > modules.datetime.datetime(2024, 1, 1) }} {{ d < modules.datetime.date(2024, 3, 1) }} {{ dt == modules.datetime.datetime(2024, 1, 2, 3, 4, 5, 123456) }}
-- strptime: {{ modules.datetime.datetime.strptime('2024-03-05 07:08', '%Y-%m-%d %H:%M') }} / {{ modules.datetime.datetime.strptime('05/03/2024', '%d/%m/%Y').date() }} / {{ modules.datetime.datetime.strptime('2024-03-05T07:08:09+0100', '%Y-%m-%dT%H:%M:%S%z') }}
-- aware: {{ noon_utc }} / {{ noon_utc.strftime('%H:%M %z %Z') }} / {{ modules.pytz.timezone('Etc/GMT-2').localize(dt) }}
-- astimezone: {{ noon_utc.astimezone(modules.pytz.timezone('Etc/GMT+5')) }} / {{ noon_utc.astimezone(modules.pytz.timezone('Etc/GMT+5')).strftime('%H %Z') }}
-- now: {{ modules.datetime.datetime.now().year >= 2024 }} {{ modules.datetime.datetime.utcnow().strftime('%Y-%m-%d') | length }} {{ modules.datetime.date.today().isoformat() | length }} {{ modules.datetime.datetime.now(modules.pytz.utc).tzinfo }}
-- run_started_at: {{ run_started_at.strftime('%Y-%m-%d %H:%M:%S') | length }} {{ run_started_at.tzinfo }} {{ (run_started_at | string)[-6:] }} {{ run_started_at.year >= 2024 }}
-- invocation_id: {{ invocation_id | length }} {{ invocation_id[14] }} {{ invocation_id.split('-') | map('length') | list }}
select 1 as one
