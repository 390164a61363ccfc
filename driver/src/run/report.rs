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
use fusion_ir::span::{FileId, Span};
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
}

impl Status {
    /// Whether the node's children may run after it.
    pub(crate) fn lets_children_run(self) -> bool {
        matches!(self, Status::Success | Status::Pass | Status::Warn)
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
            completed_at: started_at.clone(),
            started_at,
            elapsed: 0.0,
        }
    }

    pub(crate) fn skipped(id: NodeId, label: usize, message: String) -> NodeResult {
        let mut result = NodeResult::new(id, label, 0, crate::artifacts::stamp::run_stamp().0);
        result.status = Status::Skipped;
        result.message = message;
        result
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
        NodeKind::Source | NodeKind::Analysis => {
            format!("{} {}", details.kind.resource_type(), details.name)
        }
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

    pub(crate) fn node_finished(
        &mut self,
        project: &Project,
        result: &NodeResult,
        output: &mut Output<'_>,
    ) {
        let details = project.details(result.id);
        let description = describe(details);
        let seconds = format!("in {:.2}s", result.elapsed);
        let (head, tail) = match (result.status, details.kind) {
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
            (Status::Pass, _) => (format!("PASS {}", details.name), format!("PASS {seconds}")),
            (Status::Fail, _) => {
                let failures = result
                    .built
                    .as_ref()
                    .and_then(|built| built.failures)
                    .unwrap_or(0);
                (
                    format!("FAIL {failures} {}", details.name),
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
                )
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
        let errors = count(Status::Error) + count(Status::Fail) + self.hook_errors.len();
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
                    Status::Fail => "Failure in",
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
            "\nDone. PASS={} WARN={} ERROR={} SKIP={} NO-OP=0 TOTAL={}",
            count(Status::Success) + count(Status::Pass),
            warnings,
            count(Status::Error) + count(Status::Fail),
            count(Status::Skipped),
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
        if result.status != Status::Error || !result.diagnostics.is_empty() {
            continue;
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
    crate::session::report_diagnostics(load, &diagnostics, format, output);
    registered
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
