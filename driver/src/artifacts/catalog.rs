//! `target/catalog.json` in dbt's layout, produced from the inferred output
//! schemas instead of by querying the warehouse: every model, seed and
//! snapshot under `nodes`, every source under `sources`, each with its
//! columns (name, type in the dialect's spelling, 1-based index).
//!
//! Nodes that do not exist in the warehouse (ephemeral models, tests,
//! analyses) are left out, as dbt leaves them out. Like the manifest, the
//! catalog is serialised straight from the project, never built as a JSON
//! value tree: a large project has hundreds of thousands of columns.

use fusion_frontend::config::Materialization;
use fusion_frontend::{NodeDetails, Project};
use fusion_ir::graph::NodeKind;
use fusion_ir::schema::RelationSchema;
use fusion_ir::semantics::DialectSemantics;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::path::Path;

/// The run's stamp, shared with the other artifacts of the same run.
pub(crate) struct CatalogRun<'a> {
    pub dbt_version: &'a str,
    pub generated_at: &'a str,
    pub invocation_id: &'a str,
}

/// Writes dbt's catalog for `project` to `path` (normally
/// `target/catalog.json`). `schemas[i]` is the inferred output schema of
/// node `i` (parallel to `project.nodes`); a missing or unknown schema gives
/// the node an empty column list.
pub(crate) fn write_catalog(
    path: &Path,
    project: &Project,
    schemas: &[RelationSchema],
    semantics: &dyn DialectSemantics,
    run: &CatalogRun<'_>,
) -> std::io::Result<()> {
    let catalog = Catalog {
        metadata: Metadata {
            dbt_schema_version: "https://schemas.getdbt.com/dbt/catalog/v1.json",
            dbt_version: run.dbt_version,
            generated_at: run.generated_at,
            invocation_id: run.invocation_id,
            env: Empty {},
        },
        nodes: Entries {
            project,
            schemas,
            semantics,
            sources: false,
        },
        sources: Entries {
            project,
            schemas,
            semantics,
            sources: true,
        },
        errors: None,
    };
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    serde_json::to_writer(&mut writer, &catalog).map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut writer)
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Catalog<'a> {
    metadata: Metadata<'a>,
    nodes: Entries<'a>,
    sources: Entries<'a>,
    errors: Option<&'static str>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    dbt_schema_version: &'static str,
    dbt_version: &'a str,
    generated_at: &'a str,
    invocation_id: &'a str,
    env: Empty,
}

/// The relation type dbt's catalog gives a node, or `None` for nodes that
/// are not relations in the warehouse.
pub(crate) fn relation_type(details: &NodeDetails) -> Option<&'static str> {
    match details.kind {
        NodeKind::Model => match details.config.materialization() {
            Materialization::Ephemeral => None,
            Materialization::View => Some("VIEW"),
            Materialization::MaterializedView => Some("MATERIALIZED VIEW"),
            _ => Some("BASE TABLE"),
        },
        NodeKind::Seed | NodeKind::Snapshot | NodeKind::Source => Some("BASE TABLE"),
        NodeKind::Test | NodeKind::Analysis | NodeKind::UnitTest => None,
    }
}

/// The `nodes` (or, with `sources`, the `sources`) mapping.
struct Entries<'a> {
    project: &'a Project,
    schemas: &'a [RelationSchema],
    semantics: &'a dyn DialectSemantics,
    sources: bool,
}

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (index, details) in self.project.nodes.iter().enumerate() {
            if (details.kind == NodeKind::Source) != self.sources {
                continue;
            }
            let Some(relation_type) = relation_type(details) else {
                continue;
            };
            let entry = Entry {
                metadata: EntryMetadata {
                    r#type: relation_type,
                    schema: details.schema.as_deref(),
                    name: &details.alias,
                    database: details.database.as_deref(),
                    comment: None,
                    owner: None,
                },
                columns: Columns {
                    schema: self.schemas.get(index),
                    semantics: self.semantics,
                },
                stats: Stats {
                    has_stats: HasStats {
                        id: "has_stats",
                        label: "Has Stats?",
                        value: false,
                        include: false,
                        description: "Indicates whether there are statistics for this table",
                    },
                },
                unique_id: &details.unique_id,
            };
            map.serialize_entry(&details.unique_id, &entry)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Entry<'a> {
    metadata: EntryMetadata<'a>,
    columns: Columns<'a>,
    stats: Stats,
    unique_id: &'a str,
}

#[derive(Serialize)]
struct EntryMetadata<'a> {
    r#type: &'static str,
    schema: Option<&'a str>,
    name: &'a str,
    database: Option<&'a str>,
    comment: Option<&'static str>,
    owner: Option<&'static str>,
}

#[derive(Serialize)]
struct Stats {
    has_stats: HasStats,
}

#[derive(Serialize)]
struct HasStats {
    id: &'static str,
    label: &'static str,
    value: bool,
    include: bool,
    description: &'static str,
}

/// A relation's columns, by name, in order.
struct Columns<'a> {
    schema: Option<&'a RelationSchema>,
    semantics: &'a dyn DialectSemantics,
}

#[derive(Serialize)]
struct ColumnEntry<'a> {
    r#type: String,
    index: usize,
    name: &'a str,
    comment: Option<&'static str>,
}

impl Serialize for Columns<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(RelationSchema::Known(schema)) = self.schema {
            let mut written: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
            for (position, column) in schema.columns.iter().enumerate() {
                let name = column.name.as_str();
                // A repeated output name keeps its first position, as a
                // warehouse table cannot hold two columns of one name.
                if !written.insert(name) {
                    continue;
                }
                let entry = ColumnEntry {
                    r#type: self.semantics.type_name(&column.ty),
                    index: position + 1,
                    name,
                    comment: None,
                };
                map.serialize_entry(name, &entry)?;
            }
        }
        map.end()
    }
}

/// A relation's identity in a catalog read from the warehouse: database,
/// schema and name, lowercase, as dbt matches catalog rows to nodes.
pub(crate) type CatalogKey = (String, String, String);

/// The relations of a catalog query's answer (see
/// [`crate::adapter::SqlFlavor::catalog_query`]), in the order of its rows,
/// each with its entry as dbt's catalog writes it, less `unique_id`.
pub(crate) fn relations_of_catalog_rows(
    table: &fusion_frontend::runtime::QueryTable,
) -> Vec<(CatalogKey, serde_json::Map<String, serde_json::Value>)> {
    use serde_json::{json, Value};
    let position = |name: &str| table.column_names.iter().position(|column| column == name);
    let columns = [
        "table_database",
        "table_schema",
        "table_name",
        "table_type",
        "table_comment",
        "column_name",
        "column_index",
        "column_type",
        "column_comment",
        "table_owner",
    ]
    .map(position);
    let text = |row: &[Value], which: usize| -> Value {
        match columns[which].and_then(|index| row.get(index)) {
            Some(Value::Null) | None => Value::Null,
            Some(Value::String(text)) => Value::String(text.clone()),
            Some(other) => Value::String(other.to_string()),
        }
    };
    let mut relations: Vec<(CatalogKey, serde_json::Map<String, Value>)> = Vec::new();
    for row in &table.rows {
        let name_of = |which: usize| text(row, which).as_str().unwrap_or_default().to_string();
        let key = (
            name_of(0).to_lowercase(),
            name_of(1).to_lowercase(),
            name_of(2).to_lowercase(),
        );
        if relations.last().is_none_or(|(last, _)| *last != key) {
            let entry = json!({
                "metadata": {
                    "type": text(row, 3),
                    "schema": text(row, 1),
                    "name": text(row, 2),
                    "database": text(row, 0),
                    "comment": text(row, 4),
                    "owner": text(row, 9),
                },
                "columns": {},
                "stats": {"has_stats": {
                    "id": "has_stats",
                    "label": "Has Stats?",
                    "value": false,
                    "include": false,
                    "description": "Indicates whether there are statistics for this table",
                }},
            });
            let Value::Object(entry) = entry else {
                continue;
            };
            relations.push((key, entry));
        }
        let Some((_, entry)) = relations.last_mut() else {
            continue;
        };
        let index = match columns[6].and_then(|index| row.get(index)) {
            Some(Value::Number(number)) => number.as_u64().unwrap_or_default(),
            Some(Value::String(text)) => text.parse().unwrap_or_default(),
            _ => 0,
        };
        let column_name = name_of(5);
        if let Some(Value::Object(columns_of_entry)) = entry.get_mut("columns") {
            columns_of_entry.insert(
                column_name.clone(),
                json!({
                    "type": text(row, 7),
                    "index": index,
                    "name": column_name,
                    "comment": text(row, 8),
                }),
            );
        }
    }
    relations
}

/// Writes a catalog read from the warehouse (`docs generate`): the entries
/// of `nodes` and `sources` by unique id, and the errors of the queries
/// that failed (`null` when none did).
pub(crate) fn write_warehouse_catalog(
    path: &Path,
    run: &CatalogRun<'_>,
    invocation_started_at: &str,
    nodes: serde_json::Map<String, serde_json::Value>,
    sources: serde_json::Map<String, serde_json::Value>,
    errors: Option<Vec<String>>,
) -> std::io::Result<()> {
    let catalog = serde_json::json!({
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json",
            "dbt_version": run.dbt_version,
            "generated_at": run.generated_at,
            "invocation_id": run.invocation_id,
            "invocation_started_at": invocation_started_at,
            "env": {},
        },
        "nodes": nodes,
        "sources": sources,
        "errors": errors,
    });
    let mut writer = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer(&mut writer, &catalog).map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut writer)
}
