//! Exposures, semantic models, metrics, saved queries and groups as dbt
//! writes them, in its manifest and in the `graph` templates read: the
//! fields every resource has, then the kind's own fields as written in
//! YAML, with the defaults dbt fills in.

use crate::project::DeclaredResource;
use crate::schema_yaml::DeclaredKind;
use serde_json::{Map, Value};

/// A resource that never runs as dbt writes it: the fields every resource
/// has, then the kind's own fields as written in YAML.
impl DeclaredResource {
    /// The resource as dbt's manifest and `graph` give it; `node_relation` is
    /// a semantic model's relation (written when given).
    pub fn dbt_json(&self, node_relation: Option<Value>) -> Value {
        let resource = self;
        let mut entry = Map::new();
        entry.insert("name".into(), resource.name.clone().into());
        entry.insert("resource_type".into(), resource.kind.resource_type().into());
        entry.insert("package_name".into(), resource.package_name.clone().into());
        entry.insert("path".into(), resource.path.clone().into());
        entry.insert(
            "original_file_path".into(),
            resource.original_file_path.clone().into(),
        );
        entry.insert("unique_id".into(), resource.unique_id.clone().into());
        if resource.kind != DeclaredKind::Group {
            entry.insert("fqn".into(), resource.fqn.clone().into());
        }
        // dbt writes an exposure's and a metric's missing description as "".
        let no_description = match resource.kind {
            DeclaredKind::Exposure | DeclaredKind::Metric => Value::from(""),
            _ => Value::Null,
        };
        entry.insert(
            "description".into(),
            resource
                .entry
                .get("description")
                .cloned()
                .unwrap_or(no_description),
        );
        if resource.kind != DeclaredKind::Group {
            entry.insert(
                "label".into(),
                resource.entry.get("label").cloned().unwrap_or(Value::Null),
            );
        }
        // The kind's own fields, as written (`type`, `owner`, `measures`...).
        for (key, value) in &resource.entry {
            if !matches!(
                key.as_str(),
                "name" | "config" | "depends_on" | "tags" | "meta" | "enabled"
            ) && !entry.contains_key(key)
            {
                entry.insert(key.clone(), value.clone());
            }
        }
        if resource.kind == DeclaredKind::Group {
            if let Some(Value::Object(owner)) = entry.get_mut("owner") {
                for key in ["email", "name"] {
                    owner.entry(key).or_insert(Value::Null);
                }
            }
            entry.insert("config".into(), Value::Object(resource.config.clone()));
            return Value::Object(entry);
        }
        // The optional fields dbt writes as null (or empty) when not given.
        let defaults: &[(&str, Value)] = match resource.kind {
            DeclaredKind::Exposure => &[("maturity", Value::Null), ("url", Value::Null)],
            DeclaredKind::Metric => &[
                ("filter", Value::Null),
                ("metadata", Value::Null),
                ("time_granularity", Value::Null),
            ],
            DeclaredKind::SemanticModel => &[
                ("metadata", Value::Null),
                ("primary_entity", Value::Null),
                ("defaults", Value::Null),
                ("entities", Value::Array(Vec::new())),
                ("measures", Value::Array(Vec::new())),
                ("dimensions", Value::Array(Vec::new())),
            ],
            DeclaredKind::SavedQuery => &[("metadata", Value::Null)],
            DeclaredKind::Group => &[],
        };
        for (key, value) in defaults {
            if !entry.contains_key(*key) {
                entry.insert((*key).to_string(), value.clone());
            }
        }
        match resource.kind {
            DeclaredKind::Exposure => {
                if let Some(Value::Object(owner)) = entry.get_mut("owner") {
                    for key in ["email", "name"] {
                        owner.entry(key).or_insert(Value::Null);
                    }
                }
            }
            DeclaredKind::SavedQuery => {
                entry
                    .entry("exports")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Some(Value::Object(params)) = entry.get_mut("query_params") {
                    params.entry("where").or_insert(Value::Null);
                    params
                        .entry("order_by")
                        .or_insert_with(|| Value::Array(Vec::new()));
                    params.entry("limit").or_insert(Value::Null);
                }
            }
            DeclaredKind::SemanticModel => {
                // Each part's meta is the semantic model's, its own over it.
                let model_meta = match resource.config.get("meta") {
                    Some(Value::Object(meta)) => meta.clone(),
                    _ => Map::new(),
                };
                for (key, defaults) in SEMANTIC_MODEL_PART_DEFAULTS {
                    if let Some(Value::Array(parts)) = entry.get_mut(*key) {
                        for part in parts.iter_mut().filter_map(Value::as_object_mut) {
                            let mut meta = model_meta.clone();
                            if let Some(Value::Object(config)) = part.get("config") {
                                if let Some(Value::Object(own)) = config.get("meta") {
                                    meta.extend(own.clone());
                                }
                            }
                            if let Some(Value::Object(own)) = part.get("meta") {
                                meta.extend(own.clone());
                            }
                            let mut config = match part.remove("config") {
                                Some(Value::Object(config)) => config,
                                _ => Map::new(),
                            };
                            config.insert("meta".into(), Value::Object(meta));
                            part.insert("config".into(), Value::Object(config));
                            for (field, default) in *defaults {
                                let value = part.entry(*field).or_insert_with(default);
                                // dbt writes a measure's `expr: 1` as text.
                                if *field == "expr" && (value.is_number() || value.is_boolean()) {
                                    *value = Value::String(value.to_string());
                                }
                            }
                            if let Some(Value::Object(type_params)) = part.get_mut("type_params") {
                                type_params.entry("validity_params").or_insert(Value::Null);
                            }
                        }
                    }
                }
                if let Some(node_relation) = node_relation {
                    entry.insert("node_relation".into(), node_relation);
                }
            }
            DeclaredKind::Metric | DeclaredKind::Group => {}
        }
        // dbt writes a semantic model's meta in its config only, and no tags.
        if resource.kind != DeclaredKind::SemanticModel {
            if resource.kind != DeclaredKind::SavedQuery {
                entry.insert(
                    "meta".into(),
                    resource
                        .config
                        .get("meta")
                        .cloned()
                        .unwrap_or_else(|| Value::Object(Map::new())),
                );
            }
            entry.insert("tags".into(), resource.tags().into());
        }
        if let Some(group) = resource.config.get("group") {
            entry.insert("group".into(), group.clone());
        }
        entry.insert("config".into(), Value::Object(resource.config.clone()));
        entry.insert(
            "unrendered_config".into(),
            Value::Object(resource.unrendered_config.clone()),
        );
        entry.insert(
            "depends_on".into(),
            serde_json::json!({"macros": [], "nodes": resource.depends_on}),
        );
        entry.insert(
            "refs".into(),
            resource
                .refs
                .iter()
                .map(|call| {
                    serde_json::json!({
                        "name": call.name,
                        "package": call.package,
                        "version": call.version.as_deref().map(version_value),
                    })
                })
                .collect(),
        );
        if matches!(resource.kind, DeclaredKind::Exposure | DeclaredKind::Metric) {
            entry.insert(
                "sources".into(),
                resource
                    .sources
                    .iter()
                    .map(|call| serde_json::json!([call.source_name, call.table_name]))
                    .collect(),
            );
        }
        match resource.kind {
            // An exposure's `metric()` calls.
            DeclaredKind::Exposure => {
                entry.insert(
                    "metrics".into(),
                    resource
                        .metrics
                        .iter()
                        .map(|parts| serde_json::json!(parts))
                        .collect(),
                );
            }
            // A metric's inputs are in its `type_params`; dbt writes none here.
            DeclaredKind::Metric => {
                entry.insert("metrics".into(), Value::Array(Vec::new()));
            }
            _ => {}
        }
        Value::Object(entry)
    }
}

/// A default of a field of a semantic model's entity, measure or dimension.
type PartDefault = (&'static str, fn() -> Value);

/// The fields dbt fills in a semantic model's entities, measures and
/// dimensions when they are not written, in its order.
const SEMANTIC_MODEL_PART_DEFAULTS: &[(&str, &[PartDefault])] = &[
    (
        "entities",
        &[
            ("description", || Value::Null),
            ("label", || Value::Null),
            ("role", || Value::Null),
            ("expr", || Value::Null),
            ("config", || serde_json::json!({"meta": {}})),
        ],
    ),
    (
        "measures",
        &[
            ("description", || Value::Null),
            ("label", || Value::Null),
            ("create_metric", || Value::Bool(false)),
            ("expr", || Value::Null),
            ("agg_params", || Value::Null),
            ("non_additive_dimension", || Value::Null),
            ("agg_time_dimension", || Value::Null),
            ("config", || serde_json::json!({"meta": {}})),
        ],
    ),
    (
        "dimensions",
        &[
            ("description", || Value::Null),
            ("label", || Value::Null),
            ("is_partition", || Value::Bool(false)),
            ("type_params", || Value::Null),
            ("expr", || Value::Null),
            ("metadata", || Value::Null),
            ("config", || serde_json::json!({"meta": {}})),
        ],
    ),
];

/// A model version as dbt writes it: a number when it is one.
pub fn version_value(version: &str) -> Value {
    match version.parse::<i64>() {
        Ok(number) => Value::from(number),
        Err(_) => match version.parse::<f64>() {
            Ok(number) => Value::from(number),
            Err(_) => Value::from(version),
        },
    }
}
