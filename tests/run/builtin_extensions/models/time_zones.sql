select
    timezone('America/New_York', timestamptz '2024-01-01 12:00:00+00') as new_york_time,
    strftime(timestamptz '2024-01-01 12:00:00+00' at time zone 'Europe/Paris', '%H') as paris_hour
