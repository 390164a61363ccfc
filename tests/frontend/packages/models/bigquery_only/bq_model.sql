select 1 as only_on_bigquery
