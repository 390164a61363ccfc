//! One node's run: its relation, its JIT rendering and analysis, the
//! materialization it asks for, and the warehouse as its Jinja sees it.

use super::context::RunContext;
use super::materialize::{
    Build, IncrementalStrategy, OnSchemaChange, RelationOptions, SnapshotStrategy,
};
use super::modes::AnalysisMode;
use crate::adapter::Connection;
use fusion_frontend::config::config_argument_span;
use fusion_frontend::runtime::{
    QueryTable, RelationKind, RelationRef, RunRenderOptions, Warehouse, WarehouseColumn,
};
use fusion_frontend::{NodeDetails, Project, SourceMap};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::span::{FileId, Span};
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// A file id that no source file has: diagnostics of just-in-time SQL point
/// here until the main thread registers the text (see `report`).
pub(crate) const JIT_FILE: FileId = FileId(u32::MAX);

/// The relation a node builds (or a source names).
pub(crate) fn relation_of(details: &NodeDetails) -> RelationRef {
    let identifier = match &details.source {
        Some(source) => source.identifier.clone(),
        None => details.alias.clone(),
    };
    RelationRef {
        database: details.database.clone(),
        schema: details.schema.clone(),
        identifier,
    }
}

/// Whether running the node writes a relation: a seed, a snapshot, a
/// model that is not ephemeral.
pub(crate) fn writes_relation(details: &NodeDetails) -> bool {
    match details.kind {
        NodeKind::Model => !details.is_ephemeral(),
        NodeKind::Seed | NodeKind::Snapshot => true,
        _ => false,
    }
}

/// Whether a node is rebuilt from scratch: `--full-refresh`, unless the
/// node's `full_refresh` config says otherwise.
pub(crate) fn full_refresh_of(details: &NodeDetails, flag: bool) -> bool {
    details.config.full_refresh().unwrap_or(flag)
}

/// The node whose template or rendered SQL a file holds.
pub(crate) fn nodes_by_file(project: &Project) -> FxHashMap<FileId, NodeId> {
    let mut map = FxHashMap::default();
    for (index, details) in project.nodes.iter().enumerate() {
        let id = NodeId(index as u32);
        if let Some(rendered) = &details.rendered {
            map.entry(rendered.file).or_insert(id);
        }
        // Template files only: a YAML file documents many nodes.
        if matches!(
            details.kind,
            NodeKind::Model | NodeKind::Snapshot | NodeKind::Analysis
        ) || (details.kind == NodeKind::Test && details.test.is_none())
        {
            if let Some(file) = details.file {
                map.entry(file).or_insert(id);
            }
        }
    }
    map
}

/// A worker's connection, shared between the worker (which builds nodes
/// through it) and the run-time Jinja of the node it prepares (which
/// queries the warehouse through it as a [`Warehouse`]).
pub(crate) struct SharedConnection {
    connection: Mutex<Box<dyn Connection>>,
}

impl SharedConnection {
    pub(crate) fn new(connection: Box<dyn Connection>) -> Arc<SharedConnection> {
        Arc::new(SharedConnection {
            connection: Mutex::new(connection),
        })
    }

    /// The connection, for one statement or one node's build. A session
    /// the warehouse ended since its last use is replaced by a new one
    /// first (no transaction spans two locks); when that fails, the
    /// statements sent report why.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Box<dyn Connection>> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Ok(true) = connection.reopen_if_lost() {
            // The new session knows nothing the old one cached.
            connection.catalog_unknown();
        }
        connection
    }
}

impl Warehouse for SharedConnection {
    fn run_query(&self, sql: &str) -> Result<QueryTable, String> {
        let mut connection = self.lock();
        let result = connection.query(sql, None).map_err(|error| error.message);
        if crate::adapter::may_change_catalog(sql) {
            connection.catalog_unknown();
        }
        result
    }

    fn get_columns_in_relation(
        &self,
        relation: &RelationRef,
    ) -> Result<Vec<WarehouseColumn>, String> {
        self.lock().columns(relation).map_err(|error| error.message)
    }

    fn get_relation(&self, relation: &RelationRef) -> Result<Option<RelationKind>, String> {
        self.lock()
            .relation_kind(relation)
            .map_err(|error| error.message)
    }
}

/// What the worker decided to send for a node, before it runs.
pub(crate) struct Prepared {
    pub build: Build,
    /// `unlogged`, `indexes`, `grants`, `persist_docs`.
    pub options: RelationOptions,
    pub pre_hooks: Vec<String>,
    /// The `post-hook` templates, rendered once the build has run (see
    /// [`render_post_hooks`]).
    pub post_hooks: Vec<String>,
    /// The SQL as rendered just in time, when it was (introspective nodes).
    pub jit_sql: Option<(String, SourceMap)>,
    /// The compiled SQL (rendered, ephemeral CTEs injected).
    pub compiled: Option<String>,
}

/// A failure before the warehouse was asked to build anything.
pub(crate) struct PrepareFailure {
    pub message: String,
    pub diagnostics: Vec<Diagnostic>,
    pub jit_sql: Option<(String, SourceMap)>,
}

/// A failure told only by its message (the run reports it as the node's
/// failure, FC5002).
impl From<String> for PrepareFailure {
    fn from(message: String) -> PrepareFailure {
        PrepareFailure {
            message,
            diagnostics: Vec::new(),
            jit_sql: None,
        }
    }
}

fn string_config(details: &NodeDetails, key: &str) -> Option<String> {
    details
        .config
        .get(key)
        .and_then(|value| value.as_str().map(str::to_string))
}

/// Renders (just in time when needed), analyses (when the mode says so) and
/// turns the node into a [`Build`].
/// `is_incremental` is what `is_incremental()` answers: whether the
/// incremental model's relation exists.
pub(crate) fn prepare(
    context: &RunContext<'_>,
    shared: &Arc<SharedConnection>,
    id: NodeId,
    is_incremental: bool,
) -> Result<Prepared, PrepareFailure> {
    let project = context.project;
    let details = project.details(id);
    let mode = context.modes[id.index()];
    let options = run_render_options(context, shared, id, is_incremental);
    let mut jit_sql = None;
    let sql: Option<String> = if details.introspective {
        match project.render_node_at_run_time(id, &options) {
            Ok(rendered) => {
                jit_sql = Some((rendered.sql.clone(), rendered.source_map));
                Some(rendered.sql)
            }
            Err(diagnostic) => {
                return Err(PrepareFailure {
                    message: diagnostic.message.clone(),
                    diagnostics: vec![diagnostic],
                    jit_sql: None,
                })
            }
        }
    } else {
        details
            .rendered
            .as_ref()
            .map(|rendered| rendered.sql.to_string())
    };
    let pre_hooks: Result<Vec<String>, Diagnostic> = details
        .config
        .pre_hooks()
        .iter()
        .map(|hook| project.render_string(hook, Some(id), &options))
        .collect();
    let pre_hooks = match pre_hooks {
        Ok(hooks) => hooks,
        Err(diagnostic) => {
            return Err(PrepareFailure {
                message: diagnostic.message.clone(),
                diagnostics: vec![diagnostic],
                jit_sql,
            })
        }
    };
    drop(options);
    let mut connection = shared.lock();

    // Just-in-time analysis: unsafe nodes always (their ahead-of-time
    // analysis read guessed schemas), and any node rendered just now.
    // The compiled SQL (ephemeral parents injected as CTEs) is what runs,
    // and what is analysed: the analysis reads no ephemeral parent.
    let compiled = sql
        .as_deref()
        .map(|sql| crate::artifacts::compiled::compiled_sql_of(project, id, sql).into_owned());
    if let (Some(rendered), Some(sql)) = (&sql, &compiled) {
        let analyse =
            mode == AnalysisMode::Unsafe || (jit_sql.is_some() && mode != AnalysisMode::Off);
        if analyse && details.kind != NodeKind::Seed {
            // The relations the compiled SQL reads: the parents, and
            // through an ephemeral parent (a CTE in it) that one's parents.
            let mut read = Vec::new();
            let mut pending = project.graph.parents(id);
            while let Some(parent) = pending.pop() {
                if read.contains(&parent) {
                    continue;
                }
                read.push(parent);
                if project.details(parent).is_ephemeral() {
                    pending.extend(project.graph.parents(parent));
                }
            }
            let parents: Vec<_> = read
                .iter()
                .filter_map(|&parent| {
                    let parent_details = project.details(parent);
                    if parent_details.is_ephemeral() {
                        return None;
                    }
                    let name = crate::pipeline::relation_as_read(parent_details)?;
                    let columns = connection
                        .columns(&relation_of(parent_details))
                        .unwrap_or_default()
                        .into_iter()
                        .map(|column| (column.name, column.data_type))
                        .collect();
                    Some((name, columns))
                })
                .collect();
            let mut diagnostics = crate::pipeline::analyse_just_in_time(
                project,
                context.dialect,
                details,
                sql,
                JIT_FILE,
                &parents,
            );
            if mode == AnalysisMode::Baseline {
                for diagnostic in &mut diagnostics {
                    if diagnostic.is_error() {
                        diagnostic.severity = fusion_ir::severity::Severity::Warning;
                    }
                }
            }
            if diagnostics.iter().any(Diagnostic::is_error) {
                let first = diagnostics
                    .iter()
                    .find(|diagnostic| diagnostic.is_error())
                    .map(|diagnostic| diagnostic.message.clone())
                    .unwrap_or_default();
                // The diagnostics point into the analysed text: it is the
                // text reported, mapped back to the template when it is
                // the rendered text itself.
                let jit_sql = if sql == rendered {
                    jit_sql.or_else(|| {
                        let source_map = details
                            .rendered
                            .as_ref()
                            .map(|rendered| rendered.source_map.get().clone())
                            .unwrap_or_default();
                        Some((sql.clone(), source_map))
                    })
                } else {
                    Some((sql.clone(), SourceMap::default()))
                };
                return Err(PrepareFailure {
                    message: format!("static analysis (just in time) failed: {first}"),
                    diagnostics,
                    jit_sql,
                });
            }
        }
    }

    let build = match build_of(
        project,
        details,
        compiled.clone(),
        is_incremental,
        full_refresh_of(details, context.full_refresh),
        context.adapter.flavor(),
    ) {
        Ok(build) => build,
        Err(mut failure) => {
            failure.jit_sql = jit_sql;
            return Err(failure);
        }
    };
    let options = match relation_options(details) {
        Ok(options) => options,
        Err(mut failure) => {
            failure.jit_sql = jit_sql;
            return Err(failure);
        }
    };
    Ok(Prepared {
        build,
        options,
        pre_hooks,
        post_hooks: details.config.post_hooks(),
        jit_sql,
        compiled,
    })
}

/// How a node's Jinja renders while it runs: `is_incremental()` and
/// `flags` as the run has them, the node's connection answering
/// introspection.
fn run_render_options<'a>(
    context: &'a RunContext<'_>,
    shared: &Arc<SharedConnection>,
    id: NodeId,
    is_incremental: bool,
) -> RunRenderOptions<'a> {
    RunRenderOptions {
        is_incremental,
        full_refresh: full_refresh_of(context.project.details(id), context.full_refresh),
        which: context.kind.which(),
        warehouse: Some(shared.clone() as Arc<dyn Warehouse>),
        unit_test: None,
    }
}

/// Renders a node's `post-hook` templates once its build statement has
/// run, inside its transaction, as dbt renders them: a hook's Jinja may
/// read or write what the build made (`{% call statement %}` into `this`).
pub(crate) fn render_post_hooks(
    context: &RunContext<'_>,
    shared: &Arc<SharedConnection>,
    id: NodeId,
    is_incremental: bool,
    templates: &[String],
) -> Result<Vec<String>, Diagnostic> {
    let options = run_render_options(context, shared, id, is_incremental);
    templates
        .iter()
        .map(|hook| context.project.render_string(hook, Some(id), &options))
        .collect()
}

/// The node's `unlogged`, `indexes`, `grants` and `persist_docs` configs,
/// as dbt-postgres reads them; a malformed one fails the node.
fn relation_options(details: &NodeDetails) -> Result<RelationOptions, PrepareFailure> {
    let config = &details.config;
    let mut options = RelationOptions {
        unlogged: config
            .get("unlogged")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        ..RelationOptions::default()
    };
    let malformed = |key: &str, what: &str| -> PrepareFailure {
        format!("the `{key}` config of `{}` {what}", details.name).into()
    };
    match config.get("indexes") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Array(indexes)) => {
            for index in indexes {
                let columns: Option<Vec<String>> = index
                    .get("columns")
                    .and_then(serde_json::Value::as_array)
                    .and_then(|columns| {
                        columns
                            .iter()
                            .map(|column| column.as_str().map(str::to_string))
                            .collect()
                    });
                let Some(columns) = columns.filter(|columns| !columns.is_empty()) else {
                    return Err(malformed(
                        "indexes",
                        "has an index without `columns` (a list of column names)",
                    ));
                };
                options.indexes.push(crate::adapter::IndexConfig {
                    columns,
                    unique: index
                        .get("unique")
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(false),
                    method: index
                        .get("type")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string),
                });
            }
        }
        Some(_) => return Err(malformed("indexes", "must be a list of indexes")),
    }
    match config.get("grants") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Object(grants)) => {
            for (privilege, grantees) in grants {
                let grantees = match grantees {
                    serde_json::Value::String(grantee) => vec![grantee.clone()],
                    serde_json::Value::Array(list) => list
                        .iter()
                        .filter_map(|grantee| grantee.as_str().map(str::to_string))
                        .collect(),
                    _ => {
                        return Err(malformed(
                            "grants",
                            "must map each privilege to a grantee or a list of grantees",
                        ))
                    }
                };
                options.grants.push((privilege.clone(), grantees));
            }
        }
        Some(_) => return Err(malformed("grants", "must be a mapping of privileges")),
    }
    let persist = |key: &str| {
        config
            .get("persist_docs")
            .and_then(|persist| persist.get(key))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    };
    if persist("relation") && !details.description.is_empty() {
        options.relation_comment = Some(details.description.clone());
    }
    if persist("columns") {
        options.column_comments = details
            .columns
            .iter()
            .map(|column| (column.name.clone(), column.description.clone()))
            .collect();
    }
    Ok(options)
}

fn build_of(
    project: &Project,
    details: &NodeDetails,
    compiled: Option<String>,
    is_incremental: bool,
    full_refresh: bool,
    flavor: &dyn crate::adapter::SqlFlavor,
) -> Result<Build, PrepareFailure> {
    let need_sql = || {
        compiled.clone().ok_or_else(|| {
            format!(
                "{} `{}` has no SQL to run",
                details.kind.resource_type(),
                details.name
            )
        })
    };
    match details.kind {
        NodeKind::Seed => {
            // A package's seed lies in the package's folder.
            let path = project
                .package_root(&details.package_name)
                .join(&details.original_file_path);
            let columns = details
                .seed_columns
                .iter()
                .map(|column| (column.name.clone(), column.type_name.clone()))
                .collect();
            Ok(Build::Seed { path, columns })
        }
        NodeKind::Test => {
            let config = &details.config;
            let text = |key: &str, default: &str| {
                config
                    .get(key)
                    .and_then(|value| value.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| default.to_string())
            };
            let severity_error = !text("severity", "error").eq_ignore_ascii_case("warn");
            Ok(Build::Test {
                sql: need_sql()?,
                fail_calc: text("fail_calc", "count(*)"),
                warn_if: text("warn_if", "!= 0"),
                error_if: text("error_if", "!= 0"),
                limit: config.get("limit").and_then(serde_json::Value::as_u64),
                severity_error,
            })
        }
        NodeKind::Snapshot => {
            let unique_key = match details.config.get("unique_key") {
                Some(serde_json::Value::String(key)) => key.clone(),
                Some(serde_json::Value::Array(keys)) => keys
                    .iter()
                    .filter_map(|key| key.as_str())
                    .collect::<Vec<_>>()
                    .join(" || '|' || "),
                _ => return Err(format!("snapshot `{}` has no unique_key", details.name).into()),
            };
            let strategy = match string_config(details, "strategy").as_deref() {
                Some("timestamp") => SnapshotStrategy::Timestamp {
                    updated_at: string_config(details, "updated_at").ok_or_else(|| {
                        format!(
                            "snapshot `{}` uses the timestamp strategy without updated_at",
                            details.name
                        )
                    })?,
                },
                Some("check") => SnapshotStrategy::Check {
                    columns: match details.config.get("check_cols") {
                        Some(serde_json::Value::Array(columns)) => Some(
                            columns
                                .iter()
                                .filter_map(|column| column.as_str().map(str::to_string))
                                .collect(),
                        ),
                        _ => None,
                    },
                },
                other => {
                    return Err(format!(
                        "snapshot `{}` has strategy `{}`: use timestamp or check",
                        details.name,
                        other.unwrap_or("(none)")
                    )
                    .into())
                }
            };
            let invalidate_hard_deletes = details
                .config
                .get("invalidate_hard_deletes")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false)
                || string_config(details, "hard_deletes").as_deref() == Some("invalidate");
            Ok(Build::Snapshot {
                sql: need_sql()?,
                unique_key,
                strategy,
                invalidate_hard_deletes,
            })
        }
        NodeKind::Model => match details.config.materialization() {
            fusion_frontend::config::Materialization::View => Ok(Build::View { sql: need_sql()? }),
            fusion_frontend::config::Materialization::Table => {
                Ok(Build::Table { sql: need_sql()? })
            }
            fusion_frontend::config::Materialization::MaterializedView
                if flavor.materialized_views().is_some() =>
            {
                Ok(Build::MaterializedView {
                    sql: need_sql()?,
                    full_refresh,
                })
            }
            fusion_frontend::config::Materialization::Incremental => {
                let unique_key = details.config.unique_key();
                let strategy = match string_config(details, "incremental_strategy").as_deref() {
                    Some("append") => IncrementalStrategy::Append,
                    Some("merge") => IncrementalStrategy::Merge,
                    Some("delete+insert") => IncrementalStrategy::DeleteInsert,
                    None if unique_key.is_empty() => IncrementalStrategy::Append,
                    None => IncrementalStrategy::DeleteInsert,
                    Some(other) => {
                        return Err(format!(
                            "incremental_strategy `{other}` is not one fusionc runs: use append, merge or delete+insert"
                        )
                        .into())
                    }
                };
                let on_schema_change = match details.config.on_schema_change() {
                    None | Some("ignore") => OnSchemaChange::Ignore,
                    Some("fail") => OnSchemaChange::Fail,
                    Some("append_new_columns") => OnSchemaChange::AppendNewColumns,
                    Some("sync_all_columns") => OnSchemaChange::SyncAllColumns,
                    Some(other) => {
                        return Err(format!(
                            "on_schema_change `{other}`: use ignore, fail, append_new_columns or sync_all_columns"
                        )
                        .into())
                    }
                };
                Ok(Build::Incremental {
                    sql: need_sql()?,
                    incremental: is_incremental,
                    strategy,
                    unique_key,
                    on_schema_change,
                })
            }
            other => Err(unknown_materialization(details, other.name())),
        },
        NodeKind::Source | NodeKind::Analysis | NodeKind::UnitTest => Err(format!(
            "{} `{}` is not run",
            details.kind.resource_type(),
            details.name
        )
        .into()),
    }
}

/// FC5010: a model whose materialization fusionc cannot run, pointed at
/// where its template configures it (else at the template: the project or
/// its YAML configured it).
fn unknown_materialization(details: &NodeDetails, materialization: &str) -> PrepareFailure {
    let message = format!(
        "materialization `{materialization}` is not one fusionc runs: use view, table, incremental or ephemeral"
    );
    let mut diagnostic = Diagnostic::new(
        Code::UnknownMaterialization,
        format!(
            "model `{}` is materialized as `{materialization}`, which fusionc cannot run",
            details.name
        ),
    )
    .with_help("use view, table, incremental or ephemeral");
    if let Some(file) = details.file {
        diagnostic = match config_argument_span(&details.raw_code, "materialized") {
            Some(span) => diagnostic.with_primary(file, span, "configured here"),
            None => diagnostic.at(file, Span::EMPTY),
        };
    }
    PrepareFailure {
        message,
        diagnostics: vec![diagnostic],
        jit_sql: None,
    }
}
