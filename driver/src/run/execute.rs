//! Executes one node on a worker: its connection, its preparation (see
//! `node`), its build in the warehouse (see `materialize`), and its
//! outcome as a [`NodeResult`] with the diagnostics of a refused build.
//! Which nodes run, in what order and on which worker, and what is skipped
//! after a failure, is the scheduler's (`scheduler`); this module never
//! looks at another node.

use super::context::RunContext;
use super::materialize::{build_node, BuildFailure};
use super::node::{prepare, relation_of, SharedConnection};
use super::report::{NodeResult, Status};
use crate::state::lease::Holder;
use fusion_frontend::config::config_argument_span;
use fusion_frontend::NodeDetails;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::span::Span;
use std::sync::Arc;
use std::time::Instant;

/// Runs node `id` (its `N` in `N of M` is `label`) on `worker`, whose
/// connection is opened on its first node and kept for the next: prepares
/// it (just-in-time rendering and analysis, the materialization's plan),
/// builds it in one transaction, and says how it went. A node in `broken`
/// (its Jinja did not render) fails with that error without running.
pub(super) fn execute_node(
    context: &RunContext<'_>,
    broken: &[Option<Diagnostic>],
    id: NodeId,
    label: usize,
    worker: usize,
    connection: &mut Option<Arc<SharedConnection>>,
    waiting: &dyn Fn(&Holder),
) -> NodeResult {
    let started_at = crate::artifacts::stamp::run_stamp().0;
    let started = Instant::now();
    let mut result = NodeResult::new(id, label, worker, started_at);
    if let Some(diagnostic) = &broken[id.index()] {
        result.status = Status::Error;
        result.message = diagnostic.message.clone();
        return result.finish(started);
    }
    // A reused node runs nothing, unless column-level impact moves its
    // record to its upstreams' new markers (now that they are built).
    let reusing = context.state.get().filter(|plan| plan.reuses(id));
    let refresh = reusing
        .and_then(|plan| plan.refresh_statement(context.project, context.adapter.flavor(), id));
    if let (Some(plan), None) = (reusing, &refresh) {
        return reused(plan, id, label, worker);
    }
    // A session the server ended (a restart, a killed backend) fails the
    // node that was running on it; the next node gets a new one.
    if connection
        .as_ref()
        .is_some_and(|shared| shared.lock().is_closed())
    {
        *connection = None;
    }
    if connection.is_none() {
        match context.adapter.connect() {
            Ok(opened) => *connection = Some(SharedConnection::new(opened)),
            Err(error) => {
                result.status = Status::Error;
                result.message = error.message;
                return result.finish(started);
            }
        }
    }
    let Some(connection) = connection.as_mut() else {
        return result.finish(started);
    };
    if let (Some(plan), Some(statement)) = (reusing, &refresh) {
        if let Err(error) = connection.lock().execute(statement) {
            result.status = Status::Error;
            result.message = format!("the state store could not be updated: {error}");
            return result.finish(started);
        }
        return reused(plan, id, label, worker);
    }
    if context.project.details(id).kind == NodeKind::UnitTest {
        super::unit_test::execute_unit_test(context, connection, id, &mut result);
        return result.finish(started);
    }
    // Where several jobs write at once, one at a time builds the node: take
    // its lease, and reuse what another job built meanwhile when it is
    // current for this run.
    let mut is_incremental = context.incremental_exists[id.index()];
    let lease = context.state.get().and_then(|plan| {
        let leases = plan.leases.as_ref()?;
        super::node::writes_relation(context.project.details(id)).then_some((plan, leases))
    });
    if let Some((plan, leases)) = lease {
        match take_lease(context, plan, leases, connection, id, waiting) {
            Ok(LeaseOutcome::Build { changed_meanwhile }) => {
                if changed_meanwhile && is_incremental_model(context.project.details(id)) {
                    let relation = relation_of(context.project.details(id));
                    is_incremental =
                        matches!(connection.lock().relation_kind(&relation), Ok(Some(_)));
                }
            }
            Ok(LeaseOutcome::Reuse(reason)) => {
                let _ = leases.release(
                    connection.lock().as_mut(),
                    &context.project.details(id).unique_id,
                );
                return NodeResult::reused(id, label, worker, reason, None);
            }
            Err(error) => {
                result.status = Status::Error;
                result.interrupted = error.interrupted;
                result.message = format!("the node's lease in the state store: {error}");
                return result.finish(started);
            }
        }
    }
    let result = build_prepared(context, connection, id, is_incremental, result, started);
    if let Some((_, leases)) = lease {
        // Released once the build committed or rolled back. A release that
        // fails is left to the heartbeat's cleanup at the end of the run,
        // or to the lease's expiry.
        let _ = leases.release(
            connection.lock().as_mut(),
            &context.project.details(id).unique_id,
        );
    }
    result
}

/// Prepares and builds a node this run builds (see [`execute_node`]).
fn build_prepared(
    context: &RunContext<'_>,
    connection: &Arc<SharedConnection>,
    id: NodeId,
    is_incremental: bool,
    mut result: NodeResult,
    started: Instant,
) -> NodeResult {
    let prepared = match prepare(context, connection, id, is_incremental) {
        Ok(prepared) => prepared,
        Err(failure) => {
            result.status = Status::Error;
            result.message = failure.message;
            result.diagnostics = failure.diagnostics;
            result.jit_sql = failure.jit_sql;
            return result.finish(started);
        }
    };
    result.compiled = prepared.compiled.clone();
    result.jit_sql = prepared.jit_sql.clone();
    let details = context.project.details(id);
    let relation = relation_of(details);
    let shared = connection;
    let lock = || shared.lock();
    let render_post_hooks = || {
        super::node::render_post_hooks(context, shared, id, is_incremental, &prepared.post_hooks)
            .map_err(|diagnostic| BuildFailure::Hook(Box::new(diagnostic)))
    };
    // A build's record goes into its transaction; a test's (a test changes
    // nothing) is written with the others after the run (see `run/mod.rs`).
    let record = |built: &super::materialize::Built| match context.state.get() {
        Some(_) if details.kind == NodeKind::Test => Vec::new(),
        Some(plan) => plan.record_statements(
            context.project,
            context.adapter.flavor(),
            id,
            &recorded_outcome(details.kind, built),
        ),
        None => Vec::new(),
    };
    match build_node(
        &lock,
        context.adapter.flavor(),
        &relation,
        &prepared.build,
        &prepared.options,
        super::materialize::Hooks {
            pre: &prepared.pre_hooks,
            post: &render_post_hooks,
        },
        &record,
    ) {
        Ok(built) => {
            result.status = match details.kind {
                NodeKind::Test if built.should_error => Status::Fail,
                NodeKind::Test if built.should_warn => Status::Warn,
                NodeKind::Test => Status::Pass,
                _ => Status::Success,
            };
            result.message = match (details.kind, built.failures) {
                (NodeKind::Test, Some(failures)) if failures > 0 => {
                    format!(
                        "Got {failures} result{}, configured to {} if {}",
                        if failures == 1 { "" } else { "s" },
                        if result.status == Status::Fail {
                            "fail"
                        } else {
                            "warn"
                        },
                        match &prepared.build {
                            super::materialize::Build::Test {
                                error_if, warn_if, ..
                            } =>
                                if result.status == Status::Fail {
                                    error_if.clone()
                                } else {
                                    warn_if.clone()
                                },
                            _ => String::new(),
                        }
                    )
                }
                _ => built.response.clone(),
            };
            result.built = Some(built);
        }
        Err((failure, executed)) => {
            result.status = Status::Error;
            result.interrupted = failure.interrupted();
            result.message = failure.message();
            match &failure {
                BuildFailure::SchemaChanged { added, removed } => result
                    .diagnostics
                    .push(schema_changed_diagnostic(details, added, removed)),
                BuildFailure::Hook(diagnostic) => result.diagnostics.push((**diagnostic).clone()),
                BuildFailure::Warehouse(_) => {}
            }
            result.built = Some(super::materialize::Built {
                executed,
                ..Default::default()
            });
        }
    }
    result.finish(started)
}

fn is_incremental_model(details: &NodeDetails) -> bool {
    details.kind == NodeKind::Model
        && details.config.materialization() == fusion_frontend::config::Materialization::Incremental
}

/// What the node's lease says to do.
enum LeaseOutcome {
    /// Build it; `changed_meanwhile` when another job built it since this
    /// run read the store (for what it reads of the warehouse again).
    Build { changed_meanwhile: bool },
    /// Another job built it meanwhile, current for this run: reuse, why.
    Reuse(String),
}

/// Takes the node's lease (waiting while another job holds it), then reads
/// its record again.
fn take_lease(
    context: &RunContext<'_>,
    plan: &crate::state::StatePlan,
    leases: &crate::state::lease::Leases,
    connection: &Arc<SharedConnection>,
    id: NodeId,
    waiting: &dyn Fn(&Holder),
) -> Result<LeaseOutcome, crate::adapter::AdapterError> {
    let details = context.project.details(id);
    let mut connection = connection.lock();
    let mut waited_for = None;
    leases.take(
        connection.as_mut(),
        &details.unique_id,
        &super::scheduler::interrupted,
        &mut |holder| {
            waiting(holder);
            waited_for = Some(holder.clone());
        },
    )?;
    let record = crate::state::store::read_state(
        connection.as_mut(),
        context.adapter.flavor(),
        &plan.location,
        &details.unique_id,
    )?;
    if let Some(record) = &record {
        if plan.built_meanwhile(context.project, id, record) {
            let by = match &waited_for {
                Some(holder) => format!("{holder}, which this job waited for"),
                None => format!("job {}", record.invocation_id),
            };
            return Ok(LeaseOutcome::Reuse(format!(
                "Built meanwhile by {by}: current for this job's code and upstreams"
            )));
        }
    }
    Ok(LeaseOutcome::Build {
        changed_meanwhile: plan.changed_meanwhile(id, record.as_ref()),
    })
}

/// A node the state plan reuses: nothing runs. A test carries its last
/// result, as the store recorded it.
fn reused(plan: &crate::state::StatePlan, id: NodeId, label: usize, worker: usize) -> NodeResult {
    let reason = plan.decisions[id.index()]
        .as_ref()
        .map(|decision| decision.reason.clone())
        .unwrap_or_default();
    let outcome = plan.previous[id.index()].as_ref().and_then(|state| {
        let status = match state.status.as_str() {
            "pass" => Status::Pass,
            "warn" => Status::Warn,
            "fail" => Status::Fail,
            _ => return None,
        };
        Some((status, state.failures))
    });
    NodeResult::reused(id, label, worker, reason, outcome)
}

/// How a build that committed ended, for the state store: a model, seed or
/// snapshot succeeded; a test passed, warned or failed with its count.
fn recorded_outcome(
    kind: NodeKind,
    built: &super::materialize::Built,
) -> crate::state::BuildOutcome<'static> {
    if kind != NodeKind::Test {
        return crate::state::BuildOutcome {
            status: "success",
            message: "",
            failures: None,
        };
    }
    let status = if built.should_error {
        "fail"
    } else if built.should_warn {
        "warn"
    } else {
        "pass"
    };
    crate::state::BuildOutcome {
        status,
        message: "",
        failures: built.failures,
    }
}

/// FC5007: an incremental model whose columns changed, with
/// `on_schema_change: fail`. Points at the config where the model's
/// template sets it (else at the template), since that setting is what
/// stopped the build.
fn schema_changed_diagnostic(
    details: &NodeDetails,
    added: &[String],
    removed: &[String],
) -> Diagnostic {
    let listed = |columns: &[String]| {
        if columns.is_empty() {
            "none".to_string()
        } else {
            columns
                .iter()
                .map(|column| format!("`{column}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut diagnostic = Diagnostic::new(
        Code::SchemaChanged,
        format!(
            "the columns of incremental model `{}` changed and on_schema_change is `fail`: its table was left as it was",
            details.name
        ),
    )
    .with_note(format!("columns added: {}", listed(added)))
    .with_note(format!("columns removed: {}", listed(removed)))
    .with_help("run with --full-refresh to rebuild the table, or set on_schema_change to append_new_columns or sync_all_columns");
    if let Some(file) = details.file {
        diagnostic = match config_argument_span(&details.raw_code, "on_schema_change") {
            Some(span) => diagnostic.with_primary(file, span, "set to `fail` here"),
            None => diagnostic.at(file, Span::EMPTY),
        };
    }
    diagnostic
}
