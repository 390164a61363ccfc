//! What the frontend needs to know of the target's adapter: the trait the driver implements per adapter, so the frontend names no warehouse.
//!
//! The frontend reads a profile whose `type` names the adapter; the driver,
//! which knows the adapters, passes [`LoadOptions::adapter_naming`](crate::options::LoadOptions)
//! to find the [`AdapterNaming`] of that type. Adding an adapter touches
//! no frontend code.

use crate::quoting::{IdentifierCase, QuotePolicy};
use crate::schema_yaml::{SourceDecl, SourceTableDecl};
use fusion_ir::types::SqlType;
use serde_json::{Map, Value};

/// Finds the naming of a profile's adapter type (`duckdb`, `postgres`, ...).
/// An adapter the driver does not know still gets a naming: the profile
/// loads, and the driver says later what it cannot do with it.
pub type AdapterNamingLookup = fn(adapter_type: &str) -> &'static dyn AdapterNaming;

/// What differs by adapter in how the frontend names and spells things.
pub trait AdapterNaming: Send + Sync + std::fmt::Debug {
    /// The database of a target whose profile output sets neither
    /// `database` nor `dbname`. Example: dbt-duckdb names it after the
    /// `path` file's stem (`dev.duckdb` gives `dev`).
    fn default_database(&self, profile_output: &Map<String, Value>) -> String;

    /// The schema of a target whose profile output sets no `schema`.
    /// Example: `main` for DuckDB.
    fn default_schema(&self) -> String;

    /// How the adapter spells a seed column type inferred from the CSV
    /// (for manifests, summaries and the seed's table). Example: `BIGINT`
    /// for a 64-bit integer in DuckDB. By default, `ir`'s neutral spelling.
    fn seed_type_name(&self, sql_type: &SqlType) -> String {
        sql_type.to_string()
    }

    /// The character that quotes each part of a relation's name: `"` by
    /// default (`"db"."schema"."table"`); BigQuery's backquote.
    fn quote_character(&self) -> char {
        '"'
    }

    /// Which parts of a relation's name the adapter quotes unless the
    /// project's or a source's `quoting:` says otherwise. Example: every
    /// part by default (`"db"."schema"."table"`); none for dbt-snowflake
    /// (`db.schema.table`).
    fn quote_policy(&self) -> QuotePolicy {
        QuotePolicy::ALL
    }

    /// How the warehouse stores the parts of a relation's name, which
    /// decides when two spellings are one relation. Example: Postgres folds
    /// unquoted names to lower case, so by default
    /// [`IdentifierCase::LowerUnlessQuoted`].
    fn identifier_case(&self) -> IdentifierCase {
        IdentifierCase::LowerUnlessQuoted
    }

    /// The SQL of dbt's built-in `unique` test on `column` of `relation`
    /// (already quoted) when the adapter overrides dbt's, or `None` for
    /// dbt's (grouping the relation's non-null values). Example:
    /// dbt-bigquery selects the non-null values in a CTE first.
    fn unique_test_sql(&self, _relation: &str, _column: &str) -> Option<String> {
        None
    }

    /// The adapters this one extends, nearest first: `adapter.dispatch`
    /// tries their implementations after the adapter's own (dbt-redshift
    /// extends dbt-postgres). None by default.
    fn parent_adapters(&self) -> &'static [&'static str] {
        &[]
    }

    /// `api.Column.translate_type`: the adapter's column class's type
    /// labels. By default dbt-adapters' base class, which maps `STRING` to
    /// `TEXT` and keeps any other type.
    fn translate_column_type(&self, dtype: &str) -> String {
        base_column_type(dtype)
    }

    /// Profile keys the adapter reads as others (dbt-bigquery's `project`
    /// is the database, `dataset` the schema). None by default.
    fn profile_key_aliases(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// What `source()` renders for a source table the adapter reads outside
    /// the warehouse, or `None` for a table in the warehouse; `Err` says
    /// what is wrong with the table's settings. Example: dbt-duckdb's
    /// `external_location: "data/{name}.csv"` renders `'data/orders.csv'`.
    /// `database` is the source's database (the target's when unset). By
    /// default every source table is in the warehouse.
    fn external_source(
        &self,
        _source: &SourceDecl,
        _table: &SourceTableDecl,
        _database: &str,
    ) -> Result<Option<String>, String> {
        Ok(None)
    }
}

/// dbt-adapters' base column class's `translate_type`: `STRING` is `TEXT`,
/// any other type stays as written.
pub fn base_column_type(dtype: &str) -> String {
    if dtype.eq_ignore_ascii_case("string") {
        "TEXT".to_string()
    } else {
        dtype.to_string()
    }
}
