//! Column-level lineage as data: for every column of every node, the
//! upstream columns it reads and how (`copy`, `rename`, `transform`,
//! `aggregate`, `window`, `filter`, `join_key`).
//!
//! These types are what `target/lineage.json` holds and what other tools read
//! without the rest of fusionc; `fusion-passes` computes them. Nodes and
//! columns are named by strings (dbt unique ids, column names as the node
//! exposes them) so the data stands on its own.
//!
//! Invariants:
//! - An edge goes from a column of a node to a column of one of the node's
//!   direct parents: one hop, never a shortcut. Walking the edges gives the
//!   transitive lineage ([`ProjectLineage::upstream`],
//!   [`ProjectLineage::downstream`]).
//! - Where the columns of an upstream relation are unknown (a source declared
//!   without columns), lineage says so with [`Upstream::UnknownSchema`]
//!   rather than guessing a column.
//! - Ephemeral models are transparent: a model that reads an ephemeral model
//!   gets edges into the ephemeral model's own upstreams (see
//!   [`NodeLineage::ephemeral`]); the ephemeral model keeps its own entry.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How an output column depends on an upstream column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// The same value under the same name.
    Copy,
    /// The same value under another name.
    Rename,
    /// Used in an expression that computes the value (casts, functions,
    /// CASE, struct field access, unnesting).
    Transform,
    /// Used inside an aggregate call.
    Aggregate,
    /// Used inside a window call (argument, PARTITION BY or ORDER BY).
    Window,
    /// Decides which rows appear: WHERE, HAVING, QUALIFY, an aggregate's
    /// `FILTER`, the right side of EXCEPT/INTERSECT.
    Filter,
    /// A join condition or a `USING`/`NATURAL` join column.
    JoinKey,
}

impl EdgeKind {
    /// The spelling used in artifacts and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Copy => "copy",
            EdgeKind::Rename => "rename",
            EdgeKind::Transform => "transform",
            EdgeKind::Aggregate => "aggregate",
            EdgeKind::Window => "window",
            EdgeKind::Filter => "filter",
            EdgeKind::JoinKey => "join_key",
        }
    }

    /// Whether the upstream column decides which rows appear rather than
    /// what a value is.
    pub fn is_row_level(self) -> bool {
        matches!(self, EdgeKind::Filter | EdgeKind::JoinKey)
    }
}

/// A column of a node: the endpoint of an edge.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ColumnKey {
    /// The node's dbt unique id (or, for one query, the table's name).
    pub node: String,
    /// The column's name as the node exposes it.
    pub column: String,
}

/// What an edge points at.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Upstream {
    /// A known column of an upstream node.
    Column {
        /// The upstream node's unique id.
        node: String,
        /// The column's name as the upstream node exposes it.
        column: String,
    },
    /// An upstream node whose columns are unknown: the column is read from
    /// it, but which one cannot be checked. `column_as_written` is the name
    /// the query uses, when a column reference (not a `*`) reads it.
    UnknownSchema {
        /// The upstream node's unique id.
        node: String,
        /// The column's name as the query writes it, if it names one.
        column_as_written: Option<String>,
    },
}

impl Upstream {
    /// The unique id of the upstream node, known or not.
    pub fn node(&self) -> &str {
        match self {
            Upstream::Column { node, .. } | Upstream::UnknownSchema { node, .. } => node,
        }
    }

    /// The column, when it is known.
    pub fn column_key(&self) -> Option<ColumnKey> {
        match self {
            Upstream::Column { node, column } => Some(ColumnKey {
                node: node.clone(),
                column: column.clone(),
            }),
            Upstream::UnknownSchema { .. } => None,
        }
    }
}

/// One upstream edge of an output column.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LineageEdge {
    /// The column (or unknown-schema node) read.
    pub upstream: Upstream,
    /// How it is read.
    pub kind: EdgeKind,
}

/// One output column and its upstream edges (sorted, without duplicates).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnLineage {
    /// The output column's name as the node exposes it.
    pub name: String,
    /// What the column reads, one hop upstream.
    pub edges: Vec<LineageEdge>,
}

/// The lineage of one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeLineage {
    /// dbt's unique id of the node (`model.shop.orders`).
    pub unique_id: String,
    /// dbt's resource type: `model`, `source`, `seed`, `snapshot`, ...
    pub resource_type: String,
    /// The node's short name (`orders`).
    pub name: String,
    /// An ephemeral model: its readers' edges skip it and point at its
    /// upstreams, so nothing downstream names it.
    pub ephemeral: bool,
    /// Whether the node's columns are known. When not, `columns` is empty
    /// and `unknown_upstreams` says which upstream nodes are to blame (empty
    /// for a source or seed that declares no columns: it is a root).
    pub schema_known: bool,
    /// Every output column, in the node's order, with its edges.
    pub columns: Vec<ColumnLineage>,
    /// Upstream nodes of unknown schema this node reads.
    pub unknown_upstreams: Vec<String>,
}

impl NodeLineage {
    /// The column of that name: an exact match first, then one equal
    /// ignoring ASCII case.
    pub fn column(&self, name: &str) -> Option<&ColumnLineage> {
        self.columns
            .iter()
            .find(|column| column.name == name)
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|column| column.name.eq_ignore_ascii_case(name))
            })
    }
}

/// Column lineage of a whole project: one entry per node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectLineage {
    /// One entry per node; fusionc lists them in the project graph's order
    /// and leaves tests out.
    pub nodes: Vec<NodeLineage>,
}

/// The lineage of a single query (`fusionc sql lineage --output json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuerySourcesReport {
    /// Whether the query's output columns are known; when not, `columns` is
    /// empty and `unknown_tables` says why.
    pub columns_known: bool,
    /// Every output column of the query, in order, with what it reads.
    pub columns: Vec<QueryColumnSources>,
    /// Tables of unknown schema the query reads.
    pub unknown_tables: Vec<String>,
}

/// For one output column of a single query (`fusionc sql lineage`): the
/// columns of the tables it reads and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryColumnSources {
    /// The output column's name.
    pub column: String,
    /// The table columns it reads, and how.
    pub sources: Vec<TableColumnSource>,
}

/// A column of a table read by a query, and the kind of the read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TableColumnSource {
    /// The table as the catalog names it (`db.main.orders`).
    pub table: String,
    /// The column; `None` when the table's columns are unknown and the
    /// column was read through a `*`.
    pub column: Option<String>,
    /// Whether the table's columns are known (when not, `column` is the name
    /// as written in the query, unchecked).
    pub schema_known: bool,
    /// How the query reads the column.
    pub kind: EdgeKind,
}

/// One step of a walk through the lineage graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineageStep {
    /// The column reached.
    pub column: ColumnKey,
    /// The column it was reached from.
    pub via: ColumnKey,
    /// The kind of the edge between `via` and `column`.
    pub kind: EdgeKind,
    /// Edges from the starting column (1 for a direct parent or child).
    pub depth: usize,
}

impl ProjectLineage {
    /// The lineage of the node with that unique id.
    pub fn node(&self, unique_id: &str) -> Option<&NodeLineage> {
        self.nodes.iter().find(|node| node.unique_id == unique_id)
    }

    /// Every column upstream of `start`, transitively (breadth first, each
    /// column once), up to `max_depth` edges when given.
    pub fn upstream(&self, start: &ColumnKey, max_depth: Option<usize>) -> Vec<LineageStep> {
        let by_node: FxHashMap<&str, &NodeLineage> = self
            .nodes
            .iter()
            .map(|node| (node.unique_id.as_str(), node))
            .collect();
        walk(start, max_depth, |column| {
            by_node
                .get(column.node.as_str())
                .and_then(|node| node.column(&column.column))
                .map(|lineage| {
                    lineage
                        .edges
                        .iter()
                        .filter_map(|edge| {
                            edge.upstream
                                .column_key()
                                .map(|upstream| (upstream, edge.kind))
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Every column that reads `start`, transitively: the downstream impact
    /// of changing it (breadth first, each column once), up to `max_depth`
    /// edges when given.
    pub fn downstream(&self, start: &ColumnKey, max_depth: Option<usize>) -> Vec<LineageStep> {
        let readers = self.readers();
        walk(start, max_depth, |column| {
            readers.get(column).cloned().unwrap_or_default()
        })
    }

    /// For every column, the columns that read it directly.
    pub fn readers(&self) -> FxHashMap<ColumnKey, Vec<(ColumnKey, EdgeKind)>> {
        let mut readers: FxHashMap<ColumnKey, Vec<(ColumnKey, EdgeKind)>> = FxHashMap::default();
        for node in &self.nodes {
            for column in &node.columns {
                for edge in &column.edges {
                    if let Some(upstream) = edge.upstream.column_key() {
                        readers.entry(upstream).or_default().push((
                            ColumnKey {
                                node: node.unique_id.clone(),
                                column: column.name.clone(),
                            },
                            edge.kind,
                        ));
                    }
                }
            }
        }
        readers
    }
}

fn walk(
    start: &ColumnKey,
    max_depth: Option<usize>,
    mut next: impl FnMut(&ColumnKey) -> Vec<(ColumnKey, EdgeKind)>,
) -> Vec<LineageStep> {
    let mut seen: FxHashSet<ColumnKey> = FxHashSet::default();
    seen.insert(start.clone());
    let mut queue: VecDeque<(ColumnKey, usize)> = VecDeque::from([(start.clone(), 0)]);
    let mut steps = Vec::new();
    while let Some((column, depth)) = queue.pop_front() {
        if max_depth.is_some_and(|max_depth| depth >= max_depth) {
            continue;
        }
        for (reached, kind) in next(&column) {
            // Each column once, but every edge into it is worth showing:
            // keep the step, enqueue only the first time.
            steps.push(LineageStep {
                column: reached.clone(),
                via: column.clone(),
                kind,
                depth: depth + 1,
            });
            if seen.insert(reached.clone()) {
                queue.push_back((reached, depth + 1));
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(node: &str, column: &str) -> ColumnKey {
        ColumnKey {
            node: node.to_owned(),
            column: column.to_owned(),
        }
    }

    /// An edge as (upstream node, upstream column, kind).
    type TestEdge<'a> = (&'a str, &'a str, EdgeKind);

    fn node(unique_id: &str, columns: Vec<(&str, Vec<TestEdge<'_>>)>) -> NodeLineage {
        NodeLineage {
            unique_id: unique_id.to_owned(),
            resource_type: "model".to_owned(),
            name: unique_id.to_owned(),
            ephemeral: false,
            schema_known: true,
            columns: columns
                .into_iter()
                .map(|(name, edges)| ColumnLineage {
                    name: name.to_owned(),
                    edges: edges
                        .into_iter()
                        .map(|(node, column, kind)| LineageEdge {
                            upstream: Upstream::Column {
                                node: node.to_owned(),
                                column: column.to_owned(),
                            },
                            kind,
                        })
                        .collect(),
                })
                .collect(),
            unknown_upstreams: Vec::new(),
        }
    }

    #[test]
    fn downstream_impact_is_transitive_and_upstream_stops_at_depth() {
        let lineage = ProjectLineage {
            nodes: vec![
                node("src", vec![("id", vec![])]),
                node("a", vec![("id", vec![("src", "id", EdgeKind::Copy)])]),
                node("b", vec![("total", vec![("a", "id", EdgeKind::Aggregate)])]),
            ],
        };
        let impact: Vec<(String, usize)> = lineage
            .downstream(&key("src", "id"), None)
            .into_iter()
            .map(|step| {
                (
                    format!("{}.{}", step.column.node, step.column.column),
                    step.depth,
                )
            })
            .collect();
        assert_eq!(
            impact,
            vec![("a.id".to_owned(), 1), ("b.total".to_owned(), 2)]
        );
        let upstream = lineage.upstream(&key("b", "total"), Some(1));
        assert_eq!(upstream.len(), 1);
        assert_eq!(upstream[0].column, key("a", "id"));
        assert_eq!(upstream[0].kind, EdgeKind::Aggregate);
    }
}
