//! Phase: the relation each declared source table renders as.

use super::LoadContext;
use crate::render::RelationParts;
use crate::schema_yaml::{SourceDecl, SourceTableDecl};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use rustc_hash::FxHashMap;

/// What `source()` renders for each (source, table): its relation, or for
/// an external source the text that reads it.
pub(super) fn source_relations(
    context: &LoadContext,
    source_decls: &[SourceDecl],
    diagnostics: &mut Vec<Diagnostic>,
) -> FxHashMap<(String, String), RelationParts> {
    let target = &context.target;
    let mut source_relations: FxHashMap<(String, String), RelationParts> = FxHashMap::default();
    for source in source_decls {
        for table in &source.tables {
            if target.adapter_type == "duckdb" {
                match external_source_text(source, table, target) {
                    Ok(None) => {}
                    Ok(Some(text)) => {
                        source_relations.insert(
                            (source.name.clone(), table.name.clone()),
                            RelationParts {
                                database: None,
                                schema: None,
                                identifier: text,
                                ephemeral_cte: true,
                            },
                        );
                        continue;
                    }
                    Err(message) => diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidConfig,
                            format!(
                                "source `{}.{}`: external_location {message}",
                                source.name, table.name
                            ),
                        )
                        .at(source.file, source.name_span),
                    ),
                }
            }
            source_relations.insert(
                (source.name.clone(), table.name.clone()),
                RelationParts {
                    database: Some(
                        source
                            .database
                            .clone()
                            .unwrap_or_else(|| target.database.clone()),
                    ),
                    schema: Some(source.schema.clone()),
                    identifier: table.identifier.clone(),
                    ephemeral_cte: false,
                },
            );
        }
    }
    source_relations
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
    target: &crate::profiles::Target,
) -> Result<Option<String>, String> {
    let settings = &table.adapter_settings;
    let Some(location) = settings.get("external_location") else {
        return Ok(None);
    };
    let Some(template) = location.as_str() else {
        return Err("must be a string".to_string());
    };
    let mut values = serde_json::Map::new();
    values.insert("name".into(), table.name.clone().into());
    values.insert("identifier".into(), table.identifier.clone().into());
    values.insert("schema".into(), source.schema.clone().into());
    values.insert(
        "database".into(),
        source
            .database
            .clone()
            .unwrap_or_else(|| target.database.clone())
            .into(),
    );
    values.insert(
        "tags".into(),
        settings
            .get("tags")
            .cloned()
            .unwrap_or_else(|| serde_json::Value::Array(Vec::new())),
    );
    values.extend(
        settings
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    let formatter = settings
        .get("formatter")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("newstyle");
    let filled = match formatter {
        "newstyle" => crate::python_format::format_map(template, &values)?,
        "oldstyle" => crate::python_format::percent_format(template, &values)?,
        "template" => crate::python_format::template_substitute(template, &values)?,
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
