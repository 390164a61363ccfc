select extension_name
from duckdb_extensions()
where loaded and extension_name in ('icu', 'json', 'parquet')
