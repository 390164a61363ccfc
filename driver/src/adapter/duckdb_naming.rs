//! DuckDB's naming for the frontend: dbt-duckdb's default database and schema, its spelling of seed types, and its external sources.

use fusion_frontend::adapter_naming::AdapterNaming;
use fusion_frontend::quoting::IdentifierCase;
use fusion_frontend::schema_yaml::{SourceDecl, SourceTableDecl};
use fusion_ir::types::SqlType;
use serde_json::{Map, Value};
use std::path::Path;

/// How dbt-duckdb names and spells things.
#[derive(Debug)]
pub struct DuckDbNaming;

impl AdapterNaming for DuckDbNaming {
    fn default_database(&self, profile_output: &Map<String, Value>) -> String {
        let path = profile_output.get("path").and_then(|value| match value {
            Value::String(text) => Some(text.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        });
        duckdb_database_name(path.as_deref().unwrap_or(":memory:"))
    }

    fn default_schema(&self) -> String {
        "main".to_string()
    }

    fn seed_type_name(&self, sql_type: &SqlType) -> String {
        duckdb_seed_type_name(sql_type).to_string()
    }

    fn identifier_case(&self) -> IdentifierCase {
        IdentifierCase::Insensitive
    }

    fn external_source(
        &self,
        source: &SourceDecl,
        table: &SourceTableDecl,
        database: &str,
    ) -> Result<Option<String>, String> {
        external_source_text(source, table, database)
    }
}

/// dbt-duckdb names the database after the file stem (`memory` for `:memory:`).
pub fn duckdb_database_name(path: &str) -> String {
    if path == ":memory:" || path.is_empty() {
        return "memory".to_string();
    }
    Path::new(path)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "memory".to_string())
}

/// DuckDB's spelling of an inferred seed type, for manifests and summaries.
pub fn duckdb_seed_type_name(sql_type: &SqlType) -> &'static str {
    match sql_type {
        SqlType::Boolean => "BOOLEAN",
        SqlType::Int { bits: 64 } => "BIGINT",
        SqlType::Int { .. } => "INTEGER",
        SqlType::Float64 => "DOUBLE",
        SqlType::Date => "DATE",
        SqlType::Timestamp { .. } => "TIMESTAMP",
        _ => "VARCHAR",
    }
}

/// What `source()` renders for a dbt-duckdb external source, as
/// dbt-duckdb's `DuckDBRelation.create_from_source` makes it: the
/// `external_location` of the table's merged meta and config, filled in by
/// its `formatter` (`newstyle`, the default: Python's `str.format_map`;
/// `oldstyle`: `%(name)s`; `template`: `$name`) from the table's `name`,
/// `identifier`, `schema`, `database`, `tags` and the merged entries
/// themselves; a plain path is quoted as a string, which DuckDB reads as a
/// file, and a call such as `read_csv(...)` is kept as written. `None` when
/// the table has no external location.
fn external_source_text(
    source: &SourceDecl,
    table: &SourceTableDecl,
    database: &str,
) -> Result<Option<String>, String> {
    let settings = &table.adapter_settings;
    let Some(location) = settings.get("external_location") else {
        return Ok(None);
    };
    let Some(template) = location.as_str() else {
        return Err("must be a string".to_string());
    };
    let mut values = Map::new();
    values.insert("name".into(), table.name.clone().into());
    values.insert("identifier".into(), table.identifier.clone().into());
    values.insert("schema".into(), source.schema.clone().into());
    values.insert("database".into(), database.into());
    values.insert(
        "tags".into(),
        settings
            .get("tags")
            .cloned()
            .unwrap_or_else(|| Value::Array(Vec::new())),
    );
    values.extend(
        settings
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    let formatter = settings
        .get("formatter")
        .and_then(Value::as_str)
        .unwrap_or("newstyle");
    let filled = match formatter {
        "newstyle" => fusion_frontend::python_format::format_map(template, &values)?,
        "oldstyle" => fusion_frontend::python_format::percent_format(template, &values)?,
        "template" => fusion_frontend::python_format::template_substitute(template, &values)?,
        other => {
            return Err(format!(
                "names formatter `{other}`: it must be one of newstyle, oldstyle, template"
            ))
        }
    };
    Ok(Some(if filled.contains('(') || filled.starts_with('\'') {
        filled
    } else {
        format!("'{filled}'")
    }))
}

#[cfg(test)]
mod tests {
    use super::duckdb_database_name;

    #[test]
    fn duckdb_database_is_the_file_stem() {
        assert_eq!(duckdb_database_name("/tmp/shop.duckdb"), "shop");
        assert_eq!(duckdb_database_name(":memory:"), "memory");
        assert_eq!(duckdb_database_name("dev.db"), "dev");
    }
}
