//! Runs the selected nodes along the DAG on `threads` workers, each with its
//! own warehouse connection. A node starts when every selected node it
//! depends on has succeeded; when one fails, everything downstream of it is
//! skipped and independent nodes go on. Under `build`, a node's tests run
//! right after it and its children wait for them, so a failing test skips
//! them too. Ctrl-C stops dispatching, interrupts the running statements
//! (each node runs in one transaction, which then rolls back) and leaves
//! every relation either as it was or fully built.

use super::context::{RunContext, RunKind};
use super::materialize::{build_node, BuildFailure};
use super::node::{prepare, relation_of, SharedConnection};
use super::report::{NodeResult, RunReport, Status};
use crate::cli::Output;
use fusion_frontend::config::config_argument_span;
use fusion_frontend::NodeDetails;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::span::Span;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Set by the Ctrl-C handler; read by the dispatch loop.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn install_interrupt_handler() {
    INTERRUPTED.store(false, Ordering::SeqCst);
    // Only the first call in a process installs it; later runs reuse it.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

fn is_ephemeral(context: &RunContext<'_>, id: NodeId) -> bool {
    let details = context.project.details(id);
    details.kind == NodeKind::Model
        && details.config.materialization() == fusion_frontend::config::Materialization::Ephemeral
}

/// For each planned node, the planned nodes it waits for: its nearest
/// planned ancestors (an unselected node in between does not break the
/// order), and under `build` the tests of its parents.
fn dependencies(context: &RunContext<'_>, planned: &[bool]) -> Vec<Vec<usize>> {
    let graph = &context.project.graph;
    let count = planned.len();
    let mut waits: Vec<Vec<usize>> = vec![Vec::new(); count];
    for index in 0..count {
        if !planned[index] {
            continue;
        }
        let mut seen = vec![false; 0];
        let mut stack: Vec<NodeId> = graph.parents(NodeId(index as u32)).to_vec();
        while let Some(parent) = stack.pop() {
            if seen.is_empty() {
                seen = vec![false; count];
            }
            if std::mem::replace(&mut seen[parent.index()], true) {
                continue;
            }
            if planned[parent.index()] {
                waits[index].push(parent.index());
            } else {
                stack.extend(graph.parents(parent).iter().copied());
            }
        }
    }
    if context.kind == RunKind::Build {
        // Ancestors of each test, to refuse an edge that would close a cycle
        // (a relationships test reads both a parent and its child).
        for test in 0..count {
            let details = &context.project.nodes[test];
            if !planned[test] || details.kind != NodeKind::Test {
                continue;
            }
            let mut ancestors = vec![false; count];
            let mut stack: Vec<NodeId> = graph.parents(NodeId(test as u32)).to_vec();
            while let Some(node) = stack.pop() {
                if !std::mem::replace(&mut ancestors[node.index()], true) {
                    stack.extend(graph.parents(node).iter().copied());
                }
            }
            for parent in graph.parents(NodeId(test as u32)) {
                for child in graph.children(parent) {
                    let child_index = child.index();
                    if child_index == test
                        || !planned[child_index]
                        || ancestors[child_index]
                        || context.project.nodes[child_index].kind == NodeKind::Test
                    {
                        continue;
                    }
                    if !waits[child_index].contains(&test) {
                        waits[child_index].push(test);
                    }
                }
            }
        }
    }
    waits
}

enum Message {
    Started(usize, usize),
    Finished(Box<NodeResult>),
}

/// Runs every planned node; returns their results in completion order
/// (skipped nodes included, ephemeral models left out).
pub(super) fn run_nodes(
    context: &RunContext<'_>,
    selected: &[bool],
    broken: &[Option<Diagnostic>],
    threads: usize,
    report: &mut RunReport,
    output: &mut Output<'_>,
) -> Vec<NodeResult> {
    install_interrupt_handler();
    let count = selected.len();
    let planned: Vec<bool> = selected.to_vec();
    let waits = dependencies(context, &planned);
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut pending: Vec<usize> = vec![0; count];
    for (index, parents) in waits.iter().enumerate() {
        pending[index] = parents.len();
        for &parent in parents {
            dependents[parent].push(index);
        }
    }
    // Topological order decides ties, so runs are reproducible with one thread.
    let order: Vec<usize> = match context.project.graph.topological_order() {
        Ok(order) => order.iter().map(|id| id.index()).collect(),
        Err(_) => (0..count).collect(),
    };
    let mut rank = vec![0usize; count];
    for (position, &index) in order.iter().enumerate() {
        rank[index] = position;
    }
    let total = (0..count)
        .filter(|&index| planned[index] && !is_ephemeral(context, NodeId(index as u32)))
        .count();
    report.start(total, output);
    let mut ready: Vec<usize> = (0..count)
        .filter(|&index| planned[index] && pending[index] == 0)
        .collect();
    let mut results: Vec<NodeResult> = Vec::new();
    let mut done = vec![false; count];
    let mut labels = 0usize;
    let (job_sender, job_receiver) = mpsc::channel::<(usize, usize)>();
    let job_receiver = Mutex::new(job_receiver);
    let (message_sender, message_receiver) = mpsc::channel::<Message>();
    std::thread::scope(|scope| {
        for worker in 0..threads {
            let job_receiver = &job_receiver;
            let message_sender = message_sender.clone();
            scope.spawn(move || {
                let mut connection = None;
                loop {
                    let job = {
                        let receiver = job_receiver
                            .lock()
                            .unwrap_or_else(|poison| poison.into_inner());
                        receiver.recv()
                    };
                    let Ok((index, label)) = job else { break };
                    let _ = message_sender.send(Message::Started(index, label));
                    let result = run_one(context, broken, index, label, worker, &mut connection);
                    let _ = message_sender.send(Message::Finished(Box::new(result)));
                }
            });
        }
        drop(message_sender);
        let mut in_flight = 0usize;
        let mut interrupted = false;
        loop {
            if !interrupted {
                ready.sort_by_key(|&index| std::cmp::Reverse(rank[index]));
                while let Some(index) = ready.pop() {
                    let id = NodeId(index as u32);
                    if is_ephemeral(context, id) {
                        // Inlined into its children: nothing to run.
                        done[index] = true;
                        for &dependent in &dependents[index] {
                            pending[dependent] -= 1;
                            if pending[dependent] == 0 {
                                ready.push(dependent);
                            }
                        }
                        ready.sort_by_key(|&index| std::cmp::Reverse(rank[index]));
                        continue;
                    }
                    labels += 1;
                    if job_sender.send((index, labels)).is_ok() {
                        in_flight += 1;
                    }
                }
            }
            if in_flight == 0 {
                break;
            }
            match message_receiver.recv_timeout(Duration::from_millis(100)) {
                Ok(Message::Started(index, label)) => {
                    report.node_started(context.project, index, label, output)
                }
                Ok(Message::Finished(result)) => {
                    in_flight -= 1;
                    let index = result.id.index();
                    done[index] = true;
                    report.node_finished(context.project, &result, output);
                    let succeeded = result.status.lets_children_run();
                    results.push(*result);
                    if succeeded {
                        for &dependent in &dependents[index] {
                            pending[dependent] -= 1;
                            if pending[dependent] == 0 {
                                ready.push(dependent);
                            }
                        }
                    } else {
                        skip_downstream(
                            context,
                            index,
                            &dependents,
                            &mut done,
                            &mut labels,
                            &mut results,
                            report,
                            output,
                        );
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if !interrupted && INTERRUPTED.load(Ordering::SeqCst) {
                interrupted = true;
                report.interrupted = true;
                context.adapter.interrupt_all();
            }
        }
        drop(job_sender);
    });
    results
}

/// Marks everything downstream of a failed node as skipped, in DAG order.
#[expect(
    clippy::too_many_arguments,
    reason = "the scheduler's loop state, borrowed piecewise so the loop keeps the rest"
)]
fn skip_downstream(
    context: &RunContext<'_>,
    failed: usize,
    dependents: &[Vec<usize>],
    done: &mut [bool],
    labels: &mut usize,
    results: &mut Vec<NodeResult>,
    report: &mut RunReport,
    output: &mut Output<'_>,
) {
    let mut queue: VecDeque<usize> = dependents[failed].iter().copied().collect();
    let failed_name = context.project.nodes[failed].name.clone();
    while let Some(index) = queue.pop_front() {
        if std::mem::replace(&mut done[index], true) {
            continue;
        }
        queue.extend(dependents[index].iter().copied());
        if is_ephemeral(context, NodeId(index as u32)) {
            continue;
        }
        *labels += 1;
        let result = NodeResult::skipped(
            NodeId(index as u32),
            *labels,
            NodeId(failed as u32),
            format!("skipped because `{failed_name}` failed"),
        );
        report.node_finished(context.project, &result, output);
        results.push(result);
    }
}

fn run_one(
    context: &RunContext<'_>,
    broken: &[Option<Diagnostic>],
    index: usize,
    label: usize,
    worker: usize,
    connection: &mut Option<Arc<SharedConnection>>,
) -> NodeResult {
    let id = NodeId(index as u32);
    let started_at = crate::artifacts::stamp::run_stamp().0;
    let started = Instant::now();
    let mut result = NodeResult::new(id, label, worker, started_at);
    if INTERRUPTED.load(Ordering::SeqCst) {
        result.status = Status::Skipped;
        result.message = "interrupted before it started".into();
        return result.finish(started);
    }
    if let Some(diagnostic) = &broken[index] {
        result.status = Status::Error;
        result.message = diagnostic.message.clone();
        return result.finish(started);
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
    let prepared = match prepare(context, connection, id) {
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
    let mut connection = connection.lock();
    match build_node(
        connection.as_mut(),
        context.adapter.flavor(),
        &relation,
        &prepared.build,
        &prepared.pre_hooks,
        &prepared.post_hooks,
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
            if let BuildFailure::SchemaChanged { added, removed } = &failure {
                result
                    .diagnostics
                    .push(schema_changed_diagnostic(details, added, removed));
            }
            result.built = Some(super::materialize::Built {
                executed,
                ..Default::default()
            });
        }
    }
    result.finish(started)
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
