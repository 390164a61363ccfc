//! Postgres's naming for the frontend: dbt-postgres's profile aliases and its spelling of inferred seed types.

use fusion_frontend::adapter_naming::AdapterNaming;
use fusion_ir::types::SqlType;
use serde_json::{Map, Value};

/// How dbt-postgres names and spells things.
#[derive(Debug)]
pub struct PostgresNaming;

impl AdapterNaming for PostgresNaming {
    /// dbt-postgres requires `dbname` (or `database`); without either the
    /// database is empty and opening the adapter says so (FC0040).
    fn default_database(&self, _profile_output: &Map<String, Value>) -> String {
        String::new()
    }

    fn default_schema(&self) -> String {
        "public".to_string()
    }

    fn seed_type_name(&self, sql_type: &SqlType) -> String {
        postgres_seed_type_name(sql_type).to_string()
    }

    fn parent_adapters(&self) -> &'static [&'static str] {
        &[]
    }

    /// dbt-postgres's credential aliases: `dbname` is the database, `pass`
    /// the password.
    fn profile_key_aliases(&self) -> &'static [(&'static str, &'static str)] {
        &[("dbname", "database"), ("pass", "password")]
    }
}

/// dbt-postgres's names for the types it infers from a seed's CSV (the
/// `convert_*_type` methods of dbt-adapters' SQL adapter): whole numbers
/// are `integer`, other numbers `float8`, text `text`.
pub fn postgres_seed_type_name(sql_type: &SqlType) -> &'static str {
    match sql_type {
        SqlType::Boolean => "boolean",
        SqlType::Int { .. } => "integer",
        SqlType::Float64 => "float8",
        SqlType::Date => "date",
        SqlType::Timestamp { .. } => "timestamp without time zone",
        SqlType::Time => "time",
        _ => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::postgres_seed_type_name;
    use fusion_ir::types::SqlType;

    #[test]
    fn seed_types_are_spelled_as_dbt_postgres_spells_them() {
        assert_eq!(
            postgres_seed_type_name(&SqlType::Int { bits: 32 }),
            "integer"
        );
        assert_eq!(postgres_seed_type_name(&SqlType::Float64), "float8");
        assert_eq!(postgres_seed_type_name(&SqlType::STRING), "text");
        assert_eq!(
            postgres_seed_type_name(&SqlType::TIMESTAMP),
            "timestamp without time zone"
        );
    }
}
