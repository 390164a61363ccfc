//! `fusionc seed | run | snapshot | test | build`: analyse everything that
//! was selected ahead of time, and only then build it in the warehouse, in
//! DAG order, on `--threads` workers.
//!
//! [`execute`] is the pipeline; each of its phases is a function below with
//! its inputs and outputs in its signature, and `execute` says why each
//! comes where it does. The parts: `context` (what the phases and workers
//! share), `modes` (static analysis modes), `node` (one node's preparation),
//! `hooks` (schemas and project hooks), `scheduler` (which nodes run, in
//! what order, on which worker, and what a failure skips), `execute` (one
//! node on its worker), `materialize` (the SQL of each materialization),
//! `report` (the console).

#![expect(
    clippy::result_large_err,
    reason = "a Diagnostic is the error of a node or of the run: one per failure, reported at once"
)]

pub mod context;
mod execute;
mod explain;
mod hooks;
pub mod materialize;
pub mod modes;
pub(crate) mod node;
pub(crate) mod report;
mod scheduler;
mod unit_test;

use crate::adapter::Adapter;
use crate::artifacts::run_results::write_run_results;
use crate::cli::{exit_code, LogFormat, Output, RunArgs};
use crate::session::{is_usage_error, load_session, report_diagnostics, select_nodes, Session};
use context::{RunContext, RunKind};
use fusion_frontend::runtime::{RelationKind, RunRenderOptions, RunRendered, Warehouse};
use fusion_frontend::{Project, Rendered};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::schema::RelationSchema;
use fusion_ir::severity::Severity;
use fusion_ir::span::FileId;
use modes::AnalysisMode;
use node::SharedConnection;
use report::{NodeResult, RunReport};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

/// Runs `fusionc <kind>`; returns the exit code.
pub fn execute(kind: RunKind, arguments: &RunArgs, output: &mut Output<'_>) -> i32 {
    run_phases(kind, arguments, output).unwrap_or_else(|code| code)
}

/// The phases of a run, in order. A phase that stops the command has
/// already reported why, and returns the exit code as its error.
fn run_phases(kind: RunKind, arguments: &RunArgs, output: &mut Output<'_>) -> Result<i32, i32> {
    let started = Instant::now();
    let log_format = arguments.selection.project.log_format;
    // 1. Load and render the project (compile-time Jinja) and select: a bad
    //    project or selector stops the command before the warehouse opens.
    let mut session = load_session(&arguments.selection.project, output)?;
    let (selected, order) = select_nodes_to_run(&session, kind, arguments, output)?;
    // 2. Open the warehouse and read, without writing, which incremental
    //    models already exist: their `is_incremental()` branch is what will
    //    run, so it is rendered again before analysis sees it.
    let warehouse = open_warehouse(&session, arguments.wait, log_format, output)?;
    // 2b. The state: each node's hash, of its code as compiled ahead of
    //     time (so before incremental models are rendered again). Which
    //     nodes are built and which reused is decided right before they
    //     run (phase 4); `--explain` decides now, prints that and stops.
    let state_prep = prepare_state(&session, kind, arguments, &selected, &order);
    let incremental = render_existing_incremental_models(
        &mut session,
        kind,
        &selected,
        &warehouse.main_connection,
        arguments.full_refresh,
    );
    // 3. Static analysis of every selected node, in the mode its config (or
    //    `--static-analysis`) asks for, never stricter than its parents'.
    //    Errors in `on` nodes stop the command here, before anything is
    //    written to the warehouse.
    let analysed = analyse_before_writing(
        &session,
        &order,
        &selected,
        &incremental.render_errors,
        arguments,
        state_prep.mode == crate::state::StateMode::Aware,
        output,
    )?;
    // `--explain` decides as the run would, after the same analysis (its
    // column lineage decides column-level reuse), prints and stops.
    if arguments.explain {
        return explain_state(
            &session,
            state_prep,
            &selected,
            &order,
            &analysed.column_reads,
            &warehouse,
            log_format,
            output,
        );
    }
    // 4. Schedule and execute, only now that everything selected was
    //    analysed: schemas, `on-run-start` hooks, the nodes along the DAG on
    //    worker threads (the scheduler plans as it dispatches, see
    //    [`scheduler`]), `on-run-end` hooks.
    let context = RunContext {
        project: session.project(),
        dialect: session.dialect,
        adapter: warehouse.adapter.as_ref(),
        kind,
        full_refresh: arguments.full_refresh,
        modes: analysed.modes,
        incremental_exists: incremental.exists,
        output_schemas: &analysed.output_schemas,
        state: std::sync::OnceLock::new(),
    };
    let mut console = RunReport::new(output.color);
    let mut state_warnings: Vec<Diagnostic> = Vec::new();
    let executed = execute_in_warehouse(
        &context,
        &selected,
        &analysed.broken,
        &warehouse.main_connection,
        arguments.threads,
        StateStep {
            prep: Some(state_prep),
            order: &order,
            column_reads: &analysed.column_reads,
            warnings: &mut state_warnings,
        },
        &mut console,
        output,
    );
    // The workers are done: what follows reads the results, not the
    // warehouse (the adapter itself stays open until the command returns).
    let state = context.state.into_inner();
    report_diagnostics(&session.load, &state_warnings, log_format, output);
    let results = executed.map_err(|diagnostic| {
        report_diagnostics(&session.load, &[diagnostic], log_format, output);
        exit_code::PROJECT_ERROR
    })?;
    if let Some(plan) = &state {
        log_outcomes(session.project(), plan, &results, &warehouse, output);
    }
    drop(warehouse.main_connection);
    // 5. Report the failed nodes' diagnostics, once every node has finished,
    //    so they are not interleaved with the nodes' lines.
    report::report_node_diagnostics(&mut session.load, &results, log_format, output);
    // 6. Write the artifacts: those of `compile` (dbt writes them on every
    //    run) and the run's own; then the summary, the last thing the user
    //    reads.
    let written = write_results(
        &session,
        kind,
        arguments,
        &selected,
        &results,
        &analysed.output_schemas,
        started,
    );
    if let Err(error) = written {
        let _ = writeln!(
            output.stderr,
            "error: could not write the run artifacts: {error}"
        );
    }
    console.print_summary(session.project(), &results, started, output);
    Ok(if console.failed(&results) {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    })
}

/// Phase 1: which nodes the command runs (selected, and of a kind it runs)
/// and the project's DAG order.
fn select_nodes_to_run(
    session: &Session,
    kind: RunKind,
    arguments: &RunArgs,
    output: &mut Output<'_>,
) -> Result<(Vec<bool>, Vec<NodeId>), i32> {
    let selection = &arguments.selection;
    let project = session.project();
    let chosen = select_nodes(session, selection, output)?;
    let of_wanted_type = |details: &fusion_frontend::NodeDetails| {
        let resource_type = details.kind.resource_type();
        arguments.resource_type.is_empty()
            || arguments
                .resource_type
                .iter()
                .any(|wanted| wanted == resource_type)
    };
    let mut selected: Vec<bool> = project
        .nodes
        .iter()
        .zip(chosen)
        .map(|(details, chosen)| chosen && kind.runs(details.kind) && of_wanted_type(details))
        .collect();
    // `build` runs a unit test right before its model, and so only when
    // its model is selected too (dbt's `build -s test_type:unit` runs
    // nothing).
    if kind == RunKind::Build {
        for unit_test in &project.unit_tests {
            if !selected[unit_test.model.index()] {
                selected[unit_test.node.index()] = false;
            }
        }
    }
    let Ok(order) = project.graph.topological_order() else {
        // The cycle is among the load diagnostics.
        report_diagnostics(
            &session.load,
            &session.load.diagnostics,
            selection.project.log_format,
            output,
        );
        return Err(exit_code::PROJECT_ERROR);
    };
    Ok((selected, order))
}

/// The warehouse of the profile's target, with the connection the run uses
/// outside the workers (introspection, schemas, hooks).
struct OpenWarehouse {
    adapter: Box<dyn Adapter>,
    main_connection: Arc<SharedConnection>,
}

/// Phase 2a: opens the warehouse and its main connection. With `--wait`, a
/// warehouse another process holds (a DuckDB file being built by another
/// job) is tried again until it is free; without, the run stops at once
/// and says who holds it.
fn open_warehouse(
    session: &Session,
    wait: bool,
    log_format: LogFormat,
    output: &mut Output<'_>,
) -> Result<OpenWarehouse, i32> {
    let mut said_waiting = false;
    loop {
        match crate::session::try_connect_to_warehouse(session) {
            Ok(warehouse) => {
                return Ok(OpenWarehouse {
                    adapter: warehouse.adapter,
                    main_connection: SharedConnection::new(warehouse.connection),
                })
            }
            Err((_, true)) if wait => {
                if !std::mem::replace(&mut said_waiting, true) {
                    let _ = writeln!(
                        output.stderr,
                        "Waiting for the warehouse: another process holds it (--wait)"
                    );
                }
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            Err((diagnostic, _)) => {
                report_diagnostics(&session.load, &[diagnostic], log_format, output);
                return Err(exit_code::USAGE_ERROR);
            }
        }
    }
}

/// What phase 2b found out about the selected incremental models.
struct IncrementalModels {
    /// Per node: an incremental model whose relation exists, so its
    /// `is_incremental()` is true (unless a full refresh was asked for).
    exists: Vec<bool>,
    /// The errors of rendering those models again.
    render_errors: Vec<Diagnostic>,
}

/// Phase 2b: finds the selected incremental models whose relation exists
/// and renders them again with `is_incremental()` true, replacing their
/// rendered SQL in the session. Introspective models are left to be
/// rendered just in time.
fn render_existing_incremental_models(
    session: &mut Session,
    kind: RunKind,
    selected: &[bool],
    main_connection: &Arc<SharedConnection>,
    full_refresh: bool,
) -> IncrementalModels {
    let node_count = session.project().nodes.len();
    let mut exists = vec![false; node_count];
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
                exists[index] = !node::full_refresh_of(details, full_refresh);
            }
        }
    }
    let rerendered: Vec<(usize, Result<RunRendered, Diagnostic>)> = {
        let project = session.project();
        (0..node_count)
            .filter(|&index| exists[index] && !project.nodes[index].introspective)
            .map(|index| {
                let options = RunRenderOptions {
                    is_incremental: true,
                    full_refresh: false,
                    which: kind.which(),
                    warehouse: Some(main_connection.clone() as Arc<dyn Warehouse>),
                    unit_test: None,
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
                        sql: Arc::from(rendered.sql.as_str()),
                        file,
                        source_map: fusion_frontend::LazySourceMap::built(rendered.source_map),
                    });
                }
            }
            Err(diagnostic) => render_errors.push(diagnostic),
        }
    }
    IncrementalModels {
        exists,
        render_errors,
    }
}

/// What phase 3 hands to execution.
struct AnalysedRun {
    /// Each node's effective static analysis mode.
    modes: Vec<AnalysisMode>,
    /// Each node's inferred output schema, for `manifest.json` and
    /// `catalog.json`.
    output_schemas: Vec<RelationSchema>,
    /// Nodes that cannot run whatever their mode: their Jinja did not
    /// render. Their scheduler reports this error instead of running them.
    broken: Vec<Option<Diagnostic>>,
    /// What each node reads of its parents (column lineage), for the
    /// state's column-level impact; empty when the run is not state-aware.
    column_reads: crate::state::decide::ColumnReads,
}

/// Phase 3: static analysis of the selected nodes in their modes. Reports
/// what it found; errors that block the run (usage errors, errors in nodes
/// analysed ahead of time) stop the command with their exit code.
fn analyse_before_writing(
    session: &Session,
    order: &[NodeId],
    selected: &[bool],
    render_errors: &[Diagnostic],
    arguments: &RunArgs,
    state_aware: bool,
    output: &mut Output<'_>,
) -> Result<AnalysedRun, i32> {
    let flag = arguments.static_analysis;
    let log_format = arguments.selection.project.log_format;
    let project = session.project();
    let (modes, mode_errors) = modes::effective_modes(project, order, flag);
    if !mode_errors.is_empty() {
        report_diagnostics(&session.load, &mode_errors, log_format, output);
        return Err(exit_code::USAGE_ERROR);
    }
    let analysed: Vec<bool> = selected
        .iter()
        .zip(&modes)
        .map(|(&selected, &mode)| selected && mode != AnalysisMode::Off)
        .collect();
    let analysis = crate::pipeline::analyse(
        project,
        session.dialect,
        order,
        &analysed,
        &session.load.diagnostics,
    );
    let output_schemas: Vec<RelationSchema> = analysis
        .schemas
        .iter()
        .map(|schema| schema.output.clone())
        .collect();
    let column_reads = if state_aware {
        let lineage = crate::artifacts::lineage::lineage_of_project(project, order, &analysis);
        crate::state::decide::column_reads(project, &lineage)
    } else {
        vec![None; project.nodes.len()]
    };
    let found = sort_diagnostics_by_mode(
        session,
        order,
        selected,
        &modes,
        render_errors,
        &analysis.diagnostics,
    );
    if found.blocking.iter().any(is_usage_error) {
        report_diagnostics(&session.load, &found.blocking, log_format, output);
        return Err(exit_code::USAGE_ERROR);
    }
    if !found.blocking.is_empty() {
        let count = found.blocking.len();
        let mut all = found.shown;
        all.extend(found.blocking);
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
        return Err(exit_code::PROJECT_ERROR);
    }
    report_diagnostics(&session.load, &found.shown, log_format, output);
    Ok(AnalysedRun {
        modes,
        output_schemas,
        broken: found.broken,
        column_reads,
    })
}

/// The diagnostics of loading, rendering and analysis, sorted by what they
/// mean for the run.
struct SortedDiagnostics {
    /// Shown, and the run goes on.
    shown: Vec<Diagnostic>,
    /// Stop the run before anything is written.
    blocking: Vec<Diagnostic>,
    /// Per node: the first render error of a node that is not analysed
    /// ahead of time, so it fails when its turn comes.
    broken: Vec<Option<Diagnostic>>,
}

/// Sorts diagnostics by the mode of the node they are in: an error blocks
/// the run in `on` nodes, is a warning in `baseline` nodes, waits for the
/// just-in-time analysis in `unsafe` nodes, and is dropped in `off` nodes.
/// Diagnostics of unselected nodes are dropped; those of no node block.
fn sort_diagnostics_by_mode(
    session: &Session,
    order: &[NodeId],
    selected: &[bool],
    modes: &[AnalysisMode],
    render_errors: &[Diagnostic],
    analysis_diagnostics: &[Diagnostic],
) -> SortedDiagnostics {
    let node_of_file = node::nodes_by_file(session.project());
    let unread = unread_ephemeral_models(session.project(), order, selected);
    let mut shown: Vec<Diagnostic> = Vec::new();
    let mut blocking: Vec<Diagnostic> = Vec::new();
    let mut broken: Vec<Option<Diagnostic>> = vec![None; selected.len()];
    for diagnostic in session.load.diagnostics.iter().chain(render_errors) {
        let owner = diagnostic
            .primary
            .as_ref()
            .and_then(|label| node_of_file.get(&label.location.file).copied());
        match owner {
            Some(id) if !selected[id.index()] => {}
            Some(id) if unread[id.index()] && diagnostic.is_error() => {
                shown.push(never_run(diagnostic));
            }
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
    for diagnostic in analysis_diagnostics {
        let owner = diagnostic
            .primary
            .as_ref()
            .and_then(|label| node_of_file.get(&label.location.file).copied());
        let mode = owner.map_or(AnalysisMode::On, |id| modes[id.index()]);
        if owner.is_some_and(|id| unread[id.index()]) && diagnostic.is_error() {
            if mode != AnalysisMode::Off {
                shown.push(never_run(diagnostic));
            }
            continue;
        }
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
    SortedDiagnostics {
        shown,
        blocking,
        broken,
    }
}

/// The ephemeral models whose SQL no selected node will run: none of the
/// selected nodes that run SQL of their own (models that are not
/// ephemeral, snapshots, tests) reads them, directly or through other
/// ephemeral models. dbt never compiles such a model into anything it
/// runs, so its faults cannot stop a run (dbt-project-evaluator's
/// integration tests keep deliberately broken models that way).
fn unread_ephemeral_models(project: &Project, order: &[NodeId], selected: &[bool]) -> Vec<bool> {
    let mut read = vec![false; project.nodes.len()];
    for &id in order.iter().rev() {
        if !project.details(id).is_ephemeral() {
            continue;
        }
        read[id.index()] = project.graph.children(id).iter().any(|&child| {
            selected[child.index()]
                && (!project.details(child).is_ephemeral() || read[child.index()])
        });
    }
    project
        .nodes
        .iter()
        .zip(read)
        .map(|(details, read)| details.is_ephemeral() && !read)
        .collect()
}

/// An error of an ephemeral model no selected node reads, shown as a
/// warning: the run never executes its SQL.
fn never_run(diagnostic: &Diagnostic) -> Diagnostic {
    diagnostic
        .clone()
        .with_severity(Severity::Warning)
        .with_help("this ephemeral model is read by no selected node, so the run never executes it")
}

/// Phase 4: everything the run writes to the warehouse, in order: the
/// schemas, `on-run-start` hooks, the nodes, `on-run-end` hooks. Returns
/// the nodes' results (none when an `on-run-start` hook failed), or the
/// error that stopped the run before any node started.
#[expect(
    clippy::too_many_arguments,
    reason = "phase 4's inputs, each from a different earlier phase"
)]
fn execute_in_warehouse(
    context: &RunContext<'_>,
    selected: &[bool],
    broken: &[Option<Diagnostic>],
    main_connection: &Arc<SharedConnection>,
    threads: Option<usize>,
    state: StateStep<'_>,
    console: &mut RunReport,
    output: &mut Output<'_>,
) -> Result<Vec<NodeResult>, Diagnostic> {
    let project = context.project;
    let threads = threads
        .unwrap_or(project.target.threads.max(1) as usize)
        .clamp(1, 64);
    let run_options = RunRenderOptions {
        is_incremental: false,
        full_refresh: context.full_refresh,
        which: context.kind.which(),
        warehouse: None,
        unit_test: None,
    };
    console.concurrency(threads, &project.target.target_name, output);
    // Every schema the selected nodes build in, created once up front (as
    // dbt does): concurrent `create schema` statements from several workers
    // conflict in the warehouse.
    hooks::create_schemas(context, selected, main_connection)?;
    let hook_failure = hooks::run_project_hooks(
        context,
        main_connection,
        &project.settings.on_run_start,
        "on-run-start",
        &run_options,
        console,
        output,
    );
    if hook_failure {
        return Ok(Vec::new());
    }
    // The state-aware decisions, now that the hooks have run: data they
    // loaded counts as new.
    if let Some(prep) = state.prep {
        let planned = {
            let mut connection = main_connection.lock();
            let planned = crate::state::plan(
                prep,
                project,
                state.order,
                selected,
                state.column_reads,
                connection.as_mut(),
                context.adapter.flavor(),
            );
            // The store's statements may have created its schema.
            connection.catalog_unknown();
            planned
        };
        // Where several jobs may write at once, each node's build takes
        // its lease first (see `state::lease`).
        let planned = planned.and_then(|mut plan| {
            if !context.adapter.exclusive_writer() {
                plan.start_leases(context.adapter)?;
            }
            Ok(plan)
        });
        match planned {
            Ok(plan) => {
                let _ = context.state.set(plan);
            }
            Err(error) => state.warnings.push(store_unavailable(&error)),
        }
    }
    let results = scheduler::run_nodes(context, selected, broken, threads, console, output);
    hooks::run_project_hooks(
        context,
        main_connection,
        &project.settings.on_run_end,
        "on-run-end",
        &run_options,
        console,
        output,
    );
    Ok(results)
}

/// Phase 6: the artifacts. dbt writes the manifest and the compiled SQL on
/// every run, beside the run's own `run_results.json` and executed SQL; a
/// node's compiled SQL is what it ran when it ran, else its rendered SQL.
fn write_results(
    session: &Session,
    kind: RunKind,
    arguments: &RunArgs,
    selected: &[bool],
    results: &[NodeResult],
    output_schemas: &[RelationSchema],
    started: Instant,
) -> std::io::Result<()> {
    let project = session.project();
    let mut compiled_sql: Vec<Option<Cow<'_, str>>> = vec![None; project.nodes.len()];
    for result in results {
        if let Some(sql) = &result.compiled {
            compiled_sql[result.id.index()] = Some(Cow::Borrowed(sql.as_str()));
        }
    }
    for (index, details) in project.nodes.iter().enumerate() {
        if selected[index] && compiled_sql[index].is_none() && details.rendered.is_some() {
            compiled_sql[index] =
                crate::artifacts::compiled::compiled_sql(project, NodeId(index as u32));
        }
    }
    crate::artifacts::write_compile_artifacts(
        project,
        &compiled_sql,
        output_schemas,
        session.dialect.semantics(),
    )?;
    write_run_results(project, kind, results, started, arguments)
}

/// The state step of phase 4: what phase 2b prepared, and where the
/// warnings of a store that cannot be used go.
struct StateStep<'a> {
    prep: Option<crate::state::StatePrep>,
    order: &'a [NodeId],
    column_reads: &'a crate::state::decide::ColumnReads,
    warnings: &'a mut Vec<Diagnostic>,
}

/// Phase 2b: the state-aware half of the plan that needs no warehouse.
fn prepare_state(
    session: &Session,
    kind: RunKind,
    arguments: &RunArgs,
    selected: &[bool],
    order: &[NodeId],
) -> crate::state::StatePrep {
    use crate::state::{store, StateMode};
    let project = session.project();
    let mode = if arguments.force_node_selection {
        StateMode::Forced("Forced: --force-node-selection builds every selected node")
    } else {
        match kind {
            RunKind::Build | RunKind::Run => StateMode::Aware,
            RunKind::Seed => StateMode::Forced("`fusionc seed` loads every selected seed"),
            RunKind::Snapshot => {
                StateMode::Forced("`fusionc snapshot` runs every selected snapshot")
            }
            RunKind::Test => StateMode::Forced("`fusionc test` runs every selected test"),
        }
    };
    let schema = store::state_schema(arguments.state_schema.as_deref(), project);
    crate::state::prepare(&crate::state::PlanInputs {
        project,
        dialect: session.dialect,
        order,
        planned: selected,
        mode,
        full_refresh: arguments.full_refresh,
        location: store::StoreLocation::new(&project.target, &schema),
    })
}

/// `--explain`: decides as the run would (without running its hooks) and
/// prints the decisions.
#[expect(
    clippy::too_many_arguments,
    reason = "what phases 1 to 3 produced, which the explanation reads as the run would"
)]
fn explain_state(
    session: &Session,
    prep: crate::state::StatePrep,
    selected: &[bool],
    order: &[NodeId],
    column_reads: &crate::state::decide::ColumnReads,
    warehouse: &OpenWarehouse,
    log_format: LogFormat,
    output: &mut Output<'_>,
) -> Result<i32, i32> {
    let project = session.project();
    let planned = crate::state::plan(
        prep,
        project,
        order,
        selected,
        column_reads,
        warehouse.main_connection.lock().as_mut(),
        warehouse.adapter.flavor(),
    );
    match planned {
        Ok(plan) => {
            explain::print_explanation(project, selected, &plan, log_format, output);
            Ok(exit_code::SUCCESS)
        }
        Err(error) => {
            report_diagnostics(
                &session.load,
                &[store_unavailable(&error)],
                log_format,
                output,
            );
            Err(exit_code::PROJECT_ERROR)
        }
    }
}

/// FC5050: the store cannot be read or created; the run builds every node.
fn store_unavailable(error: &crate::adapter::AdapterError) -> Diagnostic {
    Diagnostic::new(
        Code::StateStoreUnavailable,
        format!(
            "the state store cannot be used: {}; every selected node is built",
            error.message
        ),
    )
    .with_help("check that the target's user may create the state schema and its tables, or name another with --state-schema")
}

/// After the run, in one transaction: the records of the tests that ran
/// (a test changes nothing, so its record need not share a transaction
/// with it, and one write for all of them spares a commit each), and what
/// became of every node in the store's build log. A failure here is
/// reported and changes nothing else: the builds' own records were written
/// with them, and a test without a record only runs again.
fn log_outcomes(
    project: &Project,
    plan: &crate::state::StatePlan,
    results: &[NodeResult],
    warehouse: &OpenWarehouse,
    output: &mut Output<'_>,
) {
    use report::Status;
    let (finished_at, finished_epoch) = crate::state::now();
    let tests: Vec<crate::state::store::NodeState> = results
        .iter()
        .filter(|result| project.details(result.id).kind == NodeKind::Test)
        .filter_map(|result| {
            let status = match result.status {
                Status::Pass => "pass",
                Status::Warn => "warn",
                Status::Fail => "fail",
                _ => return None,
            };
            let outcome = crate::state::BuildOutcome {
                status,
                message: "",
                failures: result.built.as_ref().and_then(|built| built.failures),
            };
            plan.state_of(project, result.id, &outcome)
        })
        .collect();
    // Reused nodes ran nothing: the log keeps what was attempted.
    let entries: Vec<crate::state::store::LogEntry<'_>> = results
        .iter()
        .filter(|result| result.status != Status::Reused)
        .map(|result| crate::state::store::LogEntry {
            unique_id: &project.details(result.id).unique_id,
            status: result.status.json(),
            message: &result.message,
            finished_at: &finished_at,
            finished_epoch,
        })
        .collect();
    let flavor = warehouse.adapter.flavor();
    let mut connection = warehouse.main_connection.lock();
    let written = (|| {
        connection.execute("begin transaction")?;
        for statement in crate::state::store::record_statements(flavor, &plan.location, &tests) {
            connection.execute(&statement)?;
        }
        crate::state::store::append_log(
            connection.as_mut(),
            flavor,
            &plan.location,
            &plan.invocation_id,
            &entries,
        )?;
        connection.execute("commit")
    })();
    if let Err(error) = written {
        let _ = connection.execute("rollback");
        let _ = writeln!(
            output.stderr,
            "warning: the state store's records of this run's tests and its build log were not written: {error}"
        );
    }
}
