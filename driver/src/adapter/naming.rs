//! Each adapter's naming for the frontend (the frontend's `AdapterNaming`): what the driver passes to the loader in `LoadOptions`.

use super::duckdb_naming::{duckdb_seed_type_name, DuckDbNaming};
use fusion_frontend::adapter_naming::AdapterNaming;
use fusion_ir::types::SqlType;
use serde_json::{Map, Value};

/// The naming of a profile's adapter type; adapters without their own get
/// [`FallbackNaming`], so that their profiles still load.
pub fn naming_for_adapter(adapter_type: &str) -> &'static dyn AdapterNaming {
    match adapter_type {
        "duckdb" => &DuckDbNaming,
        "bigquery" => &BigQueryNaming,
        "databricks" => &DatabricksNaming,
        "redshift" => &RedshiftNaming,
        _ => &FallbackNaming,
    }
}

/// dbt-bigquery's naming: relations in backquotes
/// (`` `project`.`dataset`.`table` ``), `project` and `dataset` the
/// profile's database and schema.
#[derive(Debug)]
pub struct BigQueryNaming;

impl AdapterNaming for BigQueryNaming {
    fn default_database(&self, _profile_output: &Map<String, Value>) -> String {
        String::new()
    }

    fn default_schema(&self) -> String {
        String::new()
    }

    fn quote_character(&self) -> char {
        '`'
    }

    fn profile_key_aliases(&self) -> &'static [(&'static str, &'static str)] {
        &[("project", "database"), ("dataset", "schema")]
    }

    /// dbt-bigquery's column class labels `TEXT`, `FLOAT` and `INTEGER`
    /// with BigQuery's names.
    fn translate_column_type(&self, dtype: &str) -> String {
        match dtype.to_ascii_uppercase().as_str() {
            "TEXT" => "STRING".to_string(),
            "FLOAT" => "FLOAT64".to_string(),
            "INTEGER" => "INT64".to_string(),
            _ => dtype.to_string(),
        }
    }
}

/// dbt-databricks' naming as far as it differs from the fallback:
/// relations in backquotes, `catalog` as the profile's database, it extends
/// dbt-spark (dispatch tries `spark__` macros), and its column class labels
/// `LONG` as `BIGINT` and lowercases every type.
#[derive(Debug)]
pub struct DatabricksNaming;

impl AdapterNaming for DatabricksNaming {
    fn default_database(&self, profile_output: &Map<String, Value>) -> String {
        FallbackNaming.default_database(profile_output)
    }

    fn default_schema(&self) -> String {
        FallbackNaming.default_schema()
    }

    fn seed_type_name(&self, sql_type: &SqlType) -> String {
        FallbackNaming.seed_type_name(sql_type)
    }

    fn quote_character(&self) -> char {
        '`'
    }

    fn profile_key_aliases(&self) -> &'static [(&'static str, &'static str)] {
        &[("catalog", "database")]
    }

    fn parent_adapters(&self) -> &'static [&'static str] {
        &["spark"]
    }

    fn translate_column_type(&self, dtype: &str) -> String {
        if dtype.eq_ignore_ascii_case("long") {
            "bigint".to_string()
        } else {
            dtype.to_lowercase()
        }
    }
}

/// dbt-redshift's naming as far as it differs from the fallback: it
/// extends dbt-postgres (dispatch tries `postgres__` macros).
#[derive(Debug)]
pub struct RedshiftNaming;

impl AdapterNaming for RedshiftNaming {
    fn default_database(&self, profile_output: &Map<String, Value>) -> String {
        FallbackNaming.default_database(profile_output)
    }

    fn default_schema(&self) -> String {
        FallbackNaming.default_schema()
    }

    fn seed_type_name(&self, sql_type: &SqlType) -> String {
        FallbackNaming.seed_type_name(sql_type)
    }

    fn parent_adapters(&self) -> &'static [&'static str] {
        &["postgres"]
    }
}

/// For adapters that have no naming of their own yet: what fusionc has
/// always done for them (no default database, schema `public`, DuckDB's
/// spelling of seed types, no external sources).
#[derive(Debug)]
pub struct FallbackNaming;

impl AdapterNaming for FallbackNaming {
    fn default_database(&self, _profile_output: &Map<String, Value>) -> String {
        String::new()
    }

    fn default_schema(&self) -> String {
        "public".to_string()
    }

    fn seed_type_name(&self, sql_type: &SqlType) -> String {
        duckdb_seed_type_name(sql_type).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::naming_for_adapter;

    #[test]
    fn each_adapter_translates_its_column_labels() {
        assert_eq!(
            naming_for_adapter("duckdb").translate_column_type("string"),
            "TEXT"
        );
        assert_eq!(
            naming_for_adapter("postgres").translate_column_type("timestamp"),
            "timestamp"
        );
        assert_eq!(
            naming_for_adapter("bigquery").translate_column_type("integer"),
            "INT64"
        );
        assert_eq!(
            naming_for_adapter("databricks").translate_column_type("LONG"),
            "bigint"
        );
        assert_eq!(
            naming_for_adapter("databricks").translate_column_type("STRING"),
            "string"
        );
        assert_eq!(
            naming_for_adapter("redshift").parent_adapters(),
            ["postgres"]
        );
    }
}
