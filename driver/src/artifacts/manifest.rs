//! `target/manifest.json` in dbt's v12 layout, for the fields fusionc fills.
//!
//! Tools that read dbt artifacts (docs sites, lineage tools, CI checks) key
//! on this layout, so field names and shapes follow dbt's; values fusionc
//! does not know yet are written as dbt writes their defaults.
//!
//! The manifest of a large project is tens of megabytes: it is serialised
//! straight from structs that borrow the project, never built as a JSON
//! value tree in memory.

use fusion_frontend::manifest_entries::{
    declared_node_relation, node_columns, node_entry, source_entry, Compiled, Docs, Empty,
    NodeEntry,
};
use fusion_frontend::project::DeclaredResource;
use fusion_frontend::schema_yaml::DeclaredKind;
use fusion_frontend::Project;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::schema::RelationSchema;
use fusion_ir::semantics::DialectSemantics;
use indexmap::IndexMap;
use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;
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
        sources: SourcesMap { project },
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
        node_entry(
            project,
            details,
            &self.edges[index].0,
            compiled.map(|code| Compiled {
                code,
                path: format!(
                    "{}/{}",
                    project.settings.target_path,
                    super::compiled::compiled_relative_path(details)
                ),
            }),
            node_columns(
                details,
                inferred.map(|schema| (schema, self.inputs.semantics)),
            ),
        )
    }
}

struct SourcesMap<'a> {
    project: &'a Project,
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
            map.serialize_entry(&details.unique_id, &source_entry(self.project, details))?;
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
                &resource.dbt_json(declared_node_relation(self.project, resource)),
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
