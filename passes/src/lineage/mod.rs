//! Column lineage: for every output column of a query, the columns of the
//! relations it reads and how; for a project, the same resolved across nodes
//! into `fusion_ir::lineage::ProjectLineage`.
//!
//! Computed from the IR and the binder's side tables (`column_origins`,
//! `rel_schemas`, `scan_targets`, `select_sources`): nothing is parsed or
//! bound again. A relation's lineage is a list, per output column, of
//! [`QuerySource`]s: a column of a relation read by name (a table, view,
//! upstream model) and the [`ReadKind`] of the path from it. Paths through
//! CTEs, subqueries and derived tables compose (see [`ReadKind::then`]).
//!
//! Choices:
//! - Columns that decide which rows appear (WHERE, HAVING, QUALIFY, join
//!   conditions, `USING` columns) are edges of *every* output column of
//!   their query block, with kind `filter` or `join_key`.
//! - Ephemeral models are transparent: a reader's edges into an ephemeral
//!   model are replaced by the ephemeral model's own edges, composed.
//! - A column read from a relation of unknown schema is never guessed: it
//!   becomes an `UnknownSchema` edge naming the relation(s) it may come from.
//!
//! The public types and entry points are here; the work is in `relations`
//! (the lineage of a query's relations and blocks), `joins`, `expressions`
//! (what an expression reads) and `project` (one node's lineage, and
//! ephemeral models spliced out).

mod expressions;
mod joins;
mod project;
mod relations;

use crate::bind::{BoundQuery, ScanTarget};
use crate::lineage::project::{node_lineage, sort_edges, splice_ephemeral, unknown_upstreams_of};
use crate::lineage::relations::LineageBuilder;
use fusion_ir::graph::{NodeId, NodeKind, ProjectGraph};
use fusion_ir::lineage::{
    EdgeKind, NodeLineage, ProjectLineage, QueryColumnSources, QuerySourcesReport,
    TableColumnSource,
};
use fusion_ir::name::Name;
use fusion_ir::query::Query;
use fusion_ir::schema::{Catalog, RelationName, RelationSchema};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// How a value reaches an output column along one path inside a query.
/// `Direct` becomes `copy` or `rename` once the names at both ends are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReadKind {
    Direct,
    Transform,
    Aggregate,
    Window,
    Filter,
    JoinKey,
}

impl ReadKind {
    fn is_row_level(self) -> bool {
        matches!(self, ReadKind::Filter | ReadKind::JoinKey)
    }

    /// The kind of a path that goes through `self` and then through `inner`
    /// (`self` is the step nearer the output). A column that decides rows
    /// anywhere along the path decides rows of the output; otherwise the
    /// strongest value kind wins (`window` > `aggregate` > `transform` > direct).
    pub fn then(self, inner: ReadKind) -> ReadKind {
        if self.is_row_level() {
            self
        } else if inner.is_row_level() {
            inner
        } else {
            self.max(inner)
        }
    }

    /// The edge kind for an output column named `output` that reads a column
    /// named `upstream` this way. Names compare ignoring ASCII case: every
    /// dialect fusionc knows folds unquoted names one way or the other.
    pub fn edge_kind(self, output: &str, upstream: &str) -> EdgeKind {
        match self {
            ReadKind::Direct if output.eq_ignore_ascii_case(upstream) => EdgeKind::Copy,
            ReadKind::Direct => EdgeKind::Rename,
            ReadKind::Transform => EdgeKind::Transform,
            ReadKind::Aggregate => EdgeKind::Aggregate,
            ReadKind::Window => EdgeKind::Window,
            ReadKind::Filter => EdgeKind::Filter,
            ReadKind::JoinKey => EdgeKind::JoinKey,
        }
    }
}

/// Which column of a relation a source is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceColumn {
    /// The column at `position` of the relation, named `name` where the
    /// query reads it (a table alias may have renamed it: the upstream's
    /// own name is the one at `position` of its schema).
    Known { position: usize, name: Name },
    /// The relation's columns are unknown; `written` is the column name the
    /// query uses, when a column reference (not a `*`) reads it.
    Unknown { written: Option<Name> },
}

/// One upstream column of an output column of a query.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QuerySource {
    pub relation: RelationName,
    pub column: SourceColumn,
    pub kind: ReadKind,
}

/// One output column of a query and what it reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryColumnLineage {
    pub name: Name,
    /// Sorted, without duplicates.
    pub sources: Vec<QuerySource>,
}

/// The lineage of one query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryLineage {
    /// `None` when the query's output columns are unknown.
    pub columns: Option<Vec<QueryColumnLineage>>,
    /// Relations of unknown schema the query reads (sorted, unique).
    pub unknown_relations: Vec<RelationName>,
}

/// Computes the lineage of every output column of `query`, bound as `bound`.
pub fn query_lineage(query: &Query, bound: &BoundQuery) -> QueryLineage {
    let mut builder = LineageBuilder::new(query, bound);
    let columns = query.root.and_then(|root| {
        let lineage = builder.rel_lineage(root)?;
        let RelationSchema::Known(schema) = &bound.output else {
            return None;
        };
        Some(
            schema
                .columns
                .iter()
                .zip(lineage.iter())
                .map(|(column, sources)| {
                    let mut sources = sources.clone();
                    sources.sort();
                    sources.dedup();
                    QueryColumnLineage {
                        name: column.name,
                        sources,
                    }
                })
                .collect(),
        )
    });
    let mut unknown_relations: Vec<RelationName> = (0..query.rels.len())
        .filter_map(|index| match bound.scan_targets.get(index) {
            Some(Some(ScanTarget::Relation(relation)))
                if !matches!(
                    bound.rel_schemas.get(index),
                    Some(Some(RelationSchema::Known(_)))
                ) =>
            {
                Some(relation.clone())
            }
            _ => None,
        })
        .collect();
    unknown_relations.sort();
    unknown_relations.dedup();
    QueryLineage {
        columns,
        unknown_relations,
    }
}

/// The lineage of one query as JSON-ready data (`fusionc sql lineage`): for
/// each output column, the `table.column`s it reads and the edge kinds.
/// `catalog` gives the tables' own column names, which a table alias with a
/// column list (`from t as x(a, b)`) may hide; without it, the names as the
/// query reads them are used.
pub fn query_column_sources(
    query: &Query,
    bound: &BoundQuery,
    catalog: Option<&Catalog>,
) -> QuerySourcesReport {
    let lineage = query_lineage(query, bound);
    let unknown_tables = lineage
        .unknown_relations
        .iter()
        .map(ToString::to_string)
        .collect();
    let Some(columns) = lineage.columns else {
        return QuerySourcesReport {
            columns_known: false,
            columns: Vec::new(),
            unknown_tables,
        };
    };
    let columns = columns
        .iter()
        .map(|column| {
            let output = column.name.as_str();
            let mut sources: Vec<TableColumnSource> = column
                .sources
                .iter()
                .map(|source| match &source.column {
                    SourceColumn::Known { position, name } => {
                        let upstream = match catalog
                            .and_then(|catalog| catalog.relations.get(&source.relation))
                        {
                            Some(RelationSchema::Known(schema)) => schema
                                .columns
                                .get(*position)
                                .map_or(*name, |column| column.name),
                            _ => *name,
                        };
                        TableColumnSource {
                            table: source.relation.to_string(),
                            column: Some(upstream.as_str().to_owned()),
                            schema_known: true,
                            kind: source.kind.edge_kind(output, upstream.as_str()),
                        }
                    }
                    SourceColumn::Unknown { written } => TableColumnSource {
                        table: source.relation.to_string(),
                        column: written.map(|name| name.as_str().to_owned()),
                        schema_known: false,
                        kind: source
                            .kind
                            .edge_kind(output, written.map_or("", |name| name.as_str())),
                    },
                })
                .collect();
            // Values first, then what decides the rows.
            sources.sort_by(|left, right| {
                (left.kind.is_row_level(), left).cmp(&(right.kind.is_row_level(), right))
            });
            sources.dedup();
            QueryColumnSources {
                column: output.to_owned(),
                sources,
            }
        })
        .collect();
    QuerySourcesReport {
        columns_known: true,
        columns,
        unknown_tables,
    }
}

/// What the lineage of a project needs of one node, indexed by `NodeId`.
#[derive(Clone, Copy, Debug)]
pub struct NodeLineageInput<'a> {
    /// The node's lowered query, when it has one and it was bound.
    pub query: Option<&'a Query>,
    pub bound: Option<&'a BoundQuery>,
    /// The node's output schema (inferred, declared or from a seed).
    pub output: &'a RelationSchema,
    /// Whether it is an ephemeral model (read as `__dbt__cte__<name>`).
    pub ephemeral: bool,
}

/// Column lineage of every node of `graph` except tests: each model's
/// columns with edges into its parents' columns. Sources and seeds are the
/// roots (no edges). `inputs` is indexed by `NodeId`; `order` is a
/// topological order of the graph (ephemeral models are resolved in it).
pub fn project_lineage(
    graph: &ProjectGraph,
    order: &[NodeId],
    inputs: &[NodeLineageInput<'_>],
) -> ProjectLineage {
    let mut nodes: Vec<NodeLineage> = (0..graph.nodes.len())
        .into_par_iter()
        .map(|index| node_lineage(graph, NodeId(index as u32), inputs))
        .collect();
    // Ephemeral models are transparent: replace edges into them with their
    // own edges, in dependency order so chains of ephemerals resolve fully.
    let ephemeral: Vec<bool> = (0..graph.nodes.len())
        .map(|index| inputs.get(index).is_some_and(|input| input.ephemeral))
        .collect();
    if ephemeral.iter().any(|is_ephemeral| *is_ephemeral) {
        let index_of: FxHashMap<String, usize> = nodes
            .iter()
            .enumerate()
            .map(|(index, node)| (node.unique_id.clone(), index))
            .collect();
        for &id in order {
            let Some(node) = nodes.get(id.index()) else {
                continue;
            };
            let reads_ephemeral =
                node.columns
                    .iter()
                    .flat_map(|column| &column.edges)
                    .any(|edge| {
                        index_of
                            .get(edge.upstream.node())
                            .is_some_and(|&index| ephemeral[index])
                    });
            if !reads_ephemeral {
                continue;
            }
            let mut resolved = node.clone();
            for column in &mut resolved.columns {
                let mut edges = Vec::new();
                for edge in &column.edges {
                    let upstream_index = index_of.get(edge.upstream.node()).copied();
                    match upstream_index {
                        Some(upstream_index) if ephemeral[upstream_index] => {
                            edges.extend(splice_ephemeral(
                                &column.name,
                                edge,
                                &nodes[upstream_index],
                            ));
                        }
                        _ => edges.push(edge.clone()),
                    }
                }
                sort_edges(&mut edges);
                column.edges = edges;
            }
            resolved.unknown_upstreams = unknown_upstreams_of(&resolved);
            nodes[id.index()] = resolved;
        }
    }
    nodes.retain(|node| node.resource_type != NodeKind::Test.resource_type());
    ProjectLineage { nodes }
}
