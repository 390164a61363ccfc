//! `target/manifest.json` in dbt's v12 layout, for the fields fusionc fills.
//!
//! Tools that read dbt artifacts (docs sites, lineage tools, CI checks) key
//! on this layout, so field names and shapes follow dbt's; values fusionc
//! does not know yet are written as dbt writes their defaults.

use fusion_frontend::{NodeDetails, Project};
use fusion_ir::graph::{NodeId, NodeKind};
use serde_json::{json, Map, Value};

/// Inputs the manifest needs besides the project.
pub struct ManifestInputs<'a> {
    pub project: &'a Project,
    /// Per node: the compiled SQL, when the node was compiled in this run.
    pub compiled_sql: &'a [Option<String>],
    pub generated_at: String,
    pub invocation_id: String,
}

pub fn manifest_json(inputs: &ManifestInputs<'_>) -> Value {
    let project = inputs.project;
    let mut nodes = Map::new();
    let mut sources = Map::new();
    let mut parent_map = Map::new();
    let mut child_map = Map::new();
    for (index, details) in project.nodes.iter().enumerate() {
        let id = NodeId(index as u32);
        let parents = sorted_ids(project, project.graph.parents(id));
        let children = sorted_ids(project, project.graph.children(id));
        if details.kind == NodeKind::Source {
            sources.insert(details.unique_id.clone(), source_json(project, details));
        } else {
            let compiled = inputs.compiled_sql.get(index).and_then(Option::as_ref);
            nodes.insert(
                details.unique_id.clone(),
                node_json(project, details, &parents, compiled.map(String::as_str)),
            );
        }
        parent_map.insert(details.unique_id.clone(), json!(parents));
        child_map.insert(details.unique_id.clone(), json!(children));
    }
    let macros: Map<String, Value> = project
        .macros
        .iter()
        .map(|info| {
            (
                info.unique_id.clone(),
                json!({
                    "name": info.name,
                    "resource_type": "macro",
                    "package_name": info.package_name,
                    "path": info.path,
                    "original_file_path": info.original_file_path,
                    "unique_id": info.unique_id,
                    "macro_sql": info.macro_sql,
                    "depends_on": {"macros": []},
                    "description": "",
                    "meta": {},
                    "docs": {"show": true, "node_color": null},
                    "patch_path": null,
                    "arguments": info.arguments.iter().map(|name| json!({"name": name, "type": null, "description": ""})).collect::<Vec<_>>(),
                    "created_at": 0.0,
                    "supported_languages": null,
                }),
            )
        })
        .collect();
    json!({
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
            "dbt_version": concat!("fusionc-", env!("CARGO_PKG_VERSION")),
            "generated_at": inputs.generated_at,
            "invocation_id": inputs.invocation_id,
            "env": {},
            "project_name": project.name,
            "project_id": null,
            "user_id": null,
            "send_anonymous_usage_stats": false,
            "adapter_type": project.target.adapter_type,
        },
        "nodes": nodes,
        "sources": sources,
        "macros": macros,
        "docs": {},
        "exposures": {},
        "metrics": {},
        "groups": {},
        "selectors": {},
        "disabled": {},
        "parent_map": parent_map,
        "child_map": child_map,
        "group_map": {},
        "saved_queries": {},
        "semantic_models": {},
        "unit_tests": {},
        "functions": {},
    })
}

fn sorted_ids(project: &Project, ids: Vec<NodeId>) -> Vec<String> {
    let mut unique_ids: Vec<String> = ids
        .into_iter()
        .map(|id| project.details(id).unique_id.clone())
        .collect();
    unique_ids.sort();
    unique_ids.dedup();
    unique_ids
}

/// `"database"."schema"."identifier"`, as dbt-duckdb quotes relations.
pub fn relation_name(details: &NodeDetails) -> Option<String> {
    let identifier = match &details.source {
        Some(source) => &source.identifier,
        None => &details.alias,
    };
    let mut parts = Vec::new();
    if let Some(database) = &details.database {
        parts.push(format!("\"{database}\""));
    }
    if let Some(schema) = &details.schema {
        parts.push(format!("\"{schema}\""));
    }
    parts.push(format!("\"{identifier}\""));
    Some(parts.join("."))
}

fn columns_json(details: &NodeDetails) -> Map<String, Value> {
    details
        .columns
        .iter()
        .map(|column| {
            (
                column.name.clone(),
                json!({
                    "name": column.name,
                    "description": column.description,
                    "meta": column.meta,
                    "data_type": column.data_type,
                    "constraints": column.constraints,
                    "quote": null,
                    "tags": [],
                    "granularity": null,
                    "doc_blocks": [],
                }),
            )
        })
        .collect()
}

fn node_json(
    project: &Project,
    details: &NodeDetails,
    parents: &[String],
    compiled_sql: Option<&str>,
) -> Value {
    let config = Value::Object(details.config.values.clone());
    let compiled_path = compiled_sql.map(|_| {
        format!(
            "{}/{}",
            project.settings.target_path,
            crate::compiled::compiled_relative_path(details)
        )
    });
    let mut node = json!({
        "database": details.database,
        "schema": details.schema,
        "name": details.name,
        "resource_type": details.kind.resource_type(),
        "package_name": details.package_name,
        "path": details.path,
        "original_file_path": details.original_file_path,
        "unique_id": details.unique_id,
        "fqn": details.fqn,
        "alias": details.alias,
        "checksum": {"name": "sha256", "checksum": details.checksum},
        "config": config,
        "tags": details.config.tags(),
        "description": details.description,
        "columns": columns_json(details),
        "meta": details.config.get("meta").cloned().unwrap_or_else(|| json!({})),
        "group": null,
        "docs": {"show": true, "node_color": null},
        "patch_path": details.patch_path.as_ref().map(|path| format!("{}://{path}", details.package_name)),
        "build_path": null,
        "unrendered_config": {},
        "created_at": 0.0,
        "relation_name": if matches!(details.kind, NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot)
            && details.config.materialized() != "ephemeral" { relation_name(details) } else { None },
        "raw_code": &*details.raw_code,
        "doc_blocks": [],
        "language": "sql",
        "refs": details.refs.iter().map(|call| json!({"name": call.name, "package": call.package, "version": call.version})).collect::<Vec<_>>(),
        "sources": details.sources.iter().map(|call| json!([call.source_name, call.table_name])).collect::<Vec<_>>(),
        "metrics": [],
        "functions": [],
        "depends_on": {"macros": details.macros_called, "nodes": parents},
        "compiled_path": compiled_path,
        "contract": {"enforced": details.config.contract_enforced(), "alias_types": true, "checksum": null},
        "access": "protected",
        "constraints": [],
        "version": null,
        "latest_version": null,
        "deprecation_date": null,
        "primary_key": [],
        "time_spine": null,
    });
    if let (Some(sql), Some(object)) = (compiled_sql, node.as_object_mut()) {
        object.insert("compiled".into(), json!(true));
        object.insert("compiled_code".into(), json!(sql));
        object.insert("extra_ctes_injected".into(), json!(true));
        object.insert("extra_ctes".into(), json!([]));
    }
    if let (Some(test), Some(object)) = (&details.test, node.as_object_mut()) {
        object.insert("column_name".into(), json!(test.column_name));
        object.insert(
            "attached_node".into(),
            json!(test
                .attached_node
                .map(|id| project.details(id).unique_id.clone())),
        );
        object.insert(
            "test_metadata".into(),
            json!({"name": test.test_name, "kwargs": test.kwargs, "namespace": test.namespace}),
        );
    }
    node
}

fn source_json(project: &Project, details: &NodeDetails) -> Value {
    let source = details.source.clone().unwrap_or_default();
    json!({
        "database": details.database,
        "schema": details.schema,
        "name": details.name,
        "resource_type": "source",
        "package_name": details.package_name,
        "path": details.original_file_path,
        "original_file_path": details.original_file_path,
        "unique_id": details.unique_id,
        "fqn": details.fqn,
        "source_name": source.source_name,
        "source_description": source.source_description,
        "loader": source.loader,
        "identifier": source.identifier,
        "quoting": {"database": null, "schema": null, "identifier": null, "column": null},
        "loaded_at_field": null,
        "loaded_at_query": null,
        "freshness": {"warn_after": {"count": null, "period": null}, "error_after": {"count": null, "period": null}, "filter": null},
        "external": null,
        "description": details.description,
        "columns": columns_json(details),
        "meta": {},
        "source_meta": {},
        "tags": details.config.tags(),
        "config": Value::Object(details.config.values.clone()),
        "patch_path": null,
        "unrendered_config": {},
        "relation_name": relation_name(details),
        "created_at": 0.0,
        "unrendered_database": null,
        "unrendered_schema": null,
        "doc_blocks": [],
        "event_time": null,
        "project": project.name,
    })
}
