//! Each adapter's naming for the frontend (the frontend's `AdapterNaming`): what the driver passes to the loader in `LoadOptions`.

use super::duckdb_naming::{duckdb_seed_type_name, DuckDbNaming};
use super::postgres_naming::PostgresNaming;
use fusion_frontend::adapter_naming::{base_column_type, AdapterNaming};
use fusion_frontend::quoting::{IdentifierCase, QuotePolicy};
use fusion_ir::types::SqlType;
use serde_json::{Map, Value};

/// The naming of a profile's adapter type; adapters without their own get
/// [`FALLBACK`], so that their profiles still load.
pub fn naming_for_adapter(adapter_type: &str) -> &'static dyn AdapterNaming {
    match adapter_type {
        "duckdb" => &DuckDbNaming,
        "postgres" => &PostgresNaming,
        "bigquery" => &BIGQUERY,
        "databricks" => &DATABRICKS,
        "redshift" => &REDSHIFT,
        "snowflake" => &SNOWFLAKE,
        _ => &FALLBACK,
    }
}

/// The naming of an adapter fusionc analyses but does not run yet: what
/// differs between them is data. No default database, schema `public`
/// unless the profile sets one, DuckDB's spelling of seed types, no
/// external sources.
#[derive(Debug)]
pub struct WarehouseNaming {
    default_schema: &'static str,
    quote: char,
    /// Which parts of a relation's name are quoted by default.
    quote_policy: QuotePolicy,
    /// How the warehouse stores names (when two spellings are one).
    identifier_case: IdentifierCase,
    aliases: &'static [(&'static str, &'static str)],
    parents: &'static [&'static str],
    /// `api.Column.translate_type`; `None` for dbt-adapters' base class.
    translate: Option<fn(&str) -> String>,
    /// The adapter's own SQL for dbt's `unique` test, when it has one.
    unique_test: Option<fn(&str, &str) -> String>,
    /// Whether seed types are spelled the DuckDB way (what fusionc has
    /// always done for these adapters) instead of `ir`'s neutral spelling.
    duckdb_seed_types: bool,
}

/// For adapters that have no naming of their own yet.
pub static FALLBACK: WarehouseNaming = WarehouseNaming {
    default_schema: "public",
    quote: '"',
    quote_policy: QuotePolicy::ALL,
    identifier_case: IdentifierCase::LowerUnlessQuoted,
    aliases: &[],
    parents: &[],
    translate: None,
    unique_test: None,
    duckdb_seed_types: true,
};

/// dbt-bigquery's: relations in backquotes (`` `project`.`dataset`.`table` ``),
/// `project` and `dataset` the profile's database and schema, and its
/// column class labels `TEXT`, `FLOAT` and `INTEGER` with BigQuery's names.
pub static BIGQUERY: WarehouseNaming = WarehouseNaming {
    default_schema: "",
    quote: '`',
    quote_policy: QuotePolicy::ALL,
    identifier_case: IdentifierCase::Sensitive,
    aliases: &[("project", "database"), ("dataset", "schema")],
    parents: &[],
    translate: Some(|dtype| match dtype.to_ascii_uppercase().as_str() {
        "TEXT" => "STRING".to_string(),
        "FLOAT" => "FLOAT64".to_string(),
        "INTEGER" => "INT64".to_string(),
        _ => dtype.to_string(),
    }),
    unique_test: Some(bigquery_unique_test),
    duckdb_seed_types: false,
};

/// dbt-databricks': relations in backquotes and lower case (its relation
/// lower-cases what it renders), `catalog` the profile's database; it extends dbt-spark (dispatch tries `spark__` macros), and its
/// column class labels `LONG` as `BIGINT` and lowercases every type.
pub static DATABRICKS: WarehouseNaming = WarehouseNaming {
    default_schema: "public",
    quote: '`',
    quote_policy: QuotePolicy {
        lowercase: true,
        ..QuotePolicy::ALL
    },
    identifier_case: IdentifierCase::Insensitive,
    aliases: &[("catalog", "database")],
    parents: &["spark"],
    translate: Some(|dtype| {
        if dtype.eq_ignore_ascii_case("long") {
            "bigint".to_string()
        } else {
            dtype.to_lowercase()
        }
    }),
    unique_test: None,
    duckdb_seed_types: true,
};

/// dbt-snowflake's: no part of a relation's name quoted unless the
/// project's `quoting:` says so (`analytics.dev.orders`), and Snowflake
/// folds unquoted names to upper case.
pub static SNOWFLAKE: WarehouseNaming = WarehouseNaming {
    default_schema: "public",
    quote: '"',
    quote_policy: QuotePolicy::NONE,
    identifier_case: IdentifierCase::UpperUnlessQuoted,
    aliases: &[],
    parents: &[],
    translate: None,
    unique_test: None,
    duckdb_seed_types: true,
};

/// dbt-redshift's: Redshift matches names whatever their case (unless
/// `enable_case_sensitive_identifier` is on); it extends dbt-postgres (dispatch tries `postgres__` macros).
pub static REDSHIFT: WarehouseNaming = WarehouseNaming {
    default_schema: "public",
    quote: '"',
    quote_policy: QuotePolicy::ALL,
    identifier_case: IdentifierCase::Insensitive,
    aliases: &[],
    parents: &["postgres"],
    translate: None,
    unique_test: None,
    duckdb_seed_types: true,
};

/// dbt-bigquery's `bigquery__test_unique`: the column's non-null values in
/// a CTE, then grouped.
fn bigquery_unique_test(relation: &str, column: &str) -> String {
    format!(
        "with dbt_test__target as (\n    select {column} as unique_field\n    from {relation}\n    where {column} is not null\n)\nselect\n    unique_field,\n    count(*) as n_records\nfrom dbt_test__target\ngroup by unique_field\nhaving count(*) > 1"
    )
}

impl AdapterNaming for WarehouseNaming {
    fn default_database(&self, _profile_output: &Map<String, Value>) -> String {
        String::new()
    }

    fn default_schema(&self) -> String {
        self.default_schema.to_string()
    }

    fn seed_type_name(&self, sql_type: &SqlType) -> String {
        if self.duckdb_seed_types {
            duckdb_seed_type_name(sql_type).to_string()
        } else {
            sql_type.to_string()
        }
    }

    fn quote_character(&self) -> char {
        self.quote
    }

    fn quote_policy(&self) -> QuotePolicy {
        self.quote_policy
    }

    fn identifier_case(&self) -> IdentifierCase {
        self.identifier_case
    }

    fn unique_test_sql(&self, relation: &str, column: &str) -> Option<String> {
        self.unique_test
            .map(|unique_test| unique_test(relation, column))
    }

    fn profile_key_aliases(&self) -> &'static [(&'static str, &'static str)] {
        self.aliases
    }

    fn parent_adapters(&self) -> &'static [&'static str] {
        self.parents
    }

    fn translate_column_type(&self, dtype: &str) -> String {
        match self.translate {
            Some(translate) => translate(dtype),
            None => base_column_type(dtype),
        }
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
