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
        _ => &FallbackNaming,
    }
}

/// dbt-bigquery's naming: relations in backquotes
/// (`` `project`.`dataset`.`table` ``), `project` and `dataset` the
/// profile's database and schema.
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
}

/// For adapters that have no naming of their own yet: what fusionc has
/// always done for them (no default database, schema `public`, DuckDB's
/// spelling of seed types, no external sources).
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
