//! Runs the selected nodes along the DAG on `threads` workers, each with its
//! own warehouse connection. A node starts when every selected node it
//! depends on has succeeded; when one fails, everything downstream of it is
//! skipped and independent nodes go on. Under `build`, a node's tests run
//! right after it and its children wait for them, so a failing test skips
//! them too; a model's unit tests run right before it (they read literals
//! only, so they wait for what it waits for), and a failing one skips it.
//! Ctrl-C stops dispatching, interrupts the running statements (each node
//! runs in one transaction, which then rolls back) and leaves every
//! relation either as it was or fully built. Running one node is
//! `execute`'s: this module only decides which node runs when.

use super::context::{RunContext, RunKind};
use super::execute::execute_node;
use super::report::{NodeResult, RunReport};
use crate::cli::Output;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

/// Set by the Ctrl-C handler; read by the dispatch loop.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C was pressed during this run.
pub(super) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn install_interrupt_handler() {
    INTERRUPTED.store(false, Ordering::SeqCst);
    // Only the first call in a process installs it; later runs reuse it.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

fn is_ephemeral(context: &RunContext<'_>, id: NodeId) -> bool {
    context.project.details(id).is_ephemeral()
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
        let id = NodeId(index as u32);
        // A unit test reads literals only, not its model: it waits for
        // what its model waits for, so it runs right before it (as dbt's).
        let mut stack: Vec<NodeId> = match context.project.unit_test(id) {
            Some(unit_test) => graph.parents(unit_test.model).to_vec(),
            None => graph.parents(id).to_vec(),
        };
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
        // As dbt's `add_test_edges`: a node waits for a test of its parent
        // when everything the test reads is upstream of the node. A test
        // reading several nodes (relationships) holds back only the nodes
        // downstream of all of them; holding back others could close a
        // cycle through another test, and the run would wait forever.
        let mut ancestors_of: rustc_hash::FxHashMap<usize, Vec<bool>> =
            rustc_hash::FxHashMap::default();
        for test in 0..count {
            let details = &context.project.nodes[test];
            if !planned[test] || details.kind != NodeKind::Test {
                continue;
            }
            let test_parents = graph.parents(NodeId(test as u32));
            for &parent in &test_parents {
                for child in graph.children(parent) {
                    let child_index = child.index();
                    if child_index == test
                        || !planned[child_index]
                        || matches!(
                            context.project.nodes[child_index].kind,
                            NodeKind::Test | NodeKind::UnitTest
                        )
                    {
                        continue;
                    }
                    let reads_only_upstream = test_parents.len() == 1 || {
                        let ancestors = ancestors_of
                            .entry(child_index)
                            .or_insert_with(|| strict_ancestors(graph, child, count));
                        test_parents.iter().all(|other| ancestors[other.index()])
                    };
                    if reads_only_upstream && !waits[child_index].contains(&test) {
                        waits[child_index].push(test);
                    }
                }
            }
        }
    }
    if context.kind == RunKind::Build {
        unit_tests_before_their_models(context, planned, &mut waits);
    }
    waits
}

/// Every node upstream of `node` in the project graph, by index.
fn strict_ancestors(
    graph: &fusion_ir::graph::ProjectGraph,
    node: NodeId,
    count: usize,
) -> Vec<bool> {
    let mut ancestors = vec![false; count];
    let mut stack: Vec<NodeId> = graph.parents(node);
    while let Some(current) = stack.pop() {
        if !std::mem::replace(&mut ancestors[current.index()], true) {
            stack.extend(graph.parents(current));
        }
    }
    ancestors
}

/// Under `build`, a model waits for its unit tests, and they run one after
/// the other (in name order): as in dbt, the first that fails skips the
/// others and the model, and so everything downstream of it.
fn unit_tests_before_their_models(
    context: &RunContext<'_>,
    planned: &[bool],
    waits: &mut [Vec<usize>],
) {
    let project = context.project;
    let mut by_model: Vec<(usize, &str, usize)> = project
        .unit_tests
        .iter()
        .filter(|unit_test| planned[unit_test.node.index()])
        .map(|unit_test| {
            (
                unit_test.model.index(),
                project.details(unit_test.node).name.as_str(),
                unit_test.node.index(),
            )
        })
        .collect();
    by_model.sort();
    for (position, &(model, _, unit_test)) in by_model.iter().enumerate() {
        match position.checked_sub(1).map(|previous| by_model[previous]) {
            Some((previous_model, _, previous)) if previous_model == model => {
                waits[unit_test].push(previous);
            }
            _ => {}
        }
        let is_last = by_model
            .get(position + 1)
            .is_none_or(|&(next_model, _, _)| next_model != model);
        if is_last && planned[model] && !waits[model].contains(&unit_test) {
            waits[model].push(unit_test);
        }
    }
}

enum Message {
    Started(usize, usize),
    /// Another job holds the node's lease: this one waits for it.
    Waiting(usize, usize, String),
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
                    let id = NodeId(index as u32);
                    let result = if INTERRUPTED.load(Ordering::SeqCst) {
                        NodeResult::interrupted_before_start(id, label, worker)
                    } else {
                        let waiting = |holder: &crate::state::lease::Holder| {
                            let _ = message_sender.send(Message::Waiting(
                                index,
                                label,
                                holder.to_string(),
                            ));
                        };
                        execute_node(
                            context,
                            broken,
                            id,
                            label,
                            worker,
                            &mut connection,
                            &waiting,
                        )
                    };
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
                    // A reused node runs nothing: it only has its result line.
                    let reused = context
                        .state
                        .get()
                        .is_some_and(|plan| plan.reuses(NodeId(index as u32)));
                    if !reused {
                        report.node_started(context.project, index, label, output)
                    }
                }
                Ok(Message::Waiting(index, label, holder)) => {
                    report.node_waiting(context.project, index, label, &holder, output);
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
    // A planned node that never became ready would otherwise vanish from
    // the results, and the run would say it succeeded. It is an error, and
    // says so (after Ctrl-C, the nodes not started are not run by design).
    if !report.interrupted {
        for index in 0..count {
            if planned[index] && !done[index] && !is_ephemeral(context, NodeId(index as u32)) {
                labels += 1;
                let mut result = NodeResult::new(
                    NodeId(index as u32),
                    labels,
                    0,
                    crate::artifacts::stamp::run_stamp().0,
                );
                result.status = super::report::Status::Error;
                result.message = "never started: a node it waits for never finished (a fusionc scheduling fault; please report it)".into();
                report.node_finished(context.project, &result, output);
                results.push(result);
            }
        }
    }
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
