//! `fusionc seed | run | snapshot | test | build`: analyse everything that
//! was selected ahead of time, and only then build it in the warehouse, in
//! DAG order, on `--threads` workers.
//!
//! The order of work, and why:
//! 1. Load and render the project (compile-time Jinja), select nodes.
//! 2. Open the warehouse and read, without writing, which incremental models
//!    already exist: their `is_incremental()` branch is what will run, so it
//!    is what gets rendered and analysed.
//! 3. Static analysis of every selected node, in the mode its config (or
//!    `--static-analysis`) asks for, never stricter than its parents'.
//!    Errors in `on` nodes stop the command before anything is written.
//! 4. `on-run-start` hooks, then the nodes (see [`scheduler`]), then
//!    `on-run-end`; artifacts last.

#![expect(
    clippy::result_large_err,
    reason = "a Diagnostic is the error of a node or of the run: one per failure, reported at once"
)]

pub mod materialize;
pub mod modes;
mod node;
mod report;
mod scheduler;

use crate::adapter::{Adapter, Connection};
use crate::cli::{exit_code, Output, SelectionArgs};
use crate::commands::{is_usage_error, load, report as report_diagnostics, select};
use clap::{Args, ValueEnum};
use fusion_frontend::runtime::{RelationKind, RunRenderOptions, Warehouse};
use fusion_frontend::{Project, Rendered};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{Diagnostic, Severity};
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::span::FileId;
use modes::AnalysisMode;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

/// Which command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunKind {
    Seed,
    Run,
    Snapshot,
    Test,
    Build,
}

impl RunKind {
    fn runs(self, kind: NodeKind) -> bool {
        match self {
            RunKind::Seed => kind == NodeKind::Seed,
            RunKind::Run => kind == NodeKind::Model,
            RunKind::Snapshot => kind == NodeKind::Snapshot,
            RunKind::Test => kind == NodeKind::Test,
            RunKind::Build => matches!(
                kind,
                NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot | NodeKind::Test
            ),
        }
    }

    /// `flags.WHICH` as dbt spells it.
    pub fn which(self) -> &'static str {
        match self {
            RunKind::Seed => "seed",
            RunKind::Run => "run",
            RunKind::Snapshot => "snapshot",
            RunKind::Test => "test",
            RunKind::Build => "build",
        }
    }
}

/// The static analysis modes a flag can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StaticAnalysisFlag {
    /// Analyse everything ahead of time; any error stops the command before it writes.
    On,
    /// Same as `on`.
    Strict,
    /// Analyse, but report findings as warnings.
    Baseline,
    /// Analyse just in time, after the node's parents ran.
    Unsafe,
    /// No analysis.
    Off,
}

/// Options of the commands that execute.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Worker threads (else the profile's `threads`).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Rebuild incremental models from scratch, and reload seeds.
    #[arg(long)]
    pub full_refresh: bool,
    /// Override every node's `static_analysis` config.
    #[arg(long, value_enum)]
    pub static_analysis: Option<StaticAnalysisFlag>,
}

/// Everything the workers share, read-only.
pub(crate) struct RunContext<'a> {
    pub project: &'a Project,
    pub dialect: &'static dyn fusion_dialects::Dialect,
    pub adapter: &'a dyn Adapter,
    pub kind: RunKind,
    pub full_refresh: bool,
    pub modes: Vec<AnalysisMode>,
    /// Incremental models whose relation exists (their `is_incremental()` is true).
    pub incremental_exists: Vec<bool>,
}

/// Runs `fusionc <kind>`; returns the exit code.
pub fn execute(kind: RunKind, arguments: &RunArgs, output: &mut Output<'_>) -> i32 {
    let started = Instant::now();
    let log_format = arguments.selection.project.log_format;
    let mut session = match load(&arguments.selection.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let selected: Vec<bool> = {
        let project = session.project();
        let chosen = match select(project, &arguments.selection, output) {
            Ok(selected) => selected,
            Err(code) => return code,
        };
        project
            .nodes
            .iter()
            .zip(chosen)
            .map(|(details, chosen)| chosen && kind.runs(details.kind))
            .collect()
    };
    let Ok(order) = session.project().graph.topological_order() else {
        // The cycle is among the load diagnostics.
        report_diagnostics(&session.load, &session.load.diagnostics, log_format, output);
        return exit_code::PROJECT_ERROR;
    };

    // ---- the warehouse ----
    let target = session.project().target.clone();
    let adapter = match open_adapter(session.project()) {
        Ok(adapter) => adapter,
        Err(diagnostic) => {
            report_diagnostics(&session.load, &[diagnostic], log_format, output);
            return exit_code::USAGE_ERROR;
        }
    };
    let main_connection = match adapter.connect() {
        Ok(connection) => node::SharedConnection::new(connection),
        Err(error) => {
            let diagnostic = Diagnostic::new(Code::WarehouseUnavailable, error.message);
            report_diagnostics(&session.load, &[diagnostic], log_format, output);
            return exit_code::USAGE_ERROR;
        }
    };

    // ---- which incremental models run incrementally ----
    let node_count = session.project().nodes.len();
    let mut incremental_exists = vec![false; node_count];
    let mut render_errors: Vec<Diagnostic> = Vec::new();
    {
        let project = session.project();
        for (index, details) in project.nodes.iter().enumerate() {
            if !selected[index]
                || details.kind != NodeKind::Model
                || details.config.materialization()
                    != fusion_frontend::config::Materialization::Incremental
            {
                continue;
            }
            let relation = node::relation_of(details);
            if let Ok(Some(RelationKind::Table)) = main_connection.lock().relation_kind(&relation) {
                incremental_exists[index] = !node::full_refresh_of(details, arguments.full_refresh);
            }
        }
    }
    let rerendered: Vec<(
        usize,
        Result<fusion_frontend::runtime::RunRendered, Diagnostic>,
    )> = {
        let project = session.project();
        (0..node_count)
            .filter(|&index| incremental_exists[index] && !project.nodes[index].introspective)
            .map(|index| {
                let options = RunRenderOptions {
                    is_incremental: true,
                    full_refresh: false,
                    which: kind.which(),
                    warehouse: Some(main_connection.clone() as Arc<dyn Warehouse>),
                };
                (
                    index,
                    project.render_node_at_run_time(NodeId(index as u32), &options),
                )
            })
            .collect()
    };
    for (index, result) in rerendered {
        match result {
            Ok(rendered) => {
                let path = {
                    let project = session.project();
                    let details = &project.nodes[index];
                    format!(
                        "{}/compiled/{}/{} (incremental)",
                        project.settings.target_path,
                        details.package_name,
                        details.original_file_path
                    )
                };
                let file: FileId = session.load.files.add(path, rendered.sql.as_str());
                if let Some(project) = session.load.project.as_mut() {
                    project.nodes[index].rendered = Some(Rendered {
                        sql: std::sync::Arc::from(rendered.sql.as_str()),
                        file,
                        source_map: fusion_frontend::LazySourceMap::built(rendered.source_map),
                    });
                }
            }
            Err(diagnostic) => render_errors.push(diagnostic),
        }
    }

    // ---- static analysis ----
    let project = session.project();
    let (modes, mode_errors) = modes::effective_modes(project, &order, arguments.static_analysis);
    if !mode_errors.is_empty() {
        report_diagnostics(&session.load, &mode_errors, log_format, output);
        return exit_code::USAGE_ERROR;
    }
    let analysed: Vec<bool> = selected
        .iter()
        .zip(&modes)
        .map(|(&selected, &mode)| selected && mode != AnalysisMode::Off)
        .collect();
    let analysis = crate::pipeline::analyse(
        project,
        session.dialect,
        &order,
        &analysed,
        &session.load.diagnostics,
    );
    let output_schemas: Vec<fusion_ir::schema::RelationSchema> = analysis
        .schemas
        .iter()
        .map(|schema| schema.output.clone())
        .collect();
    let node_of_file = node::nodes_by_file(project);
    let mut shown: Vec<Diagnostic> = Vec::new();
    let mut blocking: Vec<Diagnostic> = Vec::new();
    // Nodes that cannot run whatever the mode: their Jinja did not render.
    let mut broken: Vec<Option<Diagnostic>> = vec![None; node_count];
    for diagnostic in session.load.diagnostics.iter().chain(&render_errors) {
        let owner = diagnostic
            .primary
            .as_ref()
            .and_then(|label| node_of_file.get(&label.location.file).copied());
        match owner {
            Some(id) if !selected[id.index()] => {}
            Some(id) if diagnostic.is_error() => {
                if modes[id.index()] >= AnalysisMode::On {
                    blocking.push(diagnostic.clone());
                } else {
                    broken[id.index()].get_or_insert_with(|| diagnostic.clone());
                    shown.push(diagnostic.clone());
                }
            }
            Some(_) => shown.push(diagnostic.clone()),
            None if diagnostic.is_error() => blocking.push(diagnostic.clone()),
            None => shown.push(diagnostic.clone()),
        }
    }
    for diagnostic in &analysis.diagnostics {
        let owner = diagnostic
            .primary
            .as_ref()
            .and_then(|label| node_of_file.get(&label.location.file).copied());
        let mode = owner.map_or(AnalysisMode::On, |id| modes[id.index()]);
        match mode {
            AnalysisMode::Off => {}
            // Analysed again just in time, against the warehouse.
            AnalysisMode::Unsafe if diagnostic.is_error() => {}
            AnalysisMode::Baseline if diagnostic.is_error() => {
                shown.push(diagnostic.clone().with_severity(Severity::Warning));
            }
            _ if diagnostic.is_error() => blocking.push(diagnostic.clone()),
            _ => shown.push(diagnostic.clone()),
        }
    }
    if blocking.iter().any(is_usage_error) {
        report_diagnostics(&session.load, &blocking, log_format, output);
        return exit_code::USAGE_ERROR;
    }
    if !blocking.is_empty() {
        let count = blocking.len();
        let mut all = shown;
        all.extend(blocking);
        all.push(
            Diagnostic::new(
                Code::StaticAnalysisBlockedRun,
                format!(
                    "static analysis found {count} error{} in the selected nodes: nothing was executed",
                    if count == 1 { "" } else { "s" }
                ),
            )
            .with_help("fix the errors above, or lower the `static_analysis` of the nodes concerned (baseline reports findings as warnings; off skips analysis)"),
        );
        report_diagnostics(&session.load, &all, log_format, output);
        return exit_code::PROJECT_ERROR;
    }
    report_diagnostics(&session.load, &shown, log_format, output);

    // ---- execution ----
    let threads = arguments
        .threads
        .unwrap_or(target.threads.max(1) as usize)
        .clamp(1, 64);
    let context = RunContext {
        project,
        dialect: session.dialect,
        adapter: adapter.as_ref(),
        kind,
        full_refresh: arguments.full_refresh,
        modes,
        incremental_exists,
    };
    let run_options = RunRenderOptions {
        is_incremental: false,
        full_refresh: arguments.full_refresh,
        which: kind.which(),
        warehouse: None,
    };
    let mut outcome = report::RunReport::new(output.color);
    outcome.concurrency(threads, &project.target.target_name, output);
    // Every schema the selected nodes build in, created once up front (as
    // dbt does): concurrent `create schema` statements from several workers
    // conflict in the warehouse.
    if let Err(diagnostic) = create_schemas(&context, &selected, &main_connection) {
        report_diagnostics(&session.load, &[diagnostic], log_format, output);
        return exit_code::PROJECT_ERROR;
    }
    let hook_failure = run_project_hooks(
        &context,
        &main_connection,
        &project.settings.on_run_start,
        "on-run-start",
        &run_options,
        &mut outcome,
        output,
    );
    let results = if hook_failure {
        Vec::new()
    } else {
        scheduler::run_nodes(&context, &selected, &broken, threads, &mut outcome, output)
    };
    if !hook_failure {
        run_project_hooks(
            &context,
            &main_connection,
            &project.settings.on_run_end,
            "on-run-end",
            &run_options,
            &mut outcome,
            output,
        );
    }
    drop(main_connection);
    let jit_files =
        report::report_node_diagnostics(&mut session.load, &results, log_format, output);
    let project = session.project();
    // dbt writes the manifest and the compiled SQL on every run, beside the
    // run's own artifacts.
    let mut compiled_sql: Vec<Option<Cow<'_, str>>> = vec![None; project.nodes.len()];
    for result in &results {
        if let Some(sql) = &result.compiled {
            compiled_sql[result.id.index()] = Some(Cow::Borrowed(sql.as_str()));
        }
    }
    for (index, details) in project.nodes.iter().enumerate() {
        if selected[index] && compiled_sql[index].is_none() && details.rendered.is_some() {
            compiled_sql[index] = crate::compiled::compiled_sql(project, NodeId(index as u32));
        }
    }
    let written = crate::commands::write_artifacts(
        project,
        &compiled_sql,
        &output_schemas,
        session.dialect.semantics(),
    )
    .and_then(|_| report::write_run_artifacts(project, kind, &results, started, arguments));
    if let Err(error) = written {
        let _ = writeln!(
            output.stderr,
            "error: could not write the run artifacts: {error}"
        );
    }
    let _ = jit_files;
    outcome.print_summary(project, &results, started, output);
    if outcome.failed(&results) {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    }
}

/// Creates the schemas of the selected nodes that write a relation.
fn create_schemas(
    context: &RunContext<'_>,
    selected: &[bool],
    connection: &node::SharedConnection,
) -> Result<(), Diagnostic> {
    let mut schemas: Vec<(Option<String>, String)> = Vec::new();
    for (index, details) in context.project.nodes.iter().enumerate() {
        let writes = match details.kind {
            NodeKind::Seed | NodeKind::Snapshot => true,
            NodeKind::Model => {
                details.config.materialization()
                    != fusion_frontend::config::Materialization::Ephemeral
            }
            _ => false,
        };
        if !selected[index] || !writes {
            continue;
        }
        let relation = node::relation_of(details);
        if let Some(schema) = relation.schema {
            let key = (relation.database, schema);
            if !schemas.contains(&key) {
                schemas.push(key);
            }
        }
    }
    let mut connection = connection.lock();
    for (database, schema) in schemas {
        let sql = context
            .adapter
            .flavor()
            .create_schema(database.as_deref(), &schema);
        connection.execute(&sql).map_err(|error| {
            Diagnostic::new(
                Code::WarehouseUnavailable,
                format!("cannot create schema `{schema}`: {}", error.message),
            )
        })?;
    }
    Ok(())
}

/// Runs `on-run-start` or `on-run-end`; true when one failed.
fn run_project_hooks(
    context: &RunContext<'_>,
    connection: &Arc<node::SharedConnection>,
    hooks: &[String],
    label: &str,
    options: &RunRenderOptions<'_>,
    outcome: &mut report::RunReport,
    output: &mut Output<'_>,
) -> bool {
    if hooks.is_empty() {
        return false;
    }
    let _ = writeln!(
        output.stdout,
        "Running {} {label} hook{}",
        hooks.len(),
        if hooks.len() == 1 { "" } else { "s" }
    );
    for (index, hook) in hooks.iter().enumerate() {
        let started = Instant::now();
        let options = RunRenderOptions {
            is_incremental: false,
            full_refresh: options.full_refresh,
            which: options.which,
            warehouse: Some(connection.clone() as Arc<dyn Warehouse>),
        };
        let sql = context.project.render_string(hook, None, &options);
        let result = match sql {
            Ok(sql) if sql.trim().is_empty() => Ok(()),
            Ok(sql) => {
                let mut connection = connection.lock();
                let result = connection.execute(&sql).map_err(|error| error.message);
                if crate::adapter::may_change_catalog(&sql) {
                    connection.catalog_unknown();
                }
                result
            }
            Err(diagnostic) => Err(diagnostic.message),
        };
        let name = format!(
            "{}-on-run-{}-{index}",
            context.project.name,
            if label == "on-run-start" {
                "start"
            } else {
                "end"
            }
        );
        match result {
            Ok(()) => {
                let _ = writeln!(
                    output.stdout,
                    "{} of {} OK hook: {name} [OK in {:.2}s]",
                    index + 1,
                    hooks.len(),
                    started.elapsed().as_secs_f64()
                );
            }
            Err(message) => {
                let _ = writeln!(
                    output.stdout,
                    "{} of {} ERROR hook: {name} [ERROR in {:.2}s]",
                    index + 1,
                    hooks.len(),
                    started.elapsed().as_secs_f64()
                );
                outcome
                    .hook_errors
                    .push(format!("{label} hook {name} failed: {message}"));
                return true;
            }
        }
    }
    false
}

/// Opens the warehouse the profile's target names.
pub(crate) fn open_adapter(project: &Project) -> Result<Box<dyn Adapter>, Diagnostic> {
    let target = &project.target;
    match target.adapter_type.as_str() {
        "duckdb" => {
            let path = target
                .path
                .clone()
                .unwrap_or_else(|| ":memory:".to_string());
            let options = crate::adapter::duckdb::DuckDbSessionOptions::from_target(&target.extra);
            crate::adapter::duckdb::DuckDbAdapter::open_with(&path, &options)
                .map(|adapter| Box::new(adapter) as Box<dyn Adapter>)
                .map_err(|error| {
                    Diagnostic::new(Code::WarehouseUnavailable, error.message).with_help(format!(
                        "check `path` of target `{}` in profile `{}`",
                        target.target_name, target.profile_name
                    ))
                })
        }
        other => Err(Diagnostic::new(
            Code::UnsupportedAdapter,
            format!("fusionc cannot run projects on `{other}` yet: it runs them on duckdb"),
        )
        .with_help("`fusionc compile` analyses the project for any supported dialect")),
    }
}

/// A connection as run-time Jinja sees the warehouse.
pub(crate) fn shared_connection(connection: Box<dyn Connection>) -> Arc<node::SharedConnection> {
    node::SharedConnection::new(connection)
}

/// A node's relation, quoted as the adapter spells it.
pub(crate) fn quoted_relation(
    adapter: &dyn Adapter,
    details: &fusion_frontend::NodeDetails,
) -> String {
    adapter.flavor().quoted(&node::relation_of(details))
}
