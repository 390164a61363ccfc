//! What renders share and what one render records: the project-wide facts
//! every render reads ([`RenderShared`]), the per-node state a render keeps
//! under `__fusion_node` in its context ([`NodeRenderState`]: the
//! `ref`/`source`/`config` calls it recorded, and at run time its
//! [`RunTime`]), and how built-ins find that state.
//!
//! The small helpers the built-ins call on every call are `#[inline]`: the
//! built-ins live in other modules (so other codegen units), and these were
//! inlined into them when everything was in one file.

use crate::package_scope::{ByPackage, SearchFrom};
use crate::project::{RefCall, SourceCall};
use crate::relation::RelationParts;
use crate::runtime::RunTime;
use minijinja::value::{Object, ObjectRepr};
use minijinja::{State, Value};
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The key of the per-node render state in the render context.
pub(crate) const NODE_STATE_KEY: &str = "__fusion_node";

/// What rendering one node recorded.
#[derive(Debug, Default, Clone)]
pub(crate) struct Recorded {
    pub config: serde_json::Map<String, serde_json::Value>,
    pub refs: Vec<RefCall>,
    pub sources: Vec<SourceCall>,
    pub macros: Vec<String>,
    /// The macros the node's own text calls (not those macros call), in
    /// call order: dbt's `depends_on.macros`.
    pub direct_macros: Vec<String>,
    pub introspective: bool,
    /// The render read `graph` before the loader had one to give: the
    /// loader renders the node again once the project is loaded.
    pub reads_graph: bool,
    /// `ref()` calls to names that do not exist (rendering continues).
    pub missing_refs: Vec<RefCall>,
    pub missing_sources: Vec<SourceCall>,
    /// Messages of `exceptions.warn(...)` calls, in call order.
    pub warnings: Vec<String>,
}

/// The per-node render state, reachable from functions through the context.
#[derive(Debug, Default)]
pub(crate) struct NodeRenderState {
    recorded: Mutex<Recorded>,
    /// How deep project macros are calling each other right now.
    pub(crate) macro_depth: Mutex<u32>,
    /// Set when rendering right before the node runs: the warehouse answers
    /// `run_query`, `statement` and `adapter` introspection for real.
    runtime: Option<RunTime>,
    /// The installed package the node belongs to; `None` for the root
    /// project's nodes. It decides which macros, vars, refs and sources
    /// the node's unqualified names find first.
    package: Option<Arc<str>>,
}

impl NodeRenderState {
    #[inline]
    pub(crate) fn with_recorded<R>(&self, action: impl FnOnce(&mut Recorded) -> R) -> R {
        let mut guard = self
            .recorded
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        action(&mut guard)
    }

    pub(crate) fn take_recorded(&self) -> Recorded {
        self.with_recorded(std::mem::take)
    }

    /// A state for a render just before the node runs.
    pub(crate) fn at_run_time(runtime: RunTime, package: Option<Arc<str>>) -> NodeRenderState {
        NodeRenderState {
            runtime: Some(runtime),
            package,
            ..NodeRenderState::default()
        }
    }

    /// A parse- or compile-time state for a node of `package` (`None`: the root project).
    pub(crate) fn in_package(package: Option<Arc<str>>) -> NodeRenderState {
        NodeRenderState {
            package,
            ..NodeRenderState::default()
        }
    }

    /// The package the node belongs to (`None`: the root project).
    #[inline]
    pub(crate) fn package(&self) -> Option<&str> {
        self.package.as_deref()
    }

    /// The run-time half of the state, in a render right before the node runs.
    pub(crate) fn runtime(&self) -> Option<&RunTime> {
        self.runtime.as_ref()
    }
}

impl Object for NodeRenderState {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
}

/// The state of the node being rendered, when the context has one.
#[inline]
pub(crate) fn node_state(state: &State) -> Option<Arc<NodeRenderState>> {
    state
        .lookup(NODE_STATE_KEY)
        .and_then(|value| value.downcast_object::<NodeRenderState>())
}

/// The run-time half of the render state, when this render has one.
#[inline]
pub(crate) fn run_time(state: &State) -> Option<Arc<NodeRenderState>> {
    node_state(state).filter(|node| node.runtime.is_some())
}

/// The unit test the node renders for, in a unit test's render.
#[inline]
pub(crate) fn unit_test_render(state: &State) -> Option<Arc<crate::runtime::UnitTestRender>> {
    node_state(state)?.runtime()?.unit_test.clone()
}

/// A project macro known to the environment.
#[derive(Clone, Debug)]
pub(crate) struct MacroEntry {
    pub template_name: String,
    pub internal_name: String,
    pub unique_id: String,
    /// Whether the macro's text reads `kwargs` / `varargs`: then it takes
    /// keyword / positional arguments it does not declare, as Jinja2
    /// macros do.
    pub reads_kwargs: bool,
    pub reads_varargs: bool,
}

/// The relation of every node `ref()` can name, known after the parse
/// phase, by package and name.
#[derive(Debug, Default)]
pub(crate) struct RefTable {
    pub relations: ByPackage<RelationParts>,
}

/// What every render shares: project-wide facts, read-only while rendering.
#[derive(Debug)]
pub(crate) struct RenderShared {
    pub project_name: String,
    /// Installed packages: each is a namespace of macros (`dbt_utils.star`).
    pub packages: Vec<String>,
    /// The root project's `dispatch:` search orders, by macro namespace.
    pub dispatch: Vec<(String, Vec<String>)>,
    pub adapter_type: String,
    /// What differs by the target's adapter.
    pub naming: &'static dyn crate::adapter_naming::AdapterNaming,
    /// The adapter's quote character for relation names.
    pub quote: char,
    /// Which parts of the project's relation names are quoted (the
    /// adapter's policy with the project's `quoting:` over it).
    pub relation_quoting: crate::quoting::QuotePolicy,
    pub target: Value,
    /// dbt's `RuntimeConfig` as templates read it (`builtins.ref.config`):
    /// the project's name, version, profile and target, its packages
    /// (`dependencies`) and the command's arguments.
    pub runtime_config: Value,
    pub target_database: String,
    pub target_schema: String,
    pub vars: serde_json::Map<String, serde_json::Value>,
    /// The vars each installed package's nodes see (see `ProjectUnit::vars`).
    pub package_vars: FxHashMap<String, serde_json::Map<String, serde_json::Value>>,
    pub macros: FxHashMap<String, MacroEntry>,
    /// Macro names only packages define: callable unqualified from a
    /// package's own nodes (registered so that templates can name them).
    pub package_local_names: Vec<String>,
    /// dbt's built-in macros, reached as `dbt.<name>` whatever the project defines.
    pub builtin_macros: FxHashMap<String, MacroEntry>,
    /// Source tables by package and `source_name.table_name`.
    pub sources: ByPackage<RelationParts>,
    /// The relations as the project's and YAML's configs name them, set
    /// before the parse phase: what `ref()` reads during that phase.
    pub predicted_refs: OnceLock<RefTable>,
    /// Set once between the parse and the compile phase.
    pub refs: OnceLock<RefTable>,
    /// dbt's `graph` (its flat graph) of the whole loaded project, each
    /// node as the manifest describes it; set once the load ends when a
    /// template or macro reads `graph` (before that, `graph` is empty).
    pub project_graph: OnceLock<Value>,
    /// The entries templates add to `graph` (`graph.setdefault(k, v)`),
    /// kept for the whole invocation as dbt keeps its `graph` dict.
    pub graph_entries: std::sync::Mutex<Vec<(Value, Value)>>,
}

impl RenderShared {
    /// Where a node of `package` (`None`: the root project) looks names up from.
    #[inline]
    pub(crate) fn search_from<'a>(&'a self, package: Option<&'a str>) -> SearchFrom<'a> {
        SearchFrom {
            node_package: package.unwrap_or(&self.project_name),
            root_package: &self.project_name,
        }
    }

    /// The vars a node of `package` (`None`: the root project) sees.
    #[inline]
    pub(crate) fn vars_of(
        &self,
        package: Option<&str>,
    ) -> &serde_json::Map<String, serde_json::Value> {
        package
            .and_then(|package| self.package_vars.get(package))
            .unwrap_or(&self.vars)
    }

    /// The relation `ref(package?, name)` reads from a node of `node_package`.
    #[inline]
    pub(crate) fn resolve_ref(
        &self,
        package: Option<&str>,
        name: &str,
        node_package: Option<&str>,
    ) -> Option<RelationParts> {
        let from = self.search_from(node_package);
        match self.refs.get() {
            Some(table) => table.relations.find(package, name, from).cloned(),
            // During the parse phase every name resolves: to its predicted
            // relation, or to a placeholder in the target schema. Missing
            // names are reported at compile time.
            None => Some(
                self.predicted_refs
                    .get()
                    .and_then(|table| table.relations.find(package, name, from).cloned())
                    .unwrap_or_else(|| RelationParts {
                        database: Some(self.target_database.clone()),
                        schema: Some(self.target_schema.clone()),
                        identifier: name.to_string(),
                        ephemeral_cte: false,
                        quoting: self.relation_quoting,
                    }),
            ),
        }
    }
}

/// Records that the render asked the warehouse (its compile-time SQL is a guess).
#[inline]
pub(crate) fn mark_introspective(state: &State) {
    if let Some(node) = node_state(state) {
        node.with_recorded(|recorded| recorded.introspective = true);
    }
}
