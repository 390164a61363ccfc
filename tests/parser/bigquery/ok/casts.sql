-- SAFE_CAST is BigQuery's TRY_CAST; a cast's FORMAT (and its AT TIME ZONE)
-- shapes the text, not the type: read, not kept.
select safe_cast(x as int64) as n from t;
select cast(ts as string format 'YYYY-MM-DD' at time zone 'UTC'), cast(d as string format ('YYYY')) from t;
