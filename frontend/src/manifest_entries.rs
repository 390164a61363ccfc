//! dbt's description of each node and source, in the shapes of
//! `manifest.json` (schema v12): what the driver writes in the manifest
//! and what templates read in `graph` (dbt builds its flat graph from the
//! same nodes). Fields fusionc does not know yet hold dbt's defaults.

use crate::project::{DeclaredResource, NodeDetails, Project};
use crate::schema_yaml::{ColumnInfo, DeclaredKind};
use fusion_ir::graph::NodeKind;
use fusion_ir::name::Name;
use fusion_ir::schema::RelationSchema;
use fusion_ir::semantics::DialectSemantics;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// `{}`.
#[derive(Serialize)]
pub struct Empty {}

/// A node's compiled SQL and where its compiled file is written.
pub struct Compiled<'a> {
    pub code: &'a str,
    /// `target/compiled/...`.
    pub path: String,
}

/// The relation of the model a semantic model reads, as dbt writes it.
pub fn declared_node_relation(project: &Project, resource: &DeclaredResource) -> Option<Value> {
    if resource.kind != DeclaredKind::SemanticModel {
        return None;
    }
    let model = resource
        .depends_on
        .first()
        .and_then(|unique_id| project.find_by_unique_id(unique_id))
        .map(|id| project.details(id))?;
    Some(serde_json::json!({
        "alias": model.alias,
        "schema_name": model.schema,
        "database": model.database,
        "relation_name": project.relation_name(model),
    }))
}

#[derive(Serialize)]
pub struct Docs {
    pub show: bool,
    pub node_color: Option<&'static str>,
}

#[derive(Serialize)]
struct Checksum<'a> {
    name: &'static str,
    checksum: &'a str,
}

#[derive(Serialize)]
pub struct ColumnEntry<'a> {
    name: &'a str,
    description: &'a str,
    meta: &'a Map<String, Value>,
    data_type: Option<Cow<'a, str>>,
    constraints: Vec<Value>,
    quote: Option<bool>,
    tags: [&'static str; 0],
    granularity: Option<&'static str>,
    doc_blocks: &'a [String],
}

/// A column constraint as dbt writes it: every field, unset ones null
/// (`to_columns` empty, the two warnings on).
fn constraint_as_dbt(constraint: &Value) -> Value {
    let Some(written) = constraint.as_object() else {
        return constraint.clone();
    };
    let mut shaped = Map::new();
    for (key, default) in [
        ("type", Value::Null),
        ("name", Value::Null),
        ("expression", Value::Null),
        ("warn_unenforced", Value::Bool(true)),
        ("warn_unsupported", Value::Bool(true)),
        ("to", Value::Null),
        ("to_columns", Value::Array(Vec::new())),
    ] {
        shaped.insert(
            key.to_string(),
            written.get(key).cloned().unwrap_or(default),
        );
    }
    for (key, value) in written {
        shaped.entry(key.clone()).or_insert_with(|| value.clone());
    }
    Value::Object(shaped)
}

/// The columns of a node: those its YAML declares, in their order, then
/// those its query outputs that the YAML does not declare. A column's
/// `data_type` is the declared one, else the inferred type in the dialect's
/// spelling.
pub fn node_columns<'a>(
    details: &'a NodeDetails,
    inferred: Option<(&RelationSchema, &dyn DialectSemantics)>,
) -> IndexMap<&'a str, ColumnEntry<'a>> {
    let declared_entry =
        |column: &'a ColumnInfo, inferred_type: Option<Cow<'a, str>>| ColumnEntry {
            name: &column.name,
            description: &column.description,
            meta: &column.meta,
            data_type: column
                .data_type
                .as_deref()
                .map(Cow::Borrowed)
                .or(inferred_type),
            constraints: column.constraints.iter().map(constraint_as_dbt).collect(),
            quote: None,
            tags: [],
            granularity: None,
            doc_blocks: &column.doc_blocks,
        };
    let (inferred_columns, semantics) = match inferred {
        Some((RelationSchema::Known(schema), semantics)) if !schema.columns.is_empty() => {
            (schema.columns.as_slice(), semantics)
        }
        // Only what the YAML declares (dbt's own columns).
        _ => {
            return details
                .columns
                .iter()
                .map(|column| (column.name.as_str(), declared_entry(column, None)))
                .collect()
        }
    };
    static NO_META: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let no_meta = NO_META.get_or_init(Map::new);
    // Each declared name is interned once, not once per comparison.
    let declared_names: Vec<Name> = details
        .columns
        .iter()
        .map(|column| Name::new(&column.name))
        .collect();
    let mut entries: IndexMap<&'a str, ColumnEntry<'a>> = details
        .columns
        .iter()
        .zip(&declared_names)
        .map(|(column, &name)| {
            let inferred_type = inferred_columns
                .iter()
                .find(|inferred| semantics.names_match(inferred.name, name))
                .filter(|inferred| !inferred.ty.is_unknown())
                .map(|inferred| Cow::Owned(semantics.type_name(&inferred.ty)));
            (column.name.as_str(), declared_entry(column, inferred_type))
        })
        .collect();
    for column in inferred_columns {
        let declared = declared_names
            .iter()
            .any(|&declared| semantics.names_match(declared, column.name));
        if declared {
            continue;
        }
        entries.entry(column.name.as_str()).or_insert(ColumnEntry {
            name: column.name.as_str(),
            description: "",
            meta: no_meta,
            data_type: (!column.ty.is_unknown())
                .then(|| Cow::Owned(semantics.type_name(&column.ty))),
            constraints: Vec::new(),
            quote: None,
            tags: [],
            granularity: None,
            doc_blocks: &[],
        });
    }
    entries
}

#[derive(Serialize)]
struct RefEntry<'a> {
    name: &'a str,
    package: Option<&'a str>,
    version: Option<Value>,
}

#[derive(Serialize)]
struct DependsOn<'a> {
    macros: &'a [String],
    /// Seeds depend on macros only.
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<&'a [&'a str]>,
}

/// The fields only models have.
#[derive(Serialize)]
struct ModelFields<'a> {
    access: &'a str,
    constraints: [&'static str; 0],
    version: Option<Value>,
    latest_version: Option<Value>,
    deprecation_date: Option<String>,
    primary_key: [&'static str; 0],
    time_spine: Option<&'a Value>,
}

#[derive(Serialize)]
struct Contract {
    enforced: bool,
    alias_types: bool,
    checksum: Option<&'static str>,
}

#[derive(Serialize)]
struct TestMetadata<'a> {
    name: &'a str,
    kwargs: Map<String, Value>,
    namespace: Option<&'a str>,
}

/// One node of `nodes`. Fields that only some resource types have are
/// skipped when absent, as dbt leaves them out.
#[derive(Serialize)]
pub struct NodeEntry<'a> {
    database: Option<&'a str>,
    schema: Option<&'a str>,
    name: &'a str,
    resource_type: &'static str,
    package_name: &'a str,
    path: Cow<'a, str>,
    original_file_path: &'a str,
    unique_id: &'a str,
    fqn: &'a [String],
    alias: &'a str,
    checksum: Checksum<'a>,
    config: ConfigAsDbt<'a>,
    tags: Vec<String>,
    description: &'a str,
    columns: IndexMap<&'a str, ColumnEntry<'a>>,
    meta: Meta<'a>,
    /// The group the node belongs to (its `group` config).
    group: Option<&'a str>,
    docs: Docs,
    /// `<package>://<path of the YAML file>`, as the loader wrote it.
    patch_path: Option<&'a str>,
    build_path: Option<&'static str>,
    unrendered_config: Empty,
    created_at: f64,
    relation_name: Option<String>,
    raw_code: &'a str,
    doc_blocks: &'a [String],
    // What seeds have that compiled nodes do not, and the reverse: dbt's
    // shape of each resource type (`None`: the type has no such field).
    #[serde(skip_serializing_if = "Option::is_none")]
    root_path: Option<String>,
    depends_on: DependsOn<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refs: Option<Vec<RefEntry<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sources: Option<Vec<[&'a str; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<[&'static str; 0]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    functions: Option<[&'static str; 0]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compiled_path: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compiled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compiled_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_ctes_injected: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_ctes: Option<[&'static str; 0]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contract: Option<Contract>,
    #[serde(flatten)]
    model: Option<ModelFields<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column_name: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attached_node: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_metadata: Option<TestMetadata<'a>>,
}

pub fn node_entry<'a>(
    project: &'a Project,
    details: &'a NodeDetails,
    parents: &'a [&'a str],
    compiled: Option<Compiled<'a>>,
    columns: IndexMap<&'a str, ColumnEntry<'a>>,
) -> NodeEntry<'a> {
    let is_relation = matches!(
        details.kind,
        NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot
    ) && details.config.materialization()
        != crate::config::Materialization::Ephemeral;
    let test = details.test.as_ref();
    // Seeds are not compiled: no code fields, and only macros to depend on.
    let compiles = details.kind != NodeKind::Seed;
    NodeEntry {
        database: details.database.as_deref(),
        schema: details.schema.as_deref(),
        name: &details.name,
        resource_type: details.kind.resource_type(),
        package_name: &details.package_name,
        // dbt writes an analysis's path under `analysis/`.
        path: if details.kind == NodeKind::Analysis {
            Cow::Owned(format!("analysis/{}", details.path))
        } else {
            Cow::Borrowed(&details.path)
        },
        original_file_path: &details.original_file_path,
        unique_id: &details.unique_id,
        fqn: &details.fqn,
        alias: &details.alias,
        // Generic tests have no file of their own: dbt writes `none`.
        checksum: Checksum {
            name: if details.checksum.is_empty() {
                "none"
            } else {
                "sha256"
            },
            checksum: &details.checksum,
        },
        config: ConfigAsDbt(details),
        tags: details.config.tags(),
        description: &details.description,
        columns,
        meta: details
            .config
            .get("meta")
            .map_or(Meta::Empty(Empty {}), Meta::Configured),
        group: details.config.values.get("group").and_then(Value::as_str),
        docs: Docs {
            show: true,
            node_color: None,
        },
        patch_path: details.patch_path.as_deref(),
        build_path: None,
        unrendered_config: Empty {},
        created_at: 0.0,
        relation_name: is_relation.then(|| project.relation_name(details)),
        // dbt reads files stripped of leading and trailing whitespace; a
        // snapshot's code is its block's body, as written.
        raw_code: match &details.raw_code_body {
            Some(body) => details.raw_code.get(body.clone()).unwrap_or_default(),
            None => details.raw_code.trim(),
        },
        doc_blocks: &details.doc_blocks,
        root_path: (!compiles).then(|| {
            project
                .package_root(&details.package_name)
                .display()
                .to_string()
        }),
        language: compiles.then_some("sql"),
        refs: compiles.then(|| {
            details
                .refs
                .iter()
                .map(|call| RefEntry {
                    name: &call.name,
                    package: call.package.as_deref(),
                    version: call.version.as_deref().map(crate::declared::version_value),
                })
                .collect()
        }),
        sources: compiles.then(|| {
            details
                .sources
                .iter()
                .map(|call| [call.source_name.as_str(), call.table_name.as_str()])
                .collect()
        }),
        metrics: compiles.then_some([]),
        functions: compiles.then_some([]),
        depends_on: DependsOn {
            macros: &details.depends_on_macros,
            nodes: compiles.then_some(parents),
        },
        compiled: compiled.as_ref().map(|_| true),
        extra_ctes_injected: compiled.as_ref().map(|_| true),
        extra_ctes: compiled.as_ref().map(|_| []),
        compiled_code: compiled.as_ref().map(|compiled| compiled.code),
        compiled_path: compiles.then(|| compiled.map(|compiled| compiled.path)),
        contract: compiles.then(|| Contract {
            enforced: details.config.contract_enforced(),
            alias_types: true,
            checksum: None,
        }),
        model: (details.kind == NodeKind::Model).then(|| model_fields(details)),
        column_name: test.map(|test| test.column_name.as_deref()),
        // dbt attaches a test to the model (or seed, snapshot) it tests,
        // not to a source.
        attached_node: test.map(|test| {
            test.attached_node
                .map(|id| project.details(id))
                .filter(|attached| attached.kind != NodeKind::Source)
                .map(|attached| attached.unique_id.as_str())
        }),
        test_metadata: test.map(|test| TestMetadata {
            name: &test.test_name,
            kwargs: test_kwargs(project, test),
            namespace: test.namespace.as_deref(),
        }),
    }
}

/// A node's config as dbt writes it: every key dbt's config of its
/// resource type has, in dbt's order, unset ones with dbt's defaults, then
/// the keys only fusionc or the project knows. Hooks are dbt's
/// `{sql, transaction, index}` entries. Serialised straight from the
/// node's config (the manifest of a large project writes tens of
/// thousands of them).
pub struct ConfigAsDbt<'a>(&'a NodeDetails);

/// dbt's config keys of a resource type with their defaults, in order
/// (`None`: the key is written by [`ConfigAsDbt`] itself).
fn config_defaults(kind: NodeKind) -> &'static [(&'static str, Option<Value>)] {
    use serde_json::json;
    use std::sync::OnceLock;
    static TEST: OnceLock<Vec<(&'static str, Option<Value>)>> = OnceLock::new();
    static MODEL: OnceLock<Vec<(&'static str, Option<Value>)>> = OnceLock::new();
    static SEED: OnceLock<Vec<(&'static str, Option<Value>)>> = OnceLock::new();
    static OTHER: OnceLock<Vec<(&'static str, Option<Value>)>> = OnceLock::new();
    let common = |schema: Value, materialized: &str| {
        vec![
            ("enabled", Some(json!(true))),
            ("alias", Some(Value::Null)),
            ("schema", Some(schema)),
            ("database", Some(Value::Null)),
            ("tags", None),
            ("meta", Some(json!({}))),
            ("group", Some(Value::Null)),
            ("static_analysis", Some(Value::Null)),
            ("materialized", Some(json!(materialized))),
        ]
    };
    let compiled = |materialized: &str, extra: &[(&'static str, Value)]| {
        let mut keys = common(Value::Null, materialized);
        keys.extend([
            ("incremental_strategy", Some(Value::Null)),
            ("batch_size", Some(Value::Null)),
            ("lookback", Some(json!(1))),
            ("begin", Some(Value::Null)),
            ("persist_docs", Some(json!({}))),
            ("post-hook", None),
            ("pre-hook", None),
            ("quoting", Some(json!({}))),
            ("column_types", Some(json!({}))),
            ("full_refresh", Some(Value::Null)),
            ("unique_key", Some(Value::Null)),
            ("on_schema_change", Some(json!("ignore"))),
            ("on_configuration_change", Some(json!("apply"))),
            ("grants", Some(json!({}))),
            ("packages", Some(json!([]))),
            ("docs", Some(json!({"show": true, "node_color": null}))),
            (
                "contract",
                Some(json!({"enforced": false, "alias_types": true})),
            ),
            ("event_time", Some(Value::Null)),
            ("concurrent_batches", Some(Value::Null)),
        ]);
        keys.extend(extra.iter().map(|(key, value)| (*key, Some(value.clone()))));
        keys
    };
    match kind {
        NodeKind::Test => TEST.get_or_init(|| {
            let mut keys = common(json!("dbt_test__audit"), "test");
            keys.extend([
                ("severity", Some(json!("ERROR"))),
                ("store_failures", Some(Value::Null)),
                ("store_failures_as", Some(Value::Null)),
                ("where", Some(Value::Null)),
                ("limit", Some(Value::Null)),
                ("fail_calc", Some(json!("count(*)"))),
                ("warn_if", Some(json!("!= 0"))),
                ("error_if", Some(json!("!= 0"))),
            ]);
            keys
        }),
        NodeKind::Model => MODEL.get_or_init(|| {
            compiled(
                "view",
                &[("access", json!("protected")), ("freshness", Value::Null)],
            )
        }),
        NodeKind::Seed => SEED.get_or_init(|| {
            compiled(
                "seed",
                &[("delimiter", json!(",")), ("quote_columns", Value::Null)],
            )
        }),
        _ => OTHER.get_or_init(|| compiled("view", &[])),
    }
}

impl Serialize for ConfigAsDbt<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let details = self.0;
        let written = &details.config.values;
        let defaults = config_defaults(details.kind);
        let mut map = serializer.serialize_map(None)?;
        for (key, default) in defaults {
            match (*key, default) {
                ("tags", _) => map.serialize_entry(key, &details.config.tags())?,
                ("post-hook", _) => {
                    map.serialize_entry(key, &Hooks(details.config.post_hooks()))?
                }
                ("pre-hook", _) => map.serialize_entry(key, &Hooks(details.config.pre_hooks()))?,
                ("materialized", _)
                    if details.kind == NodeKind::Snapshot
                        && !written.contains_key("materialized") =>
                {
                    map.serialize_entry(key, "snapshot")?
                }
                (_, default) => match written.get(*key).or(default.as_ref()) {
                    Some(value) => map.serialize_entry(key, value)?,
                    None => map.serialize_entry(key, &Value::Null)?,
                },
            }
        }
        for (key, value) in written {
            let listed = defaults.iter().any(|(listed, _)| listed == key);
            if listed || key == "pre_hook" || key == "post_hook" {
                continue;
            }
            // The test shape has no hooks; other keys are kept as written.
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Hooks as dbt's `{sql, transaction, index}` entries.
struct Hooks(Vec<String>);

impl Serialize for Hooks {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        #[derive(Serialize)]
        struct Hook<'a> {
            sql: &'a str,
            transaction: bool,
            index: Option<u32>,
        }
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for sql in &self.0 {
            seq.serialize_element(&Hook {
                sql,
                transaction: true,
                index: None,
            })?;
        }
        seq.end()
    }
}

/// A generic test's arguments as dbt records them: its column, the ones
/// written, then the `model` it reads, as the Jinja dbt renders it with.
fn test_kwargs(project: &Project, test: &crate::project::TestDetails) -> Map<String, Value> {
    let mut kwargs = Map::new();
    if let Some(column) = &test.column_name {
        kwargs.insert("column_name".to_string(), Value::String(column.clone()));
    }
    for (key, value) in &test.kwargs {
        kwargs.insert(key.clone(), value.clone());
    }
    if let Some(attached) = test.attached_node.map(|id| project.details(id)) {
        let relation = match &attached.source {
            Some(source) => format!("source('{}', '{}')", source.source_name, source.table_name),
            None => match &attached.version {
                Some(version) => format!("ref('{}', version={version})", attached.name),
                None => format!("ref('{}')", attached.name),
            },
        };
        kwargs
            .entry("model".to_string())
            .or_insert_with(|| Value::String(format!("{{{{ get_where_subquery({relation}) }}}}")));
    }
    kwargs
}

fn model_fields(details: &NodeDetails) -> ModelFields<'_> {
    ModelFields {
        access: details
            .config
            .values
            .get("access")
            .and_then(Value::as_str)
            .unwrap_or("protected"),
        constraints: [],
        version: details
            .version
            .as_deref()
            .map(crate::declared::version_value),
        latest_version: details
            .latest_version
            .as_deref()
            .map(crate::declared::version_value),
        deprecation_date: details.deprecation_date.as_deref().map(|date| {
            // A date alone is midnight UTC, as dbt writes it.
            if date.len() == 10 {
                format!("{date}T00:00:00+00:00")
            } else {
                date.to_string()
            }
        }),
        primary_key: [],
        time_spine: details.time_spine.as_ref(),
    }
}

/// A node's `meta`: the configured mapping, or `{}`.
#[derive(Serialize)]
#[serde(untagged)]
enum Meta<'a> {
    Configured(&'a Value),
    Empty(Empty),
}

#[derive(Default, Serialize)]
struct Quoting {
    database: Option<bool>,
    schema: Option<bool>,
    identifier: Option<bool>,
    column: Option<bool>,
}

#[derive(Serialize)]
struct FreshnessRule<'a> {
    count: Option<u64>,
    period: Option<&'a str>,
}

#[derive(Serialize)]
struct Freshness<'a> {
    warn_after: FreshnessRule<'a>,
    error_after: FreshnessRule<'a>,
    filter: Option<&'a str>,
}

#[derive(Serialize)]
pub struct SourceEntry<'a> {
    database: Option<&'a str>,
    schema: Option<&'a str>,
    name: &'a str,
    resource_type: &'static str,
    package_name: &'a str,
    path: &'a str,
    original_file_path: &'a str,
    unique_id: &'a str,
    fqn: &'a [String],
    source_name: &'a str,
    source_description: &'a str,
    loader: &'a str,
    identifier: &'a str,
    quoting: Quoting,
    loaded_at_field: Option<&'a str>,
    loaded_at_query: Option<&'a str>,
    freshness: Option<Freshness<'a>>,
    external: Option<&'static str>,
    description: &'a str,
    columns: IndexMap<&'a str, ColumnEntry<'a>>,
    meta: Empty,
    source_meta: Empty,
    tags: Vec<String>,
    config: &'a Map<String, Value>,
    patch_path: Option<&'static str>,
    unrendered_config: Empty,
    relation_name: String,
    created_at: f64,
    unrendered_database: Option<&'static str>,
    unrendered_schema: Option<&'static str>,
    doc_blocks: &'a [String],
    event_time: Option<&'static str>,
    project: &'a str,
}

pub fn source_entry<'a>(project: &'a Project, details: &'a NodeDetails) -> SourceEntry<'a> {
    let (source_name, source_description, loader, identifier) = match &details.source {
        Some(source) => (
            source.source_name.as_str(),
            source.source_description.as_str(),
            source.loader.as_str(),
            source.identifier.as_str(),
        ),
        None => ("", "", "", details.name.as_str()),
    };
    let config = &details.config.values;
    let text = |key: &str| config.get(key).and_then(Value::as_str);
    // dbt's `freshness` of a source: the rules its config resolved, each
    // empty when unset; null when the table turned freshness off.
    let freshness = match config.get("freshness") {
        Some(Value::Null) => None,
        written => {
            let rules = written.and_then(Value::as_object);
            let rule = |name: &str| {
                let rule = rules
                    .and_then(|rules| rules.get(name))
                    .and_then(Value::as_object);
                FreshnessRule {
                    count: rule
                        .and_then(|rule| rule.get("count"))
                        .and_then(Value::as_u64),
                    period: rule
                        .and_then(|rule| rule.get("period"))
                        .and_then(Value::as_str),
                }
            };
            Some(Freshness {
                warn_after: rule("warn_after"),
                error_after: rule("error_after"),
                filter: rules
                    .and_then(|rules| rules.get("filter"))
                    .and_then(Value::as_str),
            })
        }
    };
    SourceEntry {
        database: details.database.as_deref(),
        schema: details.schema.as_deref(),
        name: &details.name,
        resource_type: "source",
        package_name: &details.package_name,
        path: &details.original_file_path,
        original_file_path: &details.original_file_path,
        unique_id: &details.unique_id,
        fqn: &details.fqn,
        source_name,
        source_description,
        loader,
        identifier,
        quoting: details
            .source
            .as_ref()
            .map_or_else(Quoting::default, |source| Quoting {
                database: source.quoting.database,
                schema: source.quoting.schema,
                identifier: source.quoting.identifier,
                column: source.quoting.column,
            }),
        loaded_at_field: text("loaded_at_field"),
        loaded_at_query: text("loaded_at_query"),
        freshness,
        external: None,
        description: &details.description,
        columns: node_columns(details, None),
        meta: Empty {},
        source_meta: Empty {},
        tags: details.config.tags(),
        config: &details.config.values,
        patch_path: None,
        unrendered_config: Empty {},
        relation_name: project.relation_name(details),
        created_at: 0.0,
        unrendered_database: None,
        unrendered_schema: None,
        doc_blocks: &details.doc_blocks,
        event_time: None,
        project: &project.name,
    }
}

/// dbt's `graph` (its flat graph) of the loaded project: every node but
/// sources and unit tests under `nodes`, the sources, and the resources
/// that never run, each by unique id and described as the manifest
/// describes it (without compiled SQL, as dbt builds the graph before it
/// compiles, and with the columns the YAML declares).
pub(crate) fn flat_graph(project: &Project) -> Value {
    let mut nodes = Map::new();
    let mut sources = Map::new();
    for (index, details) in project.nodes.iter().enumerate() {
        let entry = match details.kind {
            NodeKind::UnitTest => continue,
            NodeKind::Source => serde_json::to_value(source_entry(project, details)),
            _ => {
                let mut parents: Vec<&str> = project
                    .graph
                    .parents(fusion_ir::graph::NodeId(index as u32))
                    .into_iter()
                    .map(|id| project.details(id).unique_id.as_str())
                    .collect();
                parents.sort_unstable();
                parents.dedup();
                serde_json::to_value(node_entry(
                    project,
                    details,
                    &parents,
                    None,
                    node_columns(details, None),
                ))
            }
        };
        // The entries are plain data: serialising them cannot fail.
        let Ok(entry) = entry else { continue };
        let map = if details.kind == NodeKind::Source {
            &mut sources
        } else {
            &mut nodes
        };
        map.insert(details.unique_id.clone(), entry);
    }
    let declared_of = |kind: DeclaredKind| -> Map<String, Value> {
        project
            .declared
            .iter()
            .filter(|resource| resource.kind == kind)
            .map(|resource| {
                (
                    resource.unique_id.clone(),
                    resource.dbt_json(declared_node_relation(project, resource)),
                )
            })
            .collect()
    };
    serde_json::json!({
        "exposures": declared_of(DeclaredKind::Exposure),
        "functions": {},
        "groups": declared_of(DeclaredKind::Group),
        "metrics": declared_of(DeclaredKind::Metric),
        "nodes": nodes,
        "sources": sources,
        "semantic_models": declared_of(DeclaredKind::SemanticModel),
        "saved_queries": declared_of(DeclaredKind::SavedQuery),
    })
}
