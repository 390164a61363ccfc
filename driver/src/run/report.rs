//! What a run tells its user: a line per node as dbt prints them (index,
//! status, relation, timing), a live progress bar on a terminal for long
//! runs, the summary with counts, diagnostics for failed nodes located in
//! their model files. The run's artifacts are written by
//! `crate::artifacts::run_results`.

use super::materialize::Built;
use super::node::{relation_of, JIT_FILE};
use crate::cli::{LogFormat, Output};
use fusion_frontend::{LoadResult, NodeDetails, Project, Rendered, SourceMap};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::span::{FileId, SourceFiles, Span};
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;

/// The status of one node, in dbt's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Success,
    Error,
    Skipped,
    Pass,
    Fail,
    Warn,
    /// A state-aware run kept what the warehouse holds: no statement ran.
    Reused,
}

impl Status {
    /// Whether the node's children may run after it.
    pub(crate) fn lets_children_run(self) -> bool {
        matches!(
            self,
            Status::Success | Status::Pass | Status::Warn | Status::Reused
        )
    }

    /// The status as `run_results.json` spells it.
    pub(crate) fn json(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Error => "error",
            Status::Skipped => "skipped",
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Reused => "reused",
        }
    }
}

/// The outcome of one node.
#[derive(Clone, Debug)]
pub(crate) struct NodeResult {
    pub id: NodeId,
    /// Its `N` in `N of M`.
    pub label: usize,
    pub worker: usize,
    pub status: Status,
    pub message: String,
    pub built: Option<Built>,
    pub compiled: Option<String>,
    /// SQL rendered just in time (introspective nodes).
    pub jit_sql: Option<(String, SourceMap)>,
    /// Diagnostics of just-in-time analysis (spans into `jit_sql`).
    pub diagnostics: Vec<Diagnostic>,
    pub interrupted: bool,
    /// For a node skipped because a node it depends on failed: that node.
    pub skipped_because: Option<NodeId>,
    /// A reused test's last result (`pass`, `warn` or `fail`).
    pub reused_outcome: Option<Status>,
    pub started_at: String,
    pub completed_at: String,
    pub elapsed: f64,
}

impl NodeResult {
    pub(crate) fn new(id: NodeId, label: usize, worker: usize, started_at: String) -> NodeResult {
        NodeResult {
            id,
            label,
            worker,
            status: Status::Success,
            message: String::new(),
            built: None,
            compiled: None,
            jit_sql: None,
            diagnostics: Vec::new(),
            interrupted: false,
            skipped_because: None,
            reused_outcome: None,
            completed_at: started_at.clone(),
            started_at,
            elapsed: 0.0,
        }
    }

    /// A node dispatched after Ctrl-C, and so not run.
    pub(crate) fn interrupted_before_start(id: NodeId, label: usize, worker: usize) -> NodeResult {
        let started = Instant::now();
        let mut result = NodeResult::new(id, label, worker, crate::artifacts::stamp::run_stamp().0);
        result.status = Status::Skipped;
        result.message = "interrupted before it started".into();
        result.finish(started)
    }

    /// A node not run because `failed`, which it depends on, failed.
    pub(crate) fn skipped(id: NodeId, label: usize, failed: NodeId, message: String) -> NodeResult {
        let mut result = NodeResult::new(id, label, 0, crate::artifacts::stamp::run_stamp().0);
        result.status = Status::Skipped;
        result.message = message;
        result.skipped_because = Some(failed);
        result
    }

    /// A node a state-aware run reused; a test carries its last result
    /// (`reused_outcome`) and failing-row count.
    pub(crate) fn reused(
        id: NodeId,
        label: usize,
        worker: usize,
        reason: String,
        outcome: Option<(Status, Option<u64>)>,
    ) -> NodeResult {
        let started = Instant::now();
        let mut result = NodeResult::new(id, label, worker, crate::artifacts::stamp::run_stamp().0);
        result.status = Status::Reused;
        result.message = reason;
        if let Some((status, failures)) = outcome {
            result.reused_outcome = Some(status);
            result.built = Some(Built {
                failures,
                ..Default::default()
            });
        }
        result.finish(started)
    }

    pub(crate) fn finish(mut self, started: Instant) -> NodeResult {
        self.elapsed = started.elapsed().as_secs_f64();
        self.completed_at = crate::artifacts::stamp::run_stamp().0;
        self
    }
}

/// The run's console: lines, progress bar, summary.
pub(crate) struct RunReport {
    total: usize,
    bar: Option<ProgressBar>,
    terminal: bool,
    pub interrupted: bool,
    pub hook_errors: Vec<String>,
}

/// How dbt describes a node in its lines: `sql view model main.orders`.
fn describe(details: &NodeDetails) -> String {
    let relation = relation_of(details);
    let shown = match &relation.schema {
        Some(schema) => format!("{schema}.{}", relation.identifier),
        None => relation.identifier.clone(),
    };
    match details.kind {
        NodeKind::Model => format!("sql {} model {shown}", details.config.materialized()),
        NodeKind::Seed => format!("seed file {shown}"),
        NodeKind::Snapshot => format!("snapshot {shown}"),
        NodeKind::Test => format!("test {}", details.name),
        NodeKind::UnitTest => format!("unit_test {}", unit_test_label(details)),
        NodeKind::Source | NodeKind::Analysis => {
            format!("{} {}", details.kind.resource_type(), details.name)
        }
    }
}

/// How dbt names a unit test in its lines: `<model>::<name>`, the model
/// being the second-to-last part of its fqn.
fn unit_test_label(details: &NodeDetails) -> String {
    match details
        .fqn
        .len()
        .checked_sub(2)
        .map(|index| &details.fqn[index])
    {
        Some(model) => format!("{model}::{}", details.name),
        None => details.name.clone(),
    }
}

fn padded(text: &str, status: &str) -> String {
    let width = 80usize;
    let dots = width.saturating_sub(text.chars().count() + 1).max(3);
    format!("{text} {} [{status}]", ".".repeat(dots))
}

impl RunReport {
    pub(crate) fn new(terminal: bool) -> RunReport {
        RunReport {
            total: 0,
            bar: None,
            terminal,
            interrupted: false,
            hook_errors: Vec::new(),
        }
    }

    /// dbt's first line of a run, before any hook.
    pub(crate) fn concurrency(&self, threads: usize, target: &str, output: &mut Output<'_>) {
        let _ = writeln!(
            output.stdout,
            "Concurrency: {threads} thread{} (target='{target}')",
            if threads == 1 { "" } else { "s" }
        );
    }

    pub(crate) fn start(&mut self, total: usize, output: &mut Output<'_>) {
        self.total = total;
        let _ = writeln!(
            output.stdout,
            "Running {total} node{}",
            if total == 1 { "" } else { "s" }
        );
        // A live bar only where someone watches, and only when it helps.
        if self.terminal && total >= 20 {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} nodes  {elapsed}  {msg}")
            {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
    }

    fn line(&self, text: String, output: &mut Output<'_>) {
        match &self.bar {
            Some(bar) => bar.suspend(|| {
                let _ = writeln!(output.stdout, "{text}");
            }),
            None => {
                let _ = writeln!(output.stdout, "{text}");
            }
        }
    }

    pub(crate) fn node_started(
        &mut self,
        project: &Project,
        index: usize,
        label: usize,
        output: &mut Output<'_>,
    ) {
        let details = &project.nodes[index];
        if let Some(bar) = &self.bar {
            bar.set_message(details.name.clone());
            return;
        }
        let text = format!("{label} of {} START {}", self.total, describe(details));
        self.line(padded(&text, "RUN"), output);
    }

    /// Another job is building the node: this run waits for its lease.
    pub(crate) fn node_waiting(
        &mut self,
        project: &Project,
        index: usize,
        label: usize,
        holder: &str,
        output: &mut Output<'_>,
    ) {
        let details = &project.nodes[index];
        let text = format!(
            "{label} of {} WAIT {} (being built by {holder})",
            self.total,
            describe(details)
        );
        self.line(padded(&text, "WAITING"), output);
    }

    pub(crate) fn node_finished(
        &mut self,
        project: &Project,
        result: &NodeResult,
        output: &mut Output<'_>,
    ) {
        let details = project.details(result.id);
        let description = describe(details);
        let seconds = format!("in {:.2}s", result.elapsed);
        // Unit tests are named `<model>::<name>` in their results' lines.
        let name = match details.kind {
            NodeKind::UnitTest => unit_test_label(details),
            _ => details.name.clone(),
        };
        let (head, tail) = match (result.status, details.kind) {
            (Status::Reused, NodeKind::Test) => {
                let last = result.reused_outcome.map_or("pass", Status::json);
                (
                    format!("REUSED {} {name}", last.to_ascii_uppercase()),
                    "REUSED".to_string(),
                )
            }
            (Status::Reused, _) => (format!("REUSED {description}"), "REUSED".to_string()),
            (Status::Skipped, NodeKind::UnitTest) => (
                format!("SKIP unit_test {}", details.name),
                "SKIP".to_string(),
            ),
            (Status::Error, NodeKind::UnitTest) => {
                (format!("ERROR {name}"), format!("ERROR {seconds}"))
            }
            (Status::Skipped, NodeKind::Test) => {
                (format!("SKIP {description}"), "SKIP".to_string())
            }
            (Status::Skipped, _) => (
                format!(
                    "SKIP relation {}",
                    description.rsplit(' ').next().unwrap_or_default()
                ),
                "SKIP".to_string(),
            ),
            (Status::Error, NodeKind::Test) => {
                (format!("ERROR {description}"), format!("ERROR {seconds}"))
            }
            (Status::Error, _) => (
                format!("ERROR creating {description}"),
                format!("ERROR {seconds}"),
            ),
            (Status::Pass, _) => (format!("PASS {name}"), format!("PASS {seconds}")),
            (Status::Fail, _) => {
                let failures = result
                    .built
                    .as_ref()
                    .and_then(|built| built.failures)
                    .unwrap_or(0);
                (
                    format!("FAIL {failures} {name}"),
                    format!("FAIL {failures} {seconds}"),
                )
            }
            (Status::Warn, _) => {
                let failures = result
                    .built
                    .as_ref()
                    .and_then(|built| built.failures)
                    .unwrap_or(0);
                (
                    format!("WARN {failures} {}", details.name),
                    format!("WARN {failures} {seconds}"),
                )
            }
            (Status::Success, NodeKind::Seed) => (
                format!("OK loaded {description}"),
                format!("{} {seconds}", response(result)),
            ),
            (Status::Success, NodeKind::Snapshot) => (
                format!(
                    "OK snapshotted {}",
                    description.trim_start_matches("snapshot ")
                ),
                format!("{} {seconds}", response(result)),
            ),
            (Status::Success, _) => (
                format!("OK created {description}"),
                format!("{} {seconds}", response(result)),
            ),
        };
        let text = format!("{} of {} {head}", result.label, self.total);
        self.line(padded(&text, &tail), output);
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Whether the command failed: an error, a failing test, a failed hook.
    pub(crate) fn failed(&self, results: &[NodeResult]) -> bool {
        !self.hook_errors.is_empty()
            || results.iter().any(|result| {
                matches!(
                    result.status,
                    Status::Error | Status::Fail | Status::Skipped
                ) || result.reused_outcome == Some(Status::Fail)
            })
    }

    pub(crate) fn print_summary(
        &mut self,
        project: &Project,
        results: &[NodeResult],
        started: Instant,
        output: &mut Output<'_>,
    ) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for result in results {
            let details = project.details(result.id);
            let kind = match details.kind {
                NodeKind::Model => format!("{} model", details.config.materialized()),
                NodeKind::Test => "data test".to_string(),
                NodeKind::UnitTest => "unit test".to_string(),
                other => other.resource_type().to_string(),
            };
            match kinds.iter_mut().find(|(name, _)| *name == kind) {
                Some((_, count)) => *count += 1,
                None => kinds.push((kind, 1)),
            }
        }
        let listed = kinds
            .iter()
            .map(|(kind, count)| format!("{count} {kind}{}", if *count == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(output.stdout);
        let _ = writeln!(
            output.stdout,
            "Finished running {} in {:.2}s.",
            if listed.is_empty() {
                "nothing".to_string()
            } else {
                listed
            },
            started.elapsed().as_secs_f64()
        );
        let count = |status: Status| {
            results
                .iter()
                .filter(|result| result.status == status)
                .count()
        };
        let reused_failures = results
            .iter()
            .filter(|result| result.reused_outcome == Some(Status::Fail))
            .count();
        let errors =
            count(Status::Error) + count(Status::Fail) + reused_failures + self.hook_errors.len();
        let warnings = count(Status::Warn);
        let _ = writeln!(output.stdout);
        if self.interrupted {
            let _ = writeln!(output.stdout, "Interrupted (Ctrl-C): nodes not yet started were not run; every relation is either as it was or fully built.");
        }
        if errors == 0 && warnings == 0 {
            let _ = writeln!(output.stdout, "Completed successfully");
        } else {
            let _ = writeln!(
                output.stdout,
                "Completed with {errors} error{} and {warnings} warning{}:",
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            );
            for message in &self.hook_errors {
                let _ = writeln!(output.stdout, "\n  {message}");
            }
            for result in results {
                let details = project.details(result.id);
                let heading = match result.status {
                    // dbt heads a unit test's error as a failure too.
                    Status::Error if details.kind == NodeKind::UnitTest => "Failure in",
                    Status::Fail => "Failure in",
                    Status::Reused if result.reused_outcome == Some(Status::Fail) => {
                        "Failure (reused) in"
                    }
                    Status::Warn => "Warning in",
                    Status::Error => "Runtime Error in",
                    _ => continue,
                };
                let _ = writeln!(
                    output.stdout,
                    "\n{heading} {} {} ({})\n  {}",
                    details.kind.resource_type(),
                    details.name,
                    details.original_file_path,
                    result.message.replace('\n', "\n  ")
                );
            }
        }
        let _ = writeln!(
            output.stdout,
            "\nDone. PASS={} WARN={} ERROR={} SKIP={} NO-OP=0{} TOTAL={}",
            count(Status::Success) + count(Status::Pass),
            warnings,
            count(Status::Error) + count(Status::Fail),
            count(Status::Skipped),
            // dbt's line, with the reused nodes when there are any.
            match count(Status::Reused) {
                0 => String::new(),
                reused => format!(" REUSED={reused}"),
            },
            results.len()
        );
    }
}

fn response(result: &NodeResult) -> String {
    result
        .built
        .as_ref()
        .map(|built| built.response.clone())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| "OK".to_string())
}

/// `LINE n:` in a warehouse message: the line of the failing statement.
fn reported_line(message: &str) -> Option<usize> {
    let start = message.find("LINE ")? + 5;
    let digits: String = message[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The span of line `line` (1-based) of `text`.
fn line_span(text: &str, line: usize) -> Option<Span> {
    let mut offset = 0usize;
    for (number, content) in text.split_inclusive('\n').enumerate() {
        if number + 1 == line {
            let trimmed = content.trim_end_matches(['\n', '\r']);
            let lead = trimmed.len() - trimmed.trim_start().len();
            return Some(Span::from_range(offset + lead..offset + trimmed.len()));
        }
        offset += content.len();
    }
    None
}

/// Prints the diagnostics of failed nodes: the warehouse's message located
/// in the model file where the warehouse says (`LINE n`), and the findings
/// of just-in-time analysis. Just-in-time SQL is registered as a file first.
pub(crate) fn report_node_diagnostics(
    load: &mut LoadResult,
    results: &[NodeResult],
    format: LogFormat,
    output: &mut Output<'_>,
) -> Vec<FileId> {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut registered = Vec::new();
    // The nodes skipped because of each failed node, in run order.
    let mut skipped: Vec<(NodeId, Vec<NodeId>)> = Vec::new();
    for result in results {
        let Some(project) = load.project.as_ref() else {
            break;
        };
        let details = project.details(result.id);
        let (target_path, package) = (
            project.settings.target_path.clone(),
            details.package_name.clone(),
        );
        // Where this node's SQL lives for diagnostics: the JIT text, or the rendered file.
        let jit_file = result.jit_sql.as_ref().map(|(sql, source_map)| {
            let file = load.files.add(
                format!(
                    "{target_path}/run/{package}/{} (just in time)",
                    details.original_file_path
                ),
                sql.as_str(),
            );
            (file, sql.clone(), source_map.clone())
        });
        let Some(project) = load.project.as_mut() else {
            break;
        };
        if let Some((file, sql, source_map)) = &jit_file {
            registered.push(*file);
            // Diagnostics are rendered against the node's template through
            // its rendered file: point that at the JIT text.
            project.nodes[result.id.index()].rendered = Some(Rendered {
                sql: std::sync::Arc::from(sql.as_str()),
                file: *file,
                source_map: fusion_frontend::LazySourceMap::built(source_map.clone()),
            });
        }
        for diagnostic in &result.diagnostics {
            let mut diagnostic = diagnostic.clone();
            if let (Some(label), Some((file, _, _))) = (diagnostic.primary.as_mut(), &jit_file) {
                if label.location.file == JIT_FILE {
                    label.location.file = *file;
                }
            }
            for label in &mut diagnostic.secondary {
                if let Some((file, _, _)) = &jit_file {
                    if label.location.file == JIT_FILE {
                        label.location.file = *file;
                    }
                }
            }
            if diagnostic
                .primary
                .as_ref()
                .is_some_and(|label| label.location.file == JIT_FILE)
            {
                diagnostic.primary = None;
            }
            diagnostics.push(diagnostic);
        }
        match result.status {
            Status::Fail | Status::Warn => {
                diagnostics.push(test_finding(project, &load.files, result));
                continue;
            }
            Status::Skipped => {
                // One diagnostic per failed node, after the loop.
                if let Some(failed) = result.skipped_because {
                    match skipped.iter_mut().find(|(cause, _)| *cause == failed) {
                        Some((_, nodes)) => nodes.push(result.id),
                        None => skipped.push((failed, vec![result.id])),
                    }
                }
                continue;
            }
            Status::Error if result.diagnostics.is_empty() => {}
            Status::Error | Status::Success | Status::Pass | Status::Reused => continue,
        }
        let details = &project.nodes[result.id.index()];
        let mut diagnostic = Diagnostic::new(
            Code::NodeExecutionFailed,
            format!(
                "{} `{}` failed in the warehouse: {}",
                details.kind.resource_type(),
                details.name,
                first_line(&result.message)
            ),
        );
        if result.message.lines().count() > 1 {
            diagnostic = diagnostic.with_note(result.message.clone());
        }
        let statement = result
            .built
            .as_ref()
            .and_then(|built| built.executed.last());
        let located = match (reported_line(&result.message), statement, &details.rendered) {
            (Some(line), Some(statement), Some(rendered)) => {
                // The statement wraps the rendered SQL: find it, and the line inside it.
                let body: &str = rendered.sql.trim();
                statement.find(body).and_then(|start| {
                    let lines_before = statement[..start].matches('\n').count();
                    let leading = rendered.sql.len() - rendered.sql.trim_start().len();
                    let lines_in_rendered = rendered.sql[..leading].matches('\n').count();
                    let line_in_body = line.checked_sub(lines_before)?;
                    let span = line_span(&rendered.sql, line_in_body + lines_in_rendered)?;
                    Some((rendered.file, span))
                })
            }
            _ => None,
        };
        diagnostic = match (located, details.file) {
            (Some((file, span)), _) => {
                diagnostic.with_primary(file, span, "the warehouse reports the error here")
            }
            (None, _) if details.kind == NodeKind::UnitTest => {
                match declared_at(project, result.id) {
                    Some((file, span)) => {
                        diagnostic.with_primary(file, span, "the unit test is declared here")
                    }
                    None => diagnostic,
                }
            }
            (None, Some(file)) if details.kind != NodeKind::Test || details.test.is_none() => {
                diagnostic.at(file, Span::EMPTY)
            }
            _ => diagnostic,
        };
        if result.interrupted {
            diagnostic = Diagnostic::new(
                Code::RunInterrupted,
                format!(
                    "{} `{}` was interrupted and rolled back",
                    details.kind.resource_type(),
                    details.name
                ),
            );
        }
        diagnostics.push(diagnostic);
    }
    if let Some(project) = load.project.as_ref() {
        for (failed, nodes) in &skipped {
            diagnostics.push(skipped_nodes(project, *failed, nodes));
        }
    }
    crate::session::report_diagnostics(load, &diagnostics, format, output);
    registered
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Where a node is declared, for the diagnostics of its run: a generic
/// test at the column (or the node) its YAML entry tests, anything else at
/// the start of its file.
fn declared_at(project: &Project, id: NodeId) -> Option<(FileId, Span)> {
    let details = project.details(id);
    if let Some(unit_test) = project.unit_test(id) {
        return Some((unit_test.file, unit_test.name_span));
    }
    let Some(test) = &details.test else {
        return details.file.map(|file| (file, Span::EMPTY));
    };
    let attached = test.attached_node?;
    let column = test.column_name.as_deref().and_then(|wanted| {
        project
            .details(attached)
            .columns
            .iter()
            .find(|column| column.name == wanted)?
            .location
    });
    match column {
        Some(location) => Some((location.file, location.span)),
        None => {
            let dependency = project.graph.dependency(attached, id)?;
            Some((dependency.file?, dependency.span))
        }
    }
}

/// FC5003 (a failing data test) or FC5004 (a warning one): the test found
/// rows, at the test's declaration, with where its query is.
fn test_finding(project: &Project, files: &SourceFiles, result: &NodeResult) -> Diagnostic {
    let details = project.details(result.id);
    if details.kind == NodeKind::UnitTest {
        return unit_test_failure(project, result);
    }
    let (code, outcome) = match result.status {
        Status::Warn => (Code::TestWarning, "warns"),
        _ => (Code::TestFailed, "failed"),
    };
    let mut diagnostic = Diagnostic::new(
        code,
        format!(
            "data test `{}` {outcome}: {}",
            details.name,
            first_line(&result.message)
        ),
    );
    diagnostic = match declared_at(project, result.id) {
        // A generic test: the YAML entry that declares it.
        Some((file, span)) if details.test.is_some() => {
            diagnostic.with_primary(file, span, "the test is declared here")
        }
        // A singular test: its file.
        Some((file, span)) => diagnostic.at(file, span),
        None => diagnostic,
    };
    if let Some(rendered) = &details.rendered {
        diagnostic = diagnostic.with_help(format!(
            "the failing rows are those its query selects: {}",
            files.get(rendered.file).path
        ));
    }
    diagnostic
}

/// FC5011: a unit test's model returned other rows than expected, at the
/// unit test's name, with the rows that differ.
fn unit_test_failure(project: &Project, result: &NodeResult) -> Diagnostic {
    let details = project.details(result.id);
    let mut diagnostic = Diagnostic::new(
        Code::UnitTestFailed,
        format!(
            "unit test `{}` failed: model `{}` returned other rows than expected",
            details.name,
            project.unit_test(result.id).map_or("", |unit_test| project
                .details(unit_test.model)
                .name
                .as_str())
        ),
    )
    .with_note(result.message.trim_end().to_string())
    .with_help(format!(
        "the query over the given rows: {}/{}",
        project.settings.target_path,
        crate::artifacts::compiled::compiled_relative_path(details)
    ));
    if let Some((file, span)) = declared_at(project, result.id) {
        diagnostic = diagnostic.with_primary(file, span, "the unit test is declared here");
    }
    diagnostic
}

/// How many skipped nodes an FC5006 diagnostic names before it counts the rest.
const SKIPPED_NAMES_SHOWN: usize = 10;

/// FC5006: the nodes not run because `failed`, which they depend on,
/// failed. One diagnostic per failed node, however many it skipped (the run
/// log has a line per node): at the first skipped node's `ref()` of it, or
/// where that node is declared when it reads it only through others.
fn skipped_nodes(project: &Project, failed: NodeId, skipped: &[NodeId]) -> Diagnostic {
    let failed_details = project.details(failed);
    let failed_name = format!(
        "{} `{}`",
        failed_details.kind.resource_type(),
        failed_details.name
    );
    let message = match skipped {
        [only] => {
            let details = project.details(*only);
            format!(
                "{} `{}` was not run because {failed_name}, which it depends on, failed",
                details.kind.resource_type(),
                details.name
            )
        }
        _ => format!(
            "{} nodes were not run because {failed_name}, which they depend on, failed",
            skipped.len()
        ),
    };
    let mut diagnostic = Diagnostic::new(Code::NodeSkipped, message);
    // What a skipped node reads that ties it to the failure: the failed
    // node itself, or (under `build`, where a node waits for the tests of
    // its parents) the node the failed test tests.
    let mut tied_to_failure = vec![failed];
    if failed_details.kind == NodeKind::Test {
        tied_to_failure.extend(project.graph.parents(failed));
    }
    let direct_read = tied_to_failure.into_iter().find_map(|read| {
        skipped.iter().find_map(|&id| {
            let dependency = project
                .graph
                .dependency(read, id)
                .filter(|_| project.details(id).test.is_none())?;
            Some((dependency.file?, dependency.span, read))
        })
    });
    // Under `build` a model waits for its unit tests, which read nothing:
    // what ties the skipped nodes to the failure is the unit test itself.
    let unit_test_failed = project
        .unit_test(failed)
        .map(|unit_test| (unit_test.file, unit_test.name_span));
    match direct_read {
        _ if unit_test_failed.is_some() => {
            if let Some((file, span)) = unit_test_failed {
                diagnostic = diagnostic.with_primary(
                    file,
                    span,
                    "this unit test failed: its model (and what reads it) is not built",
                );
            }
        }
        Some((file, span, read)) if read == failed => {
            diagnostic = diagnostic.with_primary(
                file,
                span,
                format!("reads `{}` here", failed_details.name),
            );
        }
        Some((file, span, read)) => {
            diagnostic = diagnostic.with_primary(
                file,
                span,
                format!(
                    "reads `{}` here, which `{}` tests",
                    project.details(read).name,
                    failed_details.name
                ),
            );
        }
        None => {
            if let Some((file, span)) = skipped.first().and_then(|&id| declared_at(project, id)) {
                diagnostic = diagnostic.at(file, span);
            }
        }
    }
    if skipped.len() > 1 {
        let mut names: Vec<String> = skipped
            .iter()
            .take(SKIPPED_NAMES_SHOWN)
            .map(|&id| format!("`{}`", project.details(id).name))
            .collect();
        if skipped.len() > SKIPPED_NAMES_SHOWN {
            names.push(format!("and {} more", skipped.len() - SKIPPED_NAMES_SHOWN));
        }
        diagnostic = diagnostic.with_note(format!("not run: {}", names.join(", ")));
    }
    diagnostic
}
