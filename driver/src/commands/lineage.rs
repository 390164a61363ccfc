//! `fusionc lineage <node>[.<column>]`: where a column comes from (`up`),
//! what reads it (`down`), or both, as an indented tree for people or as
//! JSON, Graphviz DOT or Mermaid.

use crate::artifacts::lineage::lineage_of_project;
use crate::cli::{exit_code, LineageArgs, LineageDirection, LineageOutput, Output};
use crate::session::{load_session, report_diagnostics};
use fusion_ir::diagnostic::closest_name;
use fusion_ir::lineage::{ColumnKey, EdgeKind, LineageStep, NodeLineage, ProjectLineage, Upstream};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

/// `fusionc lineage`: analyses the whole project, computes its lineage and
/// prints the part around the target.
pub(crate) fn lineage(arguments: &LineageArgs, output: &mut Output<'_>) -> i32 {
    let session = match load_session(&arguments.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let project = session.project();
    let order = match project.graph.topological_order() {
        Ok(order) => order,
        Err(diagnostics) => {
            report_diagnostics(
                &session.load,
                &diagnostics,
                arguments.project.log_format,
                output,
            );
            return exit_code::PROJECT_ERROR;
        }
    };
    let everything = vec![true; project.nodes.len()];
    let analysis = crate::pipeline::analyse(
        project,
        session.dialect,
        &order,
        &everything,
        &session.load.diagnostics,
    );
    // Errors make lineage partial (a model that does not bind has unknown
    // columns): say so, but still show what is known.
    let mut errors: Vec<fusion_ir::diagnostic::Diagnostic> = session
        .load
        .diagnostics
        .iter()
        .chain(&analysis.diagnostics)
        .filter(|diagnostic| diagnostic.is_error())
        .cloned()
        .collect();
    errors.dedup();
    report_diagnostics(&session.load, &errors, arguments.project.log_format, output);
    let lineage = lineage_of_project(project, &order, &analysis);
    let target = match resolve_target(&lineage, &arguments.node_or_column) {
        Ok(target) => target,
        Err(message) => {
            let _ = writeln!(output.stderr, "error: {message}");
            return exit_code::USAGE_ERROR;
        }
    };
    let view = LineageView::new(&lineage);
    let rendered = match arguments.output {
        LineageOutput::Tree => view.tree(&target, arguments.direction, arguments.depth),
        LineageOutput::Json => view.json(&target, arguments.direction, arguments.depth),
        LineageOutput::Dot => view.dot(&target, arguments.direction, arguments.depth),
        LineageOutput::Mermaid => view.mermaid(&target, arguments.direction, arguments.depth),
    };
    let _ = write!(output.stdout, "{rendered}");
    exit_code::SUCCESS
}

/// What the command shows: one node's columns, or one column.
#[derive(Debug)]
struct Target<'a> {
    node: &'a NodeLineage,
    columns: Vec<String>,
}

/// Short name of a node for people: its unique id without the resource type
/// and package (`model.shop.orders` → `orders`, `source.shop.raw.orders` →
/// `raw.orders`).
fn display_node(unique_id: &str) -> &str {
    let mut parts = unique_id.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(_), Some(rest)) => rest,
        _ => unique_id,
    }
}

fn find_node<'a>(lineage: &'a ProjectLineage, written: &str) -> Option<&'a NodeLineage> {
    let matches = |node: &&NodeLineage| {
        node.unique_id == written
            || display_node(&node.unique_id) == written
            || (node.name == written && node.resource_type != "source")
    };
    lineage
        .nodes
        .iter()
        .find(|node| matches(node) && node.resource_type != "source")
        .or_else(|| lineage.nodes.iter().find(matches))
}

fn resolve_target<'a>(lineage: &'a ProjectLineage, written: &str) -> Result<Target<'a>, String> {
    if let Some(node) = find_node(lineage, written) {
        return Ok(Target {
            node,
            columns: node
                .columns
                .iter()
                .map(|column| column.name.clone())
                .collect(),
        });
    }
    if let Some((node_part, column_part)) = written.rsplit_once('.') {
        if let Some(node) = find_node(lineage, node_part) {
            return match node.column(column_part) {
                Some(column) => Ok(Target {
                    node,
                    columns: vec![column.name.clone()],
                }),
                None if !node.schema_known => Err(format!(
                    "the columns of `{}` are unknown{}",
                    display_node(&node.unique_id),
                    if node.unknown_upstreams.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ": it reads {}, whose columns are unknown",
                            node.unknown_upstreams
                                .iter()
                                .map(|upstream| format!("`{}`", display_node(upstream)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                )),
                None => {
                    let names = node.columns.iter().map(|column| column.name.as_str());
                    let mut message = format!(
                        "`{}` has no column `{column_part}`",
                        display_node(&node.unique_id)
                    );
                    match closest_name(column_part, names) {
                        Some(closest) => message.push_str(&format!("; did you mean `{closest}`?")),
                        None => message.push_str(&format!(
                            "; its columns are: {}",
                            node.columns
                                .iter()
                                .map(|column| column.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    }
                    Err(message)
                }
            };
        }
    }
    let candidates: Vec<&str> = lineage
        .nodes
        .iter()
        .map(|node| display_node(&node.unique_id))
        .collect();
    let wanted = written.split('.').next().unwrap_or(written);
    let mut message = format!("no model, seed, snapshot or source named `{written}`");
    if let Some(closest) = closest_name(wanted, candidates.iter().copied())
        .or_else(|| closest_name(written, candidates.iter().copied()))
    {
        message.push_str(&format!("; did you mean `{closest}`?"));
    }
    Err(message)
}

/// A neighbour of a column in the lineage graph.
#[derive(Clone, Debug)]
enum Neighbour {
    Column(ColumnKey, EdgeKind),
    /// Read from a node whose columns are unknown.
    Unknown {
        node: String,
        column_as_written: Option<String>,
        kind: EdgeKind,
    },
}

/// Indexes over a project's lineage for walking it both ways.
struct LineageView<'a> {
    nodes: FxHashMap<&'a str, &'a NodeLineage>,
    readers: FxHashMap<ColumnKey, Vec<(ColumnKey, EdgeKind)>>,
}

impl<'a> LineageView<'a> {
    fn new(lineage: &'a ProjectLineage) -> LineageView<'a> {
        LineageView {
            nodes: lineage
                .nodes
                .iter()
                .map(|node| (node.unique_id.as_str(), node))
                .collect(),
            readers: lineage.readers(),
        }
    }

    fn neighbours(&self, column: &ColumnKey, upward: bool) -> Vec<Neighbour> {
        if upward {
            let Some(lineage) = self
                .nodes
                .get(column.node.as_str())
                .and_then(|node| node.column(&column.column))
            else {
                return Vec::new();
            };
            lineage
                .edges
                .iter()
                .map(|edge| match &edge.upstream {
                    Upstream::Column { node, column } => Neighbour::Column(
                        ColumnKey {
                            node: node.clone(),
                            column: column.clone(),
                        },
                        edge.kind,
                    ),
                    Upstream::UnknownSchema {
                        node,
                        column_as_written,
                    } => Neighbour::Unknown {
                        node: node.clone(),
                        column_as_written: column_as_written.clone(),
                        kind: edge.kind,
                    },
                })
                .collect()
        } else {
            self.readers
                .get(column)
                .map(|readers| {
                    readers
                        .iter()
                        .map(|(reader, kind)| Neighbour::Column(reader.clone(), *kind))
                        .collect()
                })
                .unwrap_or_default()
        }
    }

    fn directions(direction: LineageDirection) -> Vec<bool> {
        match direction {
            LineageDirection::Up => vec![true],
            LineageDirection::Down => vec![false],
            LineageDirection::Both => vec![true, false],
        }
    }

    fn tree(
        &self,
        target: &Target<'_>,
        direction: LineageDirection,
        depth: Option<usize>,
    ) -> String {
        let mut text = String::new();
        if target.columns.is_empty() {
            text.push_str(&format!(
                "{} (columns unknown)\n",
                display_node(&target.node.unique_id)
            ));
            for upstream in &target.node.unknown_upstreams {
                text.push_str(&format!(
                    "  reads {} (columns unknown)\n",
                    display_node(upstream)
                ));
            }
            return text;
        }
        for column in &target.columns {
            let start = ColumnKey {
                node: target.node.unique_id.clone(),
                column: column.clone(),
            };
            text.push_str(&format!("{}.{}\n", display_node(&start.node), start.column));
            for upward in Self::directions(direction) {
                if direction == LineageDirection::Both {
                    text.push_str(if upward {
                        "  upstream:\n"
                    } else {
                        "  downstream:\n"
                    });
                }
                let indent = if direction == LineageDirection::Both {
                    2
                } else {
                    1
                };
                if self.neighbours(&start, upward).is_empty() {
                    text.push_str(&format!(
                        "{}{}\n",
                        "  ".repeat(indent),
                        if upward {
                            "(nothing: a root)"
                        } else {
                            "(nothing reads it)"
                        }
                    ));
                }
                let mut expanded = FxHashSet::default();
                let mut path = vec![start.clone()];
                self.tree_below(
                    &start,
                    upward,
                    indent,
                    depth,
                    &mut path,
                    &mut expanded,
                    &mut text,
                );
            }
        }
        text
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "a recursive walk carrying its path and output"
    )]
    fn tree_below(
        &self,
        column: &ColumnKey,
        upward: bool,
        indent: usize,
        depth_left: Option<usize>,
        path: &mut Vec<ColumnKey>,
        expanded: &mut FxHashSet<ColumnKey>,
        text: &mut String,
    ) {
        if depth_left == Some(0) {
            return;
        }
        let arrow = if upward { "<-" } else { "->" };
        let pad = "  ".repeat(indent);
        for neighbour in self.neighbours(column, upward) {
            match neighbour {
                Neighbour::Column(next, kind) => {
                    let seen_before = expanded.contains(&next);
                    let has_more = !self.neighbours(&next, upward).is_empty();
                    text.push_str(&format!(
                        "{pad}{arrow} {:<9} {}.{}{}\n",
                        kind.as_str(),
                        display_node(&next.node),
                        next.column,
                        if seen_before && has_more {
                            " (see above)"
                        } else {
                            ""
                        }
                    ));
                    let depth_below = depth_left.map(|depth| depth - 1);
                    if seen_before || path.contains(&next) || depth_below == Some(0) {
                        continue;
                    }
                    expanded.insert(next.clone());
                    path.push(next.clone());
                    self.tree_below(&next, upward, indent + 1, depth_below, path, expanded, text);
                    path.pop();
                }
                Neighbour::Unknown {
                    node,
                    column_as_written,
                    kind,
                } => {
                    text.push_str(&format!(
                        "{pad}{arrow} {:<9} {}.{} (columns of {} unknown)\n",
                        kind.as_str(),
                        display_node(&node),
                        column_as_written.as_deref().unwrap_or("?"),
                        display_node(&node)
                    ));
                }
            }
        }
    }

    /// Every edge reached from the target, as (from, to, kind) with `from`
    /// upstream of `to`, in discovery order, each once.
    fn edges(
        &self,
        target: &Target<'_>,
        direction: LineageDirection,
        depth: Option<usize>,
    ) -> Vec<(String, String, EdgeKind)> {
        let mut edges: Vec<(String, String, EdgeKind)> = Vec::new();
        let mut seen: FxHashSet<(String, String, EdgeKind)> = FxHashSet::default();
        let key = |column: &ColumnKey| format!("{}.{}", display_node(&column.node), column.column);
        for column in &target.columns {
            let start = ColumnKey {
                node: target.node.unique_id.clone(),
                column: column.clone(),
            };
            for upward in Self::directions(direction) {
                let mut frontier = vec![start.clone()];
                let mut visited: FxHashSet<ColumnKey> = FxHashSet::from_iter([start.clone()]);
                let mut level = 0;
                while !frontier.is_empty() && depth.is_none_or(|depth| level < depth) {
                    let mut next_frontier = Vec::new();
                    for current in &frontier {
                        for neighbour in self.neighbours(current, upward) {
                            let (other, kind) = match neighbour {
                                Neighbour::Column(other, kind) => (other, kind),
                                Neighbour::Unknown {
                                    node,
                                    column_as_written,
                                    kind,
                                } => {
                                    let from = format!(
                                        "{}.{} (unknown schema)",
                                        display_node(&node),
                                        column_as_written.as_deref().unwrap_or("?")
                                    );
                                    let edge = (from, key(current), kind);
                                    if seen.insert(edge.clone()) {
                                        edges.push(edge);
                                    }
                                    continue;
                                }
                            };
                            let edge = if upward {
                                (key(&other), key(current), kind)
                            } else {
                                (key(current), key(&other), kind)
                            };
                            if seen.insert(edge.clone()) {
                                edges.push(edge);
                            }
                            if visited.insert(other.clone()) {
                                next_frontier.push(other);
                            }
                        }
                    }
                    frontier = next_frontier;
                    level += 1;
                }
            }
        }
        edges
    }

    fn json(
        &self,
        target: &Target<'_>,
        direction: LineageDirection,
        depth: Option<usize>,
    ) -> String {
        #[derive(Serialize)]
        struct ColumnWalk {
            column: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            upstream: Option<Vec<LineageStep>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            downstream: Option<Vec<LineageStep>>,
            /// Upstream nodes of unknown schema the column reads directly.
            unknown_upstreams: Vec<String>,
        }
        #[derive(Serialize)]
        struct Walk<'w> {
            node: &'w str,
            direction: LineageDirection,
            depth: Option<usize>,
            schema_known: bool,
            columns: Vec<ColumnWalk>,
        }
        let lineage = ProjectLineage {
            nodes: self.nodes.values().map(|node| (*node).clone()).collect(),
        };
        let columns = target
            .columns
            .iter()
            .map(|column| {
                let start = ColumnKey {
                    node: target.node.unique_id.clone(),
                    column: column.clone(),
                };
                let unknown_upstreams = self
                    .neighbours(&start, true)
                    .into_iter()
                    .filter_map(|neighbour| match neighbour {
                        Neighbour::Unknown { node, .. } => Some(node),
                        Neighbour::Column(..) => None,
                    })
                    .collect();
                ColumnWalk {
                    column: column.clone(),
                    upstream: (direction != LineageDirection::Down)
                        .then(|| lineage.upstream(&start, depth)),
                    downstream: (direction != LineageDirection::Up)
                        .then(|| lineage.downstream(&start, depth)),
                    unknown_upstreams,
                }
            })
            .collect();
        let walk = Walk {
            node: &target.node.unique_id,
            direction,
            depth,
            schema_known: target.node.schema_known,
            columns,
        };
        let mut text = serde_json::to_string_pretty(&walk).unwrap_or_default();
        text.push('\n');
        text
    }

    fn dot(
        &self,
        target: &Target<'_>,
        direction: LineageDirection,
        depth: Option<usize>,
    ) -> String {
        let mut text = String::from("digraph lineage {\n  rankdir=LR;\n  node [shape=box];\n");
        for column in &target.columns {
            text.push_str(&format!(
                "  \"{}.{}\" [style=bold];\n",
                escape_dot(display_node(&target.node.unique_id)),
                escape_dot(column)
            ));
        }
        for (from, to, kind) in self.edges(target, direction, depth) {
            text.push_str(&format!(
                "  \"{}\" -> \"{}\" [label=\"{}\"];\n",
                escape_dot(&from),
                escape_dot(&to),
                kind.as_str()
            ));
        }
        text.push_str("}\n");
        text
    }

    fn mermaid(
        &self,
        target: &Target<'_>,
        direction: LineageDirection,
        depth: Option<usize>,
    ) -> String {
        let mut text = String::from("flowchart LR\n");
        let mut ids: FxHashMap<String, String> = FxHashMap::default();
        let mut declare = |name: &str, text: &mut String| -> String {
            if let Some(id) = ids.get(name) {
                return id.clone();
            }
            let id = format!("c{}", ids.len());
            text.push_str(&format!("  {id}[\"{}\"]\n", name.replace('"', "#quot;")));
            ids.insert(name.to_owned(), id.clone());
            id
        };
        for column in &target.columns {
            declare(
                &format!("{}.{}", display_node(&target.node.unique_id), column),
                &mut text,
            );
        }
        for (from, to, kind) in self.edges(target, direction, depth) {
            let from_id = declare(&from, &mut text);
            let to_id = declare(&to, &mut text);
            text.push_str(&format!("  {from_id} -->|{}| {to_id}\n", kind.as_str()));
        }
        text
    }
}

fn escape_dot(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
