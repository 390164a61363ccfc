//! `fusion-frontend`: loads a dbt project from disk, renders its Jinja with the dbt context, and builds the project graph.
//!
//! The entry point is [`load_project`]: it reads `dbt_project.yml` and
//! `profiles.yml`, discovers models, macros, seeds, tests and schema YAML,
//! renders every node with minijinja (in parallel, sharing one environment
//! that holds every project macro), maps rendered SQL back to its template,
//! and returns the [`Project`] with its [`fusion_ir::graph::ProjectGraph`]
//! together with every diagnostic found on the way. Loading never stops at
//! the first broken file: each broken node yields diagnostics and the rest of
//! the project still loads.

pub mod adapter_naming;
mod blocks;
mod builtin;
pub mod checksum;
pub mod config;
pub mod docs;
mod jinja;
mod load;
mod mutable;
pub mod profiles;
pub mod project_file;
pub mod python_format;
mod relation;
mod render;
mod render_state;
pub mod runtime;
pub mod schema_yaml;
pub mod seeds;
pub mod source_map;
pub mod tests_generic;
mod text_search;
pub mod yaml;
mod yaml_fast;

use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind, ProjectGraph};
use fusion_ir::span::{FileId, SourceFiles};
use fusion_ir::types::SqlType;
use std::path::PathBuf;
use std::sync::Arc;

pub use config::NodeConfig;
pub use profiles::Target;
pub use project_file::ProjectSettings;
pub use source_map::{LazySourceMap, SourceMap};

/// What the driver asks the frontend to load.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub project_dir: PathBuf,
    /// Where to look for `profiles.yml` first (`--profiles-dir`).
    pub profiles_dir: Option<PathBuf>,
    /// The profile target to use instead of the profile's `target:` (`--target`).
    pub target: Option<String>,
    /// The `--vars` argument: YAML text holding a mapping.
    pub vars: Option<String>,
    /// Finds what differs by adapter (default database and schema, seed
    /// types, external sources) for the profile's adapter type.
    pub adapter_naming: adapter_naming::AdapterNamingLookup,
}

impl LoadOptions {
    /// Options to load the project in `project_dir` with its default
    /// profile and target, and no `--vars`.
    pub fn new(
        project_dir: PathBuf,
        adapter_naming: adapter_naming::AdapterNamingLookup,
    ) -> LoadOptions {
        LoadOptions {
            project_dir,
            profiles_dir: None,
            target: None,
            vars: None,
            adapter_naming,
        }
    }
}

/// The outcome of a load: the project when its files could be read at all,
/// every source text that diagnostics point into, and the diagnostics.
#[derive(Debug, Default)]
pub struct LoadResult {
    pub project: Option<Project>,
    pub files: SourceFiles,
    pub diagnostics: Vec<Diagnostic>,
    /// How long each phase of loading took, in order (for `--timings`).
    pub phase_timings: Vec<(&'static str, std::time::Duration)>,
}

/// A loaded dbt project.
#[derive(Debug)]
pub struct Project {
    pub name: String,
    pub root_dir: PathBuf,
    pub settings: ProjectSettings,
    pub target: Target,
    /// Variables as templates see them: project vars (global, then scoped to
    /// this project), overridden by `--vars`.
    pub vars: serde_json::Map<String, serde_json::Value>,
    pub graph: ProjectGraph,
    /// User-defined functions the project declares in YAML.
    pub functions: Vec<FunctionDeclaration>,
    /// Per graph node details, indexed by [`NodeId`] (parallel to `graph.nodes`).
    pub nodes: Vec<NodeDetails>,
    pub macros: Vec<MacroInfo>,
    /// The docs blocks of the project's `.md` files, in file order.
    pub docs: Vec<docs::DocBlock>,
    /// The environment the project was rendered with, for run-time renders
    /// (see [`runtime`]).
    pub renderer: Option<Arc<runtime::Renderer>>,
}

impl Project {
    pub fn details(&self, id: NodeId) -> &NodeDetails {
        &self.nodes[id.index()]
    }

    /// The node with this unique id.
    pub fn find_by_unique_id(&self, unique_id: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|node| node.unique_id == unique_id)
            .map(|index| NodeId(index as u32))
    }
}

/// Everything dbt knows about one node that the IR graph does not hold.
#[derive(Clone, Debug)]
pub struct NodeDetails {
    pub kind: NodeKind,
    pub name: String,
    pub unique_id: String,
    pub package_name: String,
    /// dbt's fully qualified name: project, folders, name.
    pub fqn: Vec<String>,
    /// Path from the project root (`models/staging/stg_orders.sql`), or the
    /// YAML file for sources and generic tests.
    pub original_file_path: String,
    /// Path relative to its resource folder (`staging/stg_orders.sql`).
    pub path: String,
    /// The template (or YAML, or CSV) file in [`LoadResult::files`].
    pub file: Option<FileId>,
    pub raw_code: Arc<str>,
    /// For a snapshot, where its block's body lies in `raw_code` (the
    /// snapshot file with all but the body blanked).
    pub raw_code_body: Option<std::ops::Range<usize>>,
    /// sha256 of the raw file, hex.
    pub checksum: String,
    pub config: NodeConfig,
    pub description: String,
    /// Unique ids of the docs blocks the description calls with `doc()`.
    pub doc_blocks: Vec<String>,
    /// The YAML file that documents the node, when one does.
    pub patch_path: Option<String>,
    pub columns: Vec<ColumnInfo>,
    /// `ref()` calls made while rendering, in call order, without repeats.
    pub refs: Vec<RefCall>,
    /// `source()` calls made while rendering, in call order, without repeats.
    pub sources: Vec<SourceCall>,
    /// Unique ids of the project macros called while rendering.
    pub macros_called: Vec<String>,
    /// The rendered SQL, when rendering succeeded.
    pub rendered: Option<Rendered>,
    /// True when rendering called `run_query`, `statement` or another macro
    /// that reads the warehouse: its compile-time SQL is a guess and the
    /// driver renders it again just in time.
    pub introspective: bool,
    pub database: Option<String>,
    pub schema: Option<String>,
    /// The relation's identifier (the alias for models and seeds).
    pub alias: String,
    /// Seeds: column names and types (inferred or from `column_types`).
    pub seed_columns: Vec<SeedColumn>,
    /// Sources: the source-specific fields.
    pub source: Option<SourceDetails>,
    /// Generic tests: which test, on what.
    pub test: Option<TestDetails>,
}

/// A rendered node.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub sql: Arc<str>,
    /// The rendered text in [`LoadResult::files`], registered with the path
    /// `target/compiled/<project>/<path>`.
    pub file: FileId,
    pub source_map: LazySourceMap,
}

/// A column declared in YAML.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColumnInfo {
    pub name: String,
    /// The type as written in YAML; the dialect converts it.
    pub data_type: Option<String>,
    pub description: String,
    /// Unique ids of the docs blocks the description calls with `doc()`.
    pub doc_blocks: Vec<String>,
    /// The test names declared on the column (`not_null`, `unique`, ...).
    pub tests: Vec<String>,
    pub constraints: Vec<serde_json::Value>,
    pub meta: serde_json::Map<String, serde_json::Value>,
    /// Where the column is declared: its `name` in the YAML file.
    pub location: Option<fusion_ir::span::FileSpan>,
}

/// A user-defined function declared under `functions:` in a schema YAML
/// file, in the signature language of the dialect catalogs: either a whole
/// signature (`"clean_phone(raw varchar) -> varchar"`) or a name and a
/// signature (`{name: clean_phone, signature: "(raw varchar) -> varchar"}`).
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDeclaration {
    pub name: Option<String>,
    pub signature: String,
    pub location: fusion_ir::span::FileSpan,
}

/// One `ref()` call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RefCall {
    pub package: Option<String>,
    pub name: String,
    pub version: Option<String>,
}

/// One `source()` call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceCall {
    pub source_name: String,
    pub table_name: String,
}

/// A seed column.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedColumn {
    pub name: String,
    pub sql_type: SqlType,
    /// The type as the adapter spells it, or as `column_types` wrote it.
    pub type_name: String,
}

/// The fields of a source table node.
#[derive(Clone, Debug, Default)]
pub struct SourceDetails {
    pub source_name: String,
    pub table_name: String,
    pub identifier: String,
    pub loader: String,
    pub source_description: String,
}

/// The fields of a generic test node.
#[derive(Clone, Debug)]
pub struct TestDetails {
    /// `not_null`, `unique`, `accepted_values`, `relationships`, or another name.
    pub test_name: String,
    /// The namespace when written `dbt_utils.expression_is_true`.
    pub namespace: Option<String>,
    pub column_name: Option<String>,
    /// The node the test is attached to.
    pub attached_node: Option<NodeId>,
    /// The test's arguments (besides `column_name` and `model`).
    pub kwargs: serde_json::Map<String, serde_json::Value>,
}

/// A project macro.
#[derive(Clone, Debug)]
pub struct MacroInfo {
    pub name: String,
    /// `macro.<project>.<name>`.
    pub unique_id: String,
    pub package_name: String,
    /// Path from the project root.
    pub original_file_path: String,
    /// Path relative to its macro folder.
    pub path: String,
    pub file: FileId,
    /// The macro's own text, `{% macro %}` to `{% endmacro %}`.
    pub macro_sql: String,
    pub arguments: Vec<String>,
}

/// Reads, renders and builds the graph of the dbt project in
/// `options.project_dir`. Never panics on bad input: every problem is a
/// diagnostic, and `project` is `None` only when dbt_project.yml or the
/// profile cannot be used at all.
pub fn load_project(options: &LoadOptions) -> LoadResult {
    load::load(options)
}
