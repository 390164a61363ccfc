//! The run-time interface between the frontend and the driver. A node is
//! rendered again right before it runs (`Project::render_node_at_run_time`
//! in `render.rs`), with `is_incremental()` answered from the warehouse,
//! `flags` of the running command, and introspection (`run_query`,
//! `{% call statement %}` with `load_result`, `adapter.get_columns_in_relation`,
//! `adapter.get_relation`) answered by a [`Warehouse`] the driver provides.
//!
//! The frontend knows no warehouse client: the driver implements
//! [`Warehouse`] over its adapter's connection and passes it in
//! [`RunRenderOptions`]. A run-time render keeps it in its [`RunTime`]; the
//! built-ins under `builtin/` hand what it returns to templates as agate-like
//! values, the shapes dbt macros expect (`table.columns[0].values()`,
//! `table.rows`, `load_result('x')['data']`).

use crate::jinja::fail;
use crate::source_map::SourceMap;
use fusion_ir::codes::Code;
use minijinja::{Error, Value};
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};

/// The warehouse as run-time Jinja sees it. Errors are the warehouse's own
/// messages.
pub trait Warehouse: Send + Sync {
    /// Runs a statement; a query's rows come back, other statements return
    /// an empty table.
    fn run_query(&self, sql: &str) -> Result<QueryTable, String>;
    /// The relation's columns in order; empty when it does not exist.
    fn get_columns_in_relation(
        &self,
        relation: &RelationRef,
    ) -> Result<Vec<WarehouseColumn>, String>;
    /// Whether the relation exists, and as what.
    fn get_relation(&self, relation: &RelationRef) -> Result<Option<RelationKind>, String>;
}

/// A relation by its parts, unquoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationRef {
    pub database: Option<String>,
    pub schema: Option<String>,
    pub identifier: String,
}

/// What kind of relation exists under a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    Table,
    View,
}

/// A column as the warehouse describes it (its own type spelling).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarehouseColumn {
    pub name: String,
    pub data_type: String,
}

/// A query's result: column names and types, rows as JSON values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryTable {
    pub column_names: Vec<String>,
    pub column_types: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// How a run-time render differs from the compile-time one.
pub struct RunRenderOptions<'a> {
    /// What `is_incremental()` returns for this node.
    pub is_incremental: bool,
    /// What `should_full_refresh()` and `flags.FULL_REFRESH` say.
    pub full_refresh: bool,
    /// `flags.WHICH`: `run`, `build`, `test`, `seed`, `snapshot`.
    pub which: &'a str,
    /// The warehouse that answers introspection; without one, introspection
    /// returns empty results as at compile time.
    pub warehouse: Option<Arc<dyn Warehouse>>,
    /// Set when the model is rendered for one of its unit tests.
    pub unit_test: Option<Arc<UnitTestRender>>,
}

/// How a model renders for a unit test (dbt's unit test context): each
/// given `ref()`, `source()` and `this` reads a CTE of the given rows,
/// and the overridden vars, env vars and macros answer instead of the
/// project's.
#[derive(Clone, Debug, Default)]
pub struct UnitTestRender {
    /// (package, model name, CTE name) of each given ref.
    pub refs: Vec<(Option<String>, String, String)>,
    /// (source name, table name, CTE name) of each given source.
    pub sources: Vec<(String, String, String)>,
    /// The CTE `this` reads, when `this` is given.
    pub this: Option<String>,
    pub vars: serde_json::Map<String, serde_json::Value>,
    pub env_vars: serde_json::Map<String, serde_json::Value>,
    /// Macro name → the value a call returns.
    pub macros: serde_json::Map<String, serde_json::Value>,
}

/// A node rendered at run time.
pub struct RunRendered {
    pub sql: String,
    pub source_map: SourceMap,
    /// True when the render read the warehouse.
    pub introspective: bool,
}

/// The Jinja environment a project was rendered with (every macro
/// compiled, dbt's globals), kept so nodes can be rendered again at run time.
pub struct Renderer {
    pub(crate) environment: minijinja::Environment<'static>,
    /// The adapter's quote character for relation names.
    pub(crate) quote: char,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Renderer")
    }
}

/// The run-time half of a node's render state.
pub struct RunTime {
    pub is_incremental: bool,
    pub full_refresh: bool,
    pub unit_test: Option<Arc<UnitTestRender>>,
    warehouse: Option<Arc<dyn Warehouse>>,
    /// `{% call statement('name', fetch_result=True) %}` results, by name,
    /// for `load_result('name')`.
    statement_results: Mutex<FxHashMap<String, Value>>,
}

impl std::fmt::Debug for RunTime {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RunTime")
            .field("is_incremental", &self.is_incremental)
            .field("full_refresh", &self.full_refresh)
            .field("warehouse", &self.warehouse.is_some())
            .finish()
    }
}

impl RunTime {
    pub(crate) fn new(options: &RunRenderOptions<'_>) -> RunTime {
        RunTime {
            is_incremental: options.is_incremental,
            full_refresh: options.full_refresh,
            unit_test: options.unit_test.clone(),
            warehouse: options.warehouse.clone(),
            statement_results: Mutex::new(FxHashMap::default()),
        }
    }

    /// The warehouse, or the failure of a render that has none to query.
    pub(crate) fn warehouse(&self) -> Result<&dyn Warehouse, Error> {
        self.warehouse.as_deref().ok_or_else(|| {
            fail(
                Code::JinjaRender,
                "this render has no warehouse to query".to_string(),
            )
        })
    }

    /// What the statement of that name fetched, or none.
    pub(crate) fn statement_result(&self, name: &str) -> Value {
        let results = self
            .statement_results
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        results.get(name).cloned().unwrap_or_default()
    }

    /// Keeps a statement's result for `load_result(name)`.
    pub(crate) fn keep_statement_result(&self, name: String, result: Value) {
        self.statement_results
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .insert(name, result);
    }
}
