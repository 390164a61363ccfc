//! Lineage across a project ([`project_lineage`]): each node's columns with
//! edges into its parents' columns, and ephemeral models spliced out of the
//! edges.

use crate::bind::BoundQuery;
use crate::lineage::query_lineage;
use crate::lineage::read::{ReadKind, SourceColumn};
use fusion_ir::graph::{NodeId, NodeKind, ProjectGraph};
use fusion_ir::lineage::{
    ColumnLineage, EdgeKind, LineageEdge, NodeLineage, ProjectLineage, Upstream,
};
use fusion_ir::name::Name;
use fusion_ir::query::Query;
use fusion_ir::schema::{RelationName, RelationSchema};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// The edges that replace `edge` (from the column `output`) into the
/// ephemeral model `ephemeral`.
fn splice_ephemeral(output: &str, edge: &LineageEdge, ephemeral: &NodeLineage) -> Vec<LineageEdge> {
    match &edge.upstream {
        Upstream::Column { column, .. } => {
            let Some(through) = ephemeral.column(column) else {
                return Vec::new();
            };
            through
                .edges
                .iter()
                .map(|inner| LineageEdge {
                    upstream: inner.upstream.clone(),
                    kind: compose_edge_kinds(edge.kind, inner.kind, output, &inner.upstream),
                })
                .collect()
        }
        Upstream::UnknownSchema {
            column_as_written, ..
        } => ephemeral
            .unknown_upstreams
            .iter()
            .map(|node| LineageEdge {
                upstream: Upstream::UnknownSchema {
                    node: node.clone(),
                    column_as_written: column_as_written.clone(),
                },
                kind: edge.kind,
            })
            .collect(),
    }
}

/// The kind of an edge through an ephemeral model: `outer` from the reader
/// to the ephemeral column, `inner` from there on (see [`ReadKind::then`]).
fn compose_edge_kinds(
    outer: EdgeKind,
    inner: EdgeKind,
    output: &str,
    upstream: &Upstream,
) -> EdgeKind {
    let as_read = |kind: EdgeKind| match kind {
        EdgeKind::Copy | EdgeKind::Rename => ReadKind::Direct,
        EdgeKind::Transform => ReadKind::Transform,
        EdgeKind::Aggregate => ReadKind::Aggregate,
        EdgeKind::Window => ReadKind::Window,
        EdgeKind::Filter => ReadKind::Filter,
        EdgeKind::JoinKey => ReadKind::JoinKey,
    };
    let upstream_name = match upstream {
        Upstream::Column { column, .. } => column.as_str(),
        Upstream::UnknownSchema { .. } => "",
    };
    as_read(outer)
        .then(as_read(inner))
        .edge_kind(output, upstream_name)
}

/// Values first, then what decides the rows; no duplicates.
fn sort_edges(edges: &mut Vec<LineageEdge>) {
    edges.sort_by(|left, right| {
        (left.kind.is_row_level(), left).cmp(&(right.kind.is_row_level(), right))
    });
    edges.dedup();
}

fn unknown_upstreams_of(node: &NodeLineage) -> Vec<String> {
    let mut unknown: Vec<String> = node
        .columns
        .iter()
        .flat_map(|column| &column.edges)
        .filter_map(|edge| match &edge.upstream {
            Upstream::UnknownSchema { node, .. } => Some(node.clone()),
            Upstream::Column { .. } => None,
        })
        .collect();
    unknown.sort();
    unknown.dedup();
    unknown
}

fn node_lineage(graph: &ProjectGraph, id: NodeId, inputs: &[NodeLineageInput<'_>]) -> NodeLineage {
    let node = graph.node(id);
    // Tests are left out of project lineage: their queries are not bound
    // for lineage's sake (they outnumber models in most projects).
    let input = inputs
        .get(id.index())
        .filter(|_| node.kind != NodeKind::Test);
    let mut lineage = NodeLineage {
        unique_id: node.unique_id.clone(),
        resource_type: node.kind.resource_type().to_owned(),
        name: node.name.as_str().to_owned(),
        ephemeral: input.is_some_and(|input| input.ephemeral),
        schema_known: false,
        columns: Vec::new(),
        unknown_upstreams: Vec::new(),
    };
    let Some(input) = input else {
        return lineage;
    };
    let (Some(query), Some(bound)) = (input.query, input.bound) else {
        // A root (source, seed) or a node that was not analysed: its
        // columns, without edges.
        if let RelationSchema::Known(schema) = input.output {
            lineage.schema_known = true;
            lineage.columns = schema
                .columns
                .iter()
                .map(|column| ColumnLineage {
                    name: column.name.as_str().to_owned(),
                    edges: Vec::new(),
                })
                .collect();
        }
        return lineage;
    };
    let parents = graph.parents(id);
    // Each relation the query reads resolves once: a model's columns share
    // their upstream relations, and filter edges repeat on every column.
    let mut resolved: FxHashMap<RelationName, (String, Option<&RelationSchema>)> =
        FxHashMap::default();
    let mut resolve = |relation: &RelationName| -> (String, Option<&RelationSchema>) {
        resolved
            .entry(relation.clone())
            .or_insert_with(|| match parent_reading(graph, &parents, relation) {
                Some(parent) => (
                    graph.node(parent).unique_id.clone(),
                    inputs.get(parent.index()).map(|input| input.output),
                ),
                None => (relation.to_string(), None),
            })
            .clone()
    };
    let query_lineage = query_lineage(query, bound);
    let mut unknown: Vec<String> = query_lineage
        .unknown_relations
        .iter()
        .map(|relation| resolve(relation).0)
        .collect();
    if let Some(columns) = query_lineage.columns {
        lineage.schema_known = true;
        lineage.columns = columns
            .iter()
            .map(|column| {
                let output_name = column.name.as_str();
                let mut edges: Vec<LineageEdge> = column
                    .sources
                    .iter()
                    .map(|source| {
                        let (node, schema) = resolve(&source.relation);
                        match &source.column {
                            SourceColumn::Known { position, name } => {
                                // The upstream's own name for the column: a
                                // table alias may have renamed it in the query.
                                let upstream_name = match schema {
                                    Some(RelationSchema::Known(schema)) => schema
                                        .columns
                                        .get(*position)
                                        .map_or(*name, |column| column.name),
                                    _ => *name,
                                };
                                LineageEdge {
                                    upstream: Upstream::Column {
                                        node,
                                        column: upstream_name.as_str().to_owned(),
                                    },
                                    kind: source
                                        .kind
                                        .edge_kind(output_name, upstream_name.as_str()),
                                }
                            }
                            SourceColumn::Unknown { written } => LineageEdge {
                                upstream: Upstream::UnknownSchema {
                                    node,
                                    column_as_written: written.map(|name| name.as_str().to_owned()),
                                },
                                kind: source.kind.edge_kind(
                                    output_name,
                                    written.map_or("", |name| name.as_str()),
                                ),
                            },
                        }
                    })
                    .collect();
                sort_edges(&mut edges);
                ColumnLineage {
                    name: output_name.to_owned(),
                    edges,
                }
            })
            .collect();
        unknown = unknown_upstreams_of(&lineage);
    }
    unknown.sort();
    unknown.dedup();
    lineage.unknown_upstreams = unknown;
    lineage
}

/// The parent of a node that the relation name `relation` (as the node's
/// query reads it) designates: its warehouse relation, or for an ephemeral
/// parent the CTE name dbt gives it.
fn parent_reading(
    graph: &ProjectGraph,
    parents: &[NodeId],
    relation: &RelationName,
) -> Option<NodeId> {
    let same = |left: Option<Name>, right: Option<Name>| match (left, right) {
        (Some(left), Some(right)) => left.eq_ignore_ascii_case(right),
        _ => true,
    };
    parents.iter().copied().find(|&parent| {
        let node = graph.node(parent);
        let by_relation = node.relation.as_ref().is_some_and(|candidate| {
            candidate
                .identifier
                .eq_ignore_ascii_case(relation.identifier)
                && same(candidate.schema, relation.schema)
                && same(candidate.database, relation.database)
        });
        by_relation
            || relation
                .identifier
                .as_str()
                .strip_prefix(fusion_ir::graph::EPHEMERAL_CTE_PREFIX)
                .is_some_and(|name| name.eq_ignore_ascii_case(node.name.as_str()))
    })
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
