//! `target/manifest.json` in dbt's v12 layout, for the fields fusionc fills.
//!
//! Tools that read dbt artifacts (docs sites, lineage tools, CI checks) key
//! on this layout, so field names and shapes follow dbt's; values fusionc
//! does not know yet are written as dbt writes their defaults.
//!
//! The manifest of a large project is tens of megabytes: it is serialised
//! straight from structs that borrow the project, never built as a JSON
//! value tree in memory.

use fusion_frontend::project::DeclaredResource;
use fusion_frontend::schema_yaml::DeclaredKind;
use fusion_frontend::{ColumnInfo, NodeDetails, Project};
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::name::Name;
use fusion_ir::schema::RelationSchema;
use fusion_ir::semantics::DialectSemantics;
use indexmap::IndexMap;
use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Inputs the manifest needs besides the project.
pub(crate) struct ManifestInputs<'a> {
    pub project: &'a Project,
    /// Per node: its inferred output schema (empty when not analysed).
    pub schemas: &'a [RelationSchema],
    /// Spells inferred types in the dialect's own names.
    pub semantics: &'a dyn DialectSemantics,
    /// Per node: the compiled SQL, when the node was compiled in this run.
    pub compiled_sql: &'a [Option<Cow<'a, str>>],
    pub generated_at: String,
    pub invocation_id: String,
}

/// Writes the manifest as JSON to `writer`.
pub(crate) fn write_manifest(
    inputs: &ManifestInputs<'_>,
    writer: impl std::io::Write,
) -> serde_json::Result<()> {
    let project = inputs.project;
    let mut edges: Vec<(Vec<&str>, Vec<&str>)> = (0..project.nodes.len())
        .map(|index| {
            let id = NodeId(index as u32);
            (
                sorted_ids(project, project.graph.parents(id)),
                sorted_ids(project, project.graph.children(id)),
            )
        })
        .collect();
    let declared_edges = declared_edges(project, &mut edges);
    let manifest = Manifest {
        metadata: Metadata {
            dbt_schema_version: "https://schemas.getdbt.com/dbt/manifest/v12.json",
            dbt_version: concat!("fusionc-", env!("CARGO_PKG_VERSION")),
            generated_at: &inputs.generated_at,
            invocation_id: &inputs.invocation_id,
            env: Empty {},
            project_name: &project.name,
            project_id: None,
            user_id: None,
            send_anonymous_usage_stats: false,
            adapter_type: &project.target.adapter_type,
        },
        nodes: NodesMap {
            inputs,
            edges: &edges,
        },
        sources: SourcesMap {
            project,
            semantics: inputs.semantics,
        },
        macros: MacrosMap { project },
        docs: DocsMap { project },
        exposures: DeclaredMap {
            project,
            kind: DeclaredKind::Exposure,
        },
        metrics: DeclaredMap {
            project,
            kind: DeclaredKind::Metric,
        },
        groups: DeclaredMap {
            project,
            kind: DeclaredKind::Group,
        },
        selectors: super::selectors::manifest_selectors(project.selectors.as_ref()),
        disabled: Empty {},
        parent_map: EdgeMap {
            project,
            edges: &edges,
            declared_edges: &declared_edges,
            parents: true,
        },
        child_map: EdgeMap {
            project,
            edges: &edges,
            declared_edges: &declared_edges,
            parents: false,
        },
        group_map: group_map(project),
        saved_queries: DeclaredMap {
            project,
            kind: DeclaredKind::SavedQuery,
        },
        semantic_models: DeclaredMap {
            project,
            kind: DeclaredKind::SemanticModel,
        },
        unit_tests: super::manifest_unit_tests::UnitTestsMap { project },
        functions: Empty {},
    };
    let mut serializer = serde_json::Serializer::new(writer);
    manifest.serialize(&mut serializer)
}

fn sorted_ids(project: &Project, ids: Vec<NodeId>) -> Vec<&str> {
    let mut unique_ids: Vec<&str> = ids
        .into_iter()
        .map(|id| project.details(id).unique_id.as_str())
        .collect();
    unique_ids.sort_unstable();
    unique_ids.dedup();
    unique_ids
}

/// `{}`.
#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Manifest<'a> {
    metadata: Metadata<'a>,
    nodes: NodesMap<'a>,
    sources: SourcesMap<'a>,
    macros: MacrosMap<'a>,
    docs: DocsMap<'a>,
    exposures: DeclaredMap<'a>,
    metrics: DeclaredMap<'a>,
    groups: DeclaredMap<'a>,
    selectors: serde_json::Map<String, serde_json::Value>,
    disabled: Empty,
    parent_map: EdgeMap<'a>,
    child_map: EdgeMap<'a>,
    group_map: IndexMap<&'a str, Vec<&'a str>>,
    saved_queries: DeclaredMap<'a>,
    semantic_models: DeclaredMap<'a>,
    unit_tests: super::manifest_unit_tests::UnitTestsMap<'a>,
    functions: Empty,
}

#[derive(Serialize)]
struct Metadata<'a> {
    dbt_schema_version: &'static str,
    dbt_version: &'static str,
    generated_at: &'a str,
    invocation_id: &'a str,
    env: Empty,
    project_name: &'a str,
    project_id: Option<&'a str>,
    user_id: Option<&'a str>,
    send_anonymous_usage_stats: bool,
    adapter_type: &'a str,
}

struct NodesMap<'a> {
    inputs: &'a ManifestInputs<'a>,
    edges: &'a [(Vec<&'a str>, Vec<&'a str>)],
}

impl Serialize for NodesMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let project = self.inputs.project;
        let indexes: Vec<usize> = (0..project.nodes.len())
            .filter(|&index| {
                !matches!(
                    project.nodes[index].kind,
                    NodeKind::Source | NodeKind::UnitTest
                )
            })
            .collect();
        let mut map = serializer.serialize_map(Some(indexes.len()))?;
        // Node entries are most of the manifest (their SQL above all) and
        // each stands alone: a batch at a time is serialised in parallel,
        // then written in order, so memory stays bounded by one batch.
        for batch in indexes.chunks(NODE_BATCH) {
            let entries: Vec<serde_json::Result<Box<RawValue>>> = batch
                .par_iter()
                .map(|&index| serde_json::value::to_raw_value(&self.entry(index)))
                .collect();
            for (&index, entry) in batch.iter().zip(entries) {
                let entry = entry.map_err(serde::ser::Error::custom)?;
                map.serialize_entry(&project.nodes[index].unique_id, &entry)?;
            }
        }
        map.end()
    }
}

/// How many node entries are serialised in parallel before being written.
const NODE_BATCH: usize = 1024;

impl<'a> NodesMap<'a> {
    fn entry(&self, index: usize) -> NodeEntry<'a> {
        let project = self.inputs.project;
        let details = &project.nodes[index];
        let compiled = self
            .inputs
            .compiled_sql
            .get(index)
            .and_then(Option::as_deref);
        let inferred = self.inputs.schemas.get(index);
        node(
            project,
            details,
            &self.edges[index].0,
            compiled,
            columns(details, inferred, self.inputs.semantics),
        )
    }
}

struct SourcesMap<'a> {
    project: &'a Project,
    semantics: &'a dyn DialectSemantics,
}

impl Serialize for SourcesMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for details in self
            .project
            .nodes
            .iter()
            .filter(|details| details.kind == NodeKind::Source)
        {
            map.serialize_entry(
                &details.unique_id,
                &source(self.project, details, self.semantics),
            )?;
        }
        map.end()
    }
}

struct MacrosMap<'a> {
    project: &'a Project,
}

impl Serialize for MacrosMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.project.macros.len()))?;
        for info in &self.project.macros {
            let entry = MacroEntry {
                name: &info.name,
                resource_type: "macro",
                package_name: &info.package_name,
                path: &info.path,
                original_file_path: &info.original_file_path,
                unique_id: &info.unique_id,
                macro_sql: &info.macro_sql,
                depends_on: MacroDependsOn { macros: [] },
                description: "",
                meta: Empty {},
                docs: Docs {
                    show: true,
                    node_color: None,
                },
                patch_path: None,
                arguments: info
                    .arguments
                    .iter()
                    .map(|name| MacroArgument {
                        name,
                        r#type: None,
                        description: "",
                    })
                    .collect(),
                created_at: 0.0,
                supported_languages: None,
            };
            map.serialize_entry(&info.unique_id, &entry)?;
        }
        map.end()
    }
}

/// The project's docs blocks (dbt also lists its own `__overview__` page,
/// which fusionc leaves out).
struct DocsMap<'a> {
    project: &'a Project,
}

impl Serialize for DocsMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.project.docs.len()))?;
        for block in &self.project.docs {
            map.serialize_entry(
                &block.unique_id,
                &DocEntry {
                    name: &block.name,
                    resource_type: "doc",
                    package_name: &self.project.name,
                    path: &block.path,
                    original_file_path: &block.original_file_path,
                    unique_id: &block.unique_id,
                    block_contents: &block.contents,
                },
            )?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct DocEntry<'a> {
    name: &'a str,
    resource_type: &'static str,
    package_name: &'a str,
    path: &'a str,
    original_file_path: &'a str,
    unique_id: &'a str,
    block_contents: &'a str,
}

struct EdgeMap<'a> {
    project: &'a Project,
    edges: &'a [(Vec<&'a str>, Vec<&'a str>)],
    /// The same for the resources that never run (groups aside).
    declared_edges: &'a [(&'a str, Vec<&'a str>, Vec<&'a str>)],
    parents: bool,
}

impl Serialize for EdgeMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.project.nodes.len()))?;
        for (details, (parents, children)) in self.project.nodes.iter().zip(self.edges) {
            map.serialize_entry(
                &details.unique_id,
                if self.parents { parents } else { children },
            )?;
        }
        for (unique_id, parents, children) in self.declared_edges {
            map.serialize_entry(unique_id, if self.parents { parents } else { children })?;
        }
        map.end()
    }
}

/// The parents and children of each resource that never runs (groups
/// aside), which are also children of the nodes they read (added to
/// `edges`).
fn declared_edges<'a>(
    project: &'a Project,
    edges: &mut [(Vec<&'a str>, Vec<&'a str>)],
) -> Vec<(&'a str, Vec<&'a str>, Vec<&'a str>)> {
    let listed: Vec<&DeclaredResource> = project.listed_declared().collect();
    if listed.is_empty() {
        return Vec::new();
    }
    let node_positions: rustc_hash::FxHashMap<&str, usize> = project
        .nodes
        .iter()
        .enumerate()
        .map(|(index, details)| (details.unique_id.as_str(), index))
        .collect();
    let mut declared: Vec<(&str, Vec<&str>, Vec<&str>)> = listed
        .iter()
        .map(|resource| {
            let mut parents: Vec<&str> = resource.depends_on.iter().map(String::as_str).collect();
            parents.sort_unstable();
            parents.dedup();
            (resource.unique_id.as_str(), parents, Vec::new())
        })
        .collect();
    let declared_positions: rustc_hash::FxHashMap<&str, usize> = listed
        .iter()
        .enumerate()
        .map(|(index, resource)| (resource.unique_id.as_str(), index))
        .collect();
    for resource in &listed {
        for parent in &resource.depends_on {
            if let Some(&index) = node_positions.get(parent.as_str()) {
                edges[index].1.push(&resource.unique_id);
            } else if let Some(&index) = declared_positions.get(parent.as_str()) {
                declared[index].2.push(&resource.unique_id);
            }
        }
    }
    for (_, children) in edges.iter_mut() {
        children.sort_unstable();
        children.dedup();
    }
    for (_, _, children) in &mut declared {
        children.sort_unstable();
        children.dedup();
    }
    declared
}

/// Each group's models, by the group's name (as dbt keys `group_map`).
fn group_map(project: &Project) -> IndexMap<&str, Vec<&str>> {
    let mut map: IndexMap<&str, Vec<&str>> = IndexMap::new();
    for group in project
        .declared
        .iter()
        .filter(|resource| resource.kind == DeclaredKind::Group)
    {
        let members: Vec<&str> = project
            .nodes
            .iter()
            .filter(|details| {
                details.config.values.get("group").and_then(Value::as_str)
                    == Some(group.name.as_str())
            })
            .map(|details| details.unique_id.as_str())
            .collect();
        map.insert(&group.name, members);
    }
    map
}

/// The relation of the model a semantic model reads, as dbt writes it.
fn node_relation(project: &Project, resource: &DeclaredResource) -> Option<Value> {
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

/// One map of the manifest's resources that never run (`exposures`,
/// `metrics`...).
struct DeclaredMap<'a> {
    project: &'a Project,
    kind: DeclaredKind,
}

impl Serialize for DeclaredMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for resource in self
            .project
            .declared
            .iter()
            .filter(|resource| resource.kind == self.kind)
        {
            map.serialize_entry(
                &resource.unique_id,
                &resource.dbt_json(node_relation(self.project, resource)),
            )?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct MacroEntry<'a> {
    name: &'a str,
    resource_type: &'static str,
    package_name: &'a str,
    path: &'a str,
    original_file_path: &'a str,
    unique_id: &'a str,
    macro_sql: &'a str,
    depends_on: MacroDependsOn,
    description: &'static str,
    meta: Empty,
    docs: Docs,
    patch_path: Option<&'a str>,
    arguments: Vec<MacroArgument<'a>>,
    created_at: f64,
    supported_languages: Option<Vec<&'static str>>,
}

#[derive(Serialize)]
struct MacroDependsOn {
    macros: [&'static str; 0],
}

#[derive(Serialize)]
struct MacroArgument<'a> {
    name: &'a str,
    r#type: Option<&'a str>,
    description: &'static str,
}

#[derive(Serialize)]
struct Docs {
    show: bool,
    node_color: Option<&'static str>,
}

#[derive(Serialize)]
struct Checksum<'a> {
    name: &'static str,
    checksum: &'a str,
}

#[derive(Serialize)]
struct ColumnEntry<'a> {
    name: &'a str,
    description: &'a str,
    meta: &'a Map<String, Value>,
    data_type: Option<Cow<'a, str>>,
    constraints: &'a [Value],
    quote: Option<bool>,
    tags: [&'static str; 0],
    granularity: Option<&'static str>,
    doc_blocks: &'a [String],
}

/// The columns of a node: those its YAML declares, in their order, then
/// those its query outputs that the YAML does not declare. A column's
/// `data_type` is the declared one, else the inferred type in the dialect's
/// spelling.
fn columns<'a>(
    details: &'a NodeDetails,
    inferred: Option<&RelationSchema>,
    semantics: &dyn DialectSemantics,
) -> IndexMap<&'a str, ColumnEntry<'a>> {
    static NO_META: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let no_meta = NO_META.get_or_init(Map::new);
    let inferred_columns = match inferred {
        Some(RelationSchema::Known(schema)) => schema.columns.as_slice(),
        _ => &[],
    };
    // Each declared name is interned once, not once per comparison.
    let declared_names: Vec<Name> = if inferred_columns.is_empty() {
        Vec::new()
    } else {
        details
            .columns
            .iter()
            .map(|column| Name::new(&column.name))
            .collect()
    };
    let inferred_type = |position: usize| {
        let name = *declared_names.get(position)?;
        inferred_columns
            .iter()
            .find(|column| semantics.names_match(column.name, name))
            .filter(|column| !column.ty.is_unknown())
            .map(|column| Cow::Owned(semantics.type_name(&column.ty)))
    };
    let mut entries: IndexMap<&'a str, ColumnEntry<'a>> = details
        .columns
        .iter()
        .enumerate()
        .map(|(position, column): (usize, &'a ColumnInfo)| {
            (
                column.name.as_str(),
                ColumnEntry {
                    name: &column.name,
                    description: &column.description,
                    meta: &column.meta,
                    data_type: column
                        .data_type
                        .as_deref()
                        .map(Cow::Borrowed)
                        .or_else(|| inferred_type(position)),
                    constraints: &column.constraints,
                    quote: None,
                    tags: [],
                    granularity: None,
                    doc_blocks: &column.doc_blocks,
                },
            )
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
            constraints: &[],
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
    nodes: &'a [&'a str],
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
    kwargs: &'a Map<String, Value>,
    namespace: Option<&'a str>,
}

/// One node of `nodes`. Fields that only some resource types have are
/// skipped when absent, as dbt leaves them out.
#[derive(Serialize)]
struct NodeEntry<'a> {
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
    config: &'a Map<String, Value>,
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
    language: &'static str,
    refs: Vec<RefEntry<'a>>,
    sources: Vec<[&'a str; 2]>,
    metrics: [&'static str; 0],
    functions: [&'static str; 0],
    depends_on: DependsOn<'a>,
    compiled_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compiled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compiled_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_ctes_injected: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_ctes: Option<[&'static str; 0]>,
    contract: Contract,
    access: &'a str,
    constraints: [&'static str; 0],
    version: Option<Value>,
    latest_version: Option<Value>,
    deprecation_date: Option<String>,
    primary_key: [&'static str; 0],
    time_spine: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column_name: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attached_node: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    test_metadata: Option<TestMetadata<'a>>,
}

fn node<'a>(
    project: &'a Project,
    details: &'a NodeDetails,
    parents: &'a [&'a str],
    compiled_sql: Option<&'a str>,
    columns: IndexMap<&'a str, ColumnEntry<'a>>,
) -> NodeEntry<'a> {
    let is_relation = matches!(
        details.kind,
        NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot
    ) && details.config.materialization()
        != fusion_frontend::config::Materialization::Ephemeral;
    let test = details.test.as_ref();
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
        config: &details.config.values,
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
        language: "sql",
        refs: details
            .refs
            .iter()
            .map(|call| RefEntry {
                name: &call.name,
                package: call.package.as_deref(),
                version: call
                    .version
                    .as_deref()
                    .map(fusion_frontend::declared::version_value),
            })
            .collect(),
        sources: details
            .sources
            .iter()
            .map(|call| [call.source_name.as_str(), call.table_name.as_str()])
            .collect(),
        metrics: [],
        functions: [],
        depends_on: DependsOn {
            macros: &details.macros_called,
            nodes: parents,
        },
        compiled_path: compiled_sql.map(|_| {
            format!(
                "{}/{}",
                project.settings.target_path,
                super::compiled::compiled_relative_path(details)
            )
        }),
        compiled: compiled_sql.map(|_| true),
        compiled_code: compiled_sql,
        extra_ctes_injected: compiled_sql.map(|_| true),
        extra_ctes: compiled_sql.map(|_| []),
        contract: Contract {
            enforced: details.config.contract_enforced(),
            alias_types: true,
            checksum: None,
        },
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
            .map(fusion_frontend::declared::version_value),
        latest_version: details
            .latest_version
            .as_deref()
            .map(fusion_frontend::declared::version_value),
        deprecation_date: details.deprecation_date.as_deref().map(|date| {
            // A date alone is midnight UTC, as dbt writes it.
            if date.len() == 10 {
                format!("{date}T00:00:00+00:00")
            } else {
                date.to_string()
            }
        }),
        primary_key: [],
        time_spine: None,
        column_name: test.map(|test| test.column_name.as_deref()),
        attached_node: test.map(|test| {
            test.attached_node
                .map(|id| project.details(id).unique_id.as_str())
        }),
        test_metadata: test.map(|test| TestMetadata {
            name: &test.test_name,
            kwargs: &test.kwargs,
            namespace: test.namespace.as_deref(),
        }),
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
struct SourceEntry<'a> {
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

fn source<'a>(
    project: &'a Project,
    details: &'a NodeDetails,
    semantics: &dyn DialectSemantics,
) -> SourceEntry<'a> {
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
        columns: columns(details, None, semantics),
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
