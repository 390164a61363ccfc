select '{{ run_started_at.astimezone(modules.pytz.timezone("America/New_York")) }}' as run_started_est
