//! Phase: dbt's `graph` context variable (the flat graph), built once the
//! relations are named and before the compile phase renders with it.

use super::templates::TemplateNode;
use super::LoadContext;
use crate::config::NodeConfig;
use crate::package_scope::ByPackage;
use crate::project::{DeclaredResource, NodeDetails};
use crate::relation::RelationParts;
use crate::schema_yaml::DeclaredKind;
use crate::schema_yaml::{ColumnInfo, NodePatch, SourceDecl};
use fusion_ir::graph::NodeKind;
use serde_json::{json, Map, Value};

/// What the flat graph is made of.
pub(super) struct GraphParts<'a> {
    pub(super) template_nodes: &'a [TemplateNode],
    pub(super) configs: &'a [NodeConfig],
    pub(super) relations: &'a [Option<RelationParts>],
    pub(super) seeds: &'a [NodeDetails],
    pub(super) source_decls: &'a [SourceDecl],
    pub(super) model_patches: &'a ByPackage<NodePatch>,
    /// Exposures, metrics, semantic models, saved queries and groups.
    pub(super) declared: &'a [DeclaredResource],
}

/// `graph` as dbt's `flat_graph` gives it: `nodes` (models, seeds,
/// snapshots, analyses, singular tests) and `sources`, each by unique id,
/// with the fields macros read (name, resource_type, package_name,
/// database, schema, alias, config, tags, fqn, paths, description, columns).
pub(super) fn flat_graph(context: &LoadContext, parts: &GraphParts) -> minijinja::Value {
    let mut nodes = Map::new();
    for ((node, config), relation) in parts
        .template_nodes
        .iter()
        .zip(parts.configs)
        .zip(parts.relations)
    {
        if !config.enabled() {
            continue;
        }
        let unit = &context.units[node.unit];
        let unique_id = node.unique_id(&unit.name);
        let patch = parts
            .model_patches
            .get_in(&unit.name, &node.name)
            .filter(|_| node.kind == NodeKind::Model);
        let relation = relation.as_ref();
        nodes.insert(
            unique_id.clone(),
            json!({
                "unique_id": unique_id,
                "name": node.dbt_name(),
                "resource_type": node.kind.resource_type(),
                "package_name": unit.name,
                "database": relation.and_then(|relation| relation.database.clone()),
                "schema": relation.and_then(|relation| relation.schema.clone()),
                "alias": relation.map_or(node.name.as_str(), |relation| relation.identifier.as_str()),
                "config": Value::Object(config.values.clone()),
                "tags": config.values.get("tags").cloned().unwrap_or(json!([])),
                "fqn": node.fqn,
                "original_file_path": unit.own_path(&node.original_file_path),
                "path": node.path,
                "raw_code": &*node.raw,
                "language": "sql",
                "meta": config.values.get("meta").cloned().unwrap_or(json!({})),
                "description": patch.map_or("", |patch| patch.description.as_str()),
                "columns": columns_value(patch.map_or(&[][..], |patch| &patch.columns)),
                "version": node.version.as_ref().map(|version| crate::declared::version_value(&version.version)),
                "latest_version": node.version.as_ref().map(|version| crate::declared::version_value(&version.latest)),
            }),
        );
    }
    for seed in parts.seeds {
        nodes.insert(
            seed.unique_id.clone(),
            json!({
                "unique_id": seed.unique_id,
                "name": seed.name,
                "resource_type": "seed",
                "package_name": seed.package_name,
                "database": seed.database,
                "schema": seed.schema,
                "alias": seed.alias,
                "config": Value::Object(seed.config.values.clone()),
                "tags": seed.config.values.get("tags").cloned().unwrap_or(json!([])),
                "fqn": seed.fqn,
                "original_file_path": seed.original_file_path,
                "path": seed.path,
                "description": seed.description,
                "columns": columns_value(&seed.columns),
            }),
        );
    }
    let mut sources = Map::new();
    for source in parts.source_decls {
        for table in &source.tables {
            let unique_id = format!("source.{}.{}.{}", source.package, source.name, table.name);
            sources.insert(
                unique_id.clone(),
                json!({
                    "unique_id": unique_id,
                    "name": table.name,
                    "source_name": source.name,
                    "resource_type": "source",
                    "package_name": source.package,
                    "database": source.database.clone().unwrap_or_else(|| context.target.database.clone()),
                    "schema": source.schema,
                    "identifier": table.identifier,
                    "config": Value::Object(table.config.clone()),
                    "fqn": [source.package.as_str(), source.name.as_str(), table.name.as_str()],
                    "original_file_path": source.yaml_path,
                    "description": table.description,
                    "columns": columns_value(&table.columns),
                }),
            );
        }
    }
    let declared_of = |kind: DeclaredKind| -> Map<String, Value> {
        parts
            .declared
            .iter()
            .filter(|resource| resource.kind == kind)
            .map(|resource| (resource.unique_id.clone(), resource.dbt_json(None)))
            .collect()
    };
    crate::jinja::to_value(json!({
        "nodes": nodes,
        "sources": sources,
        "exposures": declared_of(DeclaredKind::Exposure),
        "metrics": declared_of(DeclaredKind::Metric),
        "groups": declared_of(DeclaredKind::Group),
        "semantic_models": declared_of(DeclaredKind::SemanticModel),
        "saved_queries": declared_of(DeclaredKind::SavedQuery),
    }))
}

/// A node's columns as the graph gives them: by name.
fn columns_value(columns: &[ColumnInfo]) -> Value {
    let mut by_name = Map::new();
    for column in columns {
        by_name.insert(
            column.name.clone(),
            json!({
                "name": column.name,
                "description": column.description,
                "data_type": column.data_type,
                "meta": Value::Object(column.meta.clone()),
            }),
        );
    }
    Value::Object(by_name)
}
