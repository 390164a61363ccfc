//! `target/catalog.json` in dbt's layout, produced from the inferred output
//! schemas instead of by querying the warehouse: every model, seed and
//! snapshot under `nodes`, every source under `sources`, each with its
//! columns (name, type in the dialect's spelling, 1-based index).
//!
//! Nodes that do not exist in the warehouse (ephemeral models, tests,
//! analyses) are left out, as dbt leaves them out.

use fusion_frontend::Project;
use fusion_ir::graph::NodeKind;
use fusion_ir::schema::RelationSchema;
use fusion_ir::semantics::DialectSemantics;
use serde_json::{json, Map, Value};
use std::path::Path;

/// The run's stamp, shared with the other artifacts of the same run.
pub struct CatalogRun<'a> {
    pub dbt_version: &'a str,
    pub generated_at: &'a str,
    pub invocation_id: &'a str,
}

/// dbt's catalog for `project`. `schemas[i]` is the inferred output schema
/// of node `i` (parallel to `project.nodes`); a missing or unknown schema
/// gives the node an empty column list.
pub fn catalog_json(
    project: &Project,
    schemas: &[RelationSchema],
    semantics: &dyn DialectSemantics,
    run: &CatalogRun<'_>,
) -> Value {
    let mut nodes = Map::new();
    let mut sources = Map::new();
    for (index, details) in project.nodes.iter().enumerate() {
        let relation_type = match details.kind {
            NodeKind::Model => match details.config.materialized() {
                "ephemeral" => continue,
                "view" => "VIEW",
                "materialized_view" => "MATERIALIZED VIEW",
                _ => "BASE TABLE",
            },
            NodeKind::Seed | NodeKind::Snapshot | NodeKind::Source => "BASE TABLE",
            _ => continue,
        };
        let mut columns = Map::new();
        if let Some(RelationSchema::Known(schema)) = schemas.get(index) {
            for (position, column) in schema.columns.iter().enumerate() {
                let name = column.name.as_str();
                // A repeated output name keeps its first position, as a
                // warehouse table cannot hold two columns of one name.
                if columns.contains_key(name) {
                    continue;
                }
                columns.insert(
                    name.to_owned(),
                    json!({
                        "type": semantics.type_name(&column.ty),
                        "index": position + 1,
                        "name": name,
                        "comment": Value::Null,
                    }),
                );
            }
        }
        let entry = json!({
            "metadata": {
                "type": relation_type,
                "schema": details.schema,
                "name": details.alias,
                "database": details.database,
                "comment": Value::Null,
                "owner": Value::Null,
            },
            "columns": columns,
            "stats": {
                "has_stats": {
                    "id": "has_stats",
                    "label": "Has Stats?",
                    "value": false,
                    "include": false,
                    "description": "Indicates whether there are statistics for this table",
                },
            },
            "unique_id": details.unique_id,
        });
        if details.kind == NodeKind::Source {
            sources.insert(details.unique_id.clone(), entry);
        } else {
            nodes.insert(details.unique_id.clone(), entry);
        }
    }
    json!({
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json",
            "dbt_version": run.dbt_version,
            "generated_at": run.generated_at,
            "invocation_id": run.invocation_id,
            "env": {},
        },
        "nodes": nodes,
        "sources": sources,
        "errors": Value::Null,
    })
}

/// Writes [`catalog_json`] to `path` (normally `target/catalog.json`).
pub fn write_catalog(
    path: &Path,
    project: &Project,
    schemas: &[RelationSchema],
    semantics: &dyn DialectSemantics,
    run: &CatalogRun<'_>,
) -> std::io::Result<()> {
    let catalog = catalog_json(project, schemas, semantics, run);
    let text = serde_json::to_string(&catalog).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}
