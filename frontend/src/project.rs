//! The project as loaded: the options of a load, its result, and every node's details
//! (configs, rendered SQL, columns, tests, macros) beside the project graph.

use crate::config::NodeConfig;
use crate::profiles::Target;
use crate::project_file::ProjectSettings;
use crate::quoting::{IdentifierCase, QuotePolicy, QuotingConfig};
use crate::schema_yaml::{ColumnInfo, FunctionDeclaration};
use crate::source_map::LazySourceMap;
use crate::{docs, runtime};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind, ProjectGraph};
use fusion_ir::span::{FileId, SourceFiles, Span};
use fusion_ir::types::SqlType;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// The adapter's quote character and which parts of the project's
    /// relation names it quotes (the adapter's policy with the project's
    /// `quoting:` over it).
    pub quote_character: char,
    pub relation_quoting: QuotePolicy,
    /// How the target's warehouse stores names (when two spellings name
    /// one relation).
    pub identifier_case: IdentifierCase,
    pub graph: ProjectGraph,
    /// User-defined functions the project declares in YAML.
    pub functions: Vec<FunctionDeclaration>,
    /// Per graph node details, indexed by [`NodeId`] (parallel to `graph.nodes`).
    pub nodes: Vec<NodeDetails>,
    /// The unit tests (each also a node of kind `UnitTest`), in node order.
    pub unit_tests: Vec<crate::unit_tests::UnitTest>,
    pub macros: Vec<MacroInfo>,
    /// The docs blocks of the project's `.md` files, in file order.
    pub docs: Vec<docs::DocBlock>,
    /// Exposures, semantic models, metrics, saved queries and groups: the
    /// enabled ones, by unique id. They never run, so they are not nodes of
    /// [`Project::graph`]; each names what it depends on.
    pub declared: Vec<DeclaredResource>,
    /// The environment the project was rendered with, for run-time renders
    /// (see [`runtime`]).
    pub renderer: Option<Arc<runtime::Renderer>>,
    /// The root project's `selectors.yml`, when it has one.
    pub selectors: Option<Selectors>,
}

/// The named selections of `selectors.yml`, in file order.
#[derive(Clone, Debug)]
pub struct Selectors {
    pub file: fusion_ir::span::FileId,
    pub selectors: Vec<SelectorDefinition>,
}

/// One entry of `selectors.yml`, rendered.
#[derive(Clone, Debug)]
pub struct SelectorDefinition {
    pub name: String,
    pub description: Option<String>,
    /// `default: true`: the selection of commands given no `--select`,
    /// `--exclude` or `--selector`.
    pub default: bool,
    /// What it selects, as written (a string, or a mapping: `union`,
    /// `intersection`, `method`/`value`...). The driver reads it.
    pub definition: serde_json::Value,
    /// The whole entry as rendered, for the manifest.
    pub rendered: serde_json::Value,
    /// Where its name is written in `selectors.yml`.
    pub name_span: fusion_ir::span::Span,
}

impl Project {
    pub fn details(&self, id: NodeId) -> &NodeDetails {
        &self.nodes[id.index()]
    }

    /// A node's relation as the warehouse stores its name (see
    /// [`crate::quoting::relation_identity`]), quoted as `ref()` or
    /// `source()` renders it.
    pub fn relation_identity(&self, details: &NodeDetails) -> String {
        let identifier = details
            .source
            .as_ref()
            .map_or(details.alias.as_str(), |source| source.identifier.as_str());
        crate::quoting::relation_identity(
            self.identifier_case,
            details.quoting,
            details.database.as_deref(),
            details.schema.as_deref(),
            identifier,
        )
    }

    /// A node's `relation_name` as dbt writes it in the manifest: its
    /// relation quoted with the project's policy, which for a source is
    /// the project's `quoting:` with the source's over it (unlike what
    /// `source()` renders, which ignores the project's).
    pub fn relation_name(&self, details: &NodeDetails) -> String {
        let quoting = match &details.source {
            Some(source) => self.relation_quoting.overridden(&source.quoting),
            None => self.relation_quoting,
        };
        let identifier = details
            .source
            .as_ref()
            .map_or(details.alias.as_str(), |source| source.identifier.as_str());
        crate::relation::RelationParts {
            database: details.database.clone(),
            schema: details.schema.clone(),
            identifier: identifier.to_string(),
            ephemeral_cte: false,
            quoting,
        }
        .quoted(self.quote_character)
    }

    /// The resources that never run and that dbt lists and selects (all of
    /// [`Project::declared`] but groups), in order.
    pub fn listed_declared(&self) -> impl Iterator<Item = &DeclaredResource> + Clone {
        self.declared
            .iter()
            .filter(|resource| resource.kind != crate::schema_yaml::DeclaredKind::Group)
    }

    /// The unit test of a node of kind `UnitTest` (`None` for any other).
    pub fn unit_test(&self, id: NodeId) -> Option<&crate::unit_tests::UnitTest> {
        if self.nodes.get(id.index())?.kind != NodeKind::UnitTest {
            return None;
        }
        // Unit tests are added in node order.
        self.unit_tests
            .binary_search_by_key(&id, |unit_test| unit_test.node)
            .ok()
            .map(|index| &self.unit_tests[index])
    }

    /// Where a package's project lies: the root project's folder for its
    /// own nodes, else the package's folder under the packages' install
    /// path (a node's `original_file_path` is relative to it).
    pub fn package_root(&self, package_name: &str) -> PathBuf {
        if package_name == self.name {
            self.root_dir.clone()
        } else {
            self.root_dir
                .join(&self.settings.packages_install_path)
                .join(package_name)
        }
    }

    /// The node with this unique id.
    pub fn find_by_unique_id(&self, unique_id: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|node| node.unique_id == unique_id)
            .map(|index| NodeId(index as u32))
    }
}

/// A resource declared in schema YAML that never runs (see
/// [`crate::schema_yaml::DeclaredKind`]), with its dependencies resolved.
#[derive(Clone, Debug)]
pub struct DeclaredResource {
    pub kind: crate::schema_yaml::DeclaredKind,
    pub name: String,
    pub unique_id: String,
    pub package_name: String,
    /// Package, the YAML file's folders, name (as dbt makes it).
    pub fqn: Vec<String>,
    /// The YAML file that declares it, from the project root.
    pub original_file_path: String,
    /// The YAML file under its resource folder.
    pub path: String,
    pub file: FileId,
    /// Where its `name:` is written.
    pub name_span: Span,
    /// Its config as dbt fills it for the kind (`enabled`, `meta`, `tags`
    /// or `group`...).
    pub config: serde_json::Map<String, serde_json::Value>,
    /// Its `config:` as written in YAML.
    pub unrendered_config: serde_json::Map<String, serde_json::Value>,
    /// Unique ids of the nodes and resources it depends on, in dbt's order.
    pub depends_on: Vec<String>,
    /// The `ref()` calls of its `depends_on:` or `model:`.
    pub refs: Vec<RefCall>,
    /// The `source()` calls of its `depends_on:`, as `[source, table]`.
    pub sources: Vec<SourceCall>,
    /// The `metric()` calls of its `depends_on:`, or the metrics it reads,
    /// as `[name]` or `[package, name]`.
    pub metrics: Vec<Vec<String>>,
    /// The measures a metric reads (each from the semantic model that
    /// declares it).
    pub measures: Vec<String>,
    /// The YAML entry as written (the kind's own fields, for the manifest).
    pub entry: serde_json::Map<String, serde_json::Value>,
}

impl DeclaredResource {
    /// Its tags (`config.tags`, merged with the top-level `tags:`).
    pub fn tags(&self) -> Vec<String> {
        crate::config::string_list(self.config.get("tags"))
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
    /// dbt's `depends_on.macros`: the macros the node's own text and hooks
    /// call while dbt parses them (`execute` false), in call order; for a
    /// generic test, its test macro and `get_where_subquery`.
    pub depends_on_macros: Vec<String>,
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
    /// Which parts of the relation's name `ref()` or `source()` quotes.
    pub quoting: QuotePolicy,
    /// Seeds: column names and types (inferred or from `column_types`).
    pub seed_columns: Vec<SeedColumn>,
    /// Sources: the source-specific fields.
    pub source: Option<SourceDetails>,
    /// Generic tests: which test, on what.
    pub test: Option<TestDetails>,
    /// A versioned model's version (`2` of `model.shop.customers.v2`).
    pub version: Option<String>,
    /// A versioned model's latest version.
    pub latest_version: Option<String>,
    /// A model's (or its version's) `deprecation_date:` as written.
    pub deprecation_date: Option<String>,
    /// A model's `time_spine:` (see [`crate::schema_yaml::NodePatch`]).
    pub time_spine: Option<serde_json::Value>,
}

impl NodeDetails {
    /// Whether the node is an ephemeral model (inlined as a CTE where read).
    pub fn is_ephemeral(&self) -> bool {
        self.kind == NodeKind::Model
            && self.config.materialization() == crate::config::Materialization::Ephemeral
    }
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

/// One `ref()` call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RefCall {
    pub package: Option<String>,
    pub name: String,
    pub version: Option<String>,
}

impl RefCall {
    /// The name the call is looked up by: `<name>_v<version>` for a
    /// version of a model, the name alone otherwise (a versioned model's
    /// latest version is also known by its name).
    pub fn lookup_name(&self) -> std::borrow::Cow<'_, str> {
        match &self.version {
            Some(version) => format!("{}_v{version}", self.name).into(),
            None => self.name.as_str().into(),
        }
    }
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
    /// Where the table's `name:` is written in the YAML ([`NodeDetails::file`]).
    pub table_name_span: Span,
    pub identifier: String,
    pub loader: String,
    pub source_description: String,
    /// The source's `quoting:` with the table's over it, as written.
    pub quoting: QuotingConfig,
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
