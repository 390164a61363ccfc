//! Schema inference across the project graph: every model is bound in
//! dependency order, and its output schema becomes what its children read.
//!
//! Nodes are grouped into waves (a node's wave is one more than its deepest
//! parent's), so the nodes of one wave never read each other and are bound
//! in parallel with rayon.

use crate::bind::{bind_query, BoundQuery};
use crate::lookup::{CatalogLookup, RelationIndex};
use fusion_ir::graph::{NodeId, ProjectGraph};
use fusion_ir::query::Query;
use fusion_ir::schema::{RelationName, RelationSchema};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;
use rayon::prelude::*;

/// What the driver knows of one node before inference, indexed by `NodeId`.
#[derive(Clone, Copy, Debug)]
pub struct NodeAnalysisInput<'a> {
    /// The node's lowered query (models, snapshots, tests); `None` for
    /// sources and seeds, and for nodes whose SQL did not parse.
    pub query: Option<&'a Query>,
    /// A schema known without binding: a seed's columns, a source's declared
    /// columns. Used when there is no query.
    pub known_schema: Option<&'a RelationSchema>,
    /// Where the node lives in the warehouse, so that children can read it.
    pub relation: Option<&'a RelationName>,
    /// The file the query's spans point into.
    pub file: FileId,
}

/// The result of inference for one node.
#[derive(Clone, Debug)]
pub struct NodeSchema {
    pub output: RelationSchema,
    /// The binding of the node's query, when it has one.
    pub bound: Option<BoundQuery>,
}

/// Binds every node of `order` (a topological order of `graph`), feeding each
/// node's output schema to its children. `inputs` is indexed by `NodeId`;
/// the result too (nodes missing from `order` get an `Unknown` schema).
pub fn infer_schemas(
    graph: &ProjectGraph,
    order: &[NodeId],
    inputs: &[NodeAnalysisInput<'_>],
    semantics: &dyn DialectSemantics,
) -> Vec<NodeSchema> {
    let node_count = graph.nodes.len().max(inputs.len());
    let mut results: Vec<NodeSchema> = (0..node_count)
        .map(|_| NodeSchema {
            output: RelationSchema::Unknown,
            bound: None,
        })
        .collect();
    // Waves: parents always come earlier in `order`.
    let mut wave_of: Vec<usize> = vec![0; node_count];
    let mut waves: Vec<Vec<NodeId>> = Vec::new();
    for &node in order {
        let wave = graph
            .parents(node)
            .iter()
            .filter_map(|parent| wave_of.get(parent.index()).map(|wave| wave + 1))
            .max()
            .unwrap_or(0);
        if let Some(slot) = wave_of.get_mut(node.index()) {
            *slot = wave;
        }
        if waves.len() <= wave {
            waves.resize_with(wave + 1, Vec::new);
        }
        waves[wave].push(node);
    }
    // Every relation of the project is visible; those not inferred yet (not
    // parents of this wave) read as unknown rather than missing. The names
    // are indexed once; each wave only points at the schemas known so far.
    let named: Vec<(usize, &RelationName)> = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| input.relation.map(|relation| (index, relation)))
        .collect();
    let relation_index = RelationIndex::new(named.iter().map(|(_, relation)| *relation));
    for wave in waves {
        let entries: Vec<(&RelationName, &RelationSchema)> = named
            .iter()
            .map(|&(index, relation)| (relation, &results[index].output))
            .collect();
        let lookup = CatalogLookup::with_index(entries, &relation_index, semantics);
        let computed: Vec<(NodeId, NodeSchema)> = wave
            .par_iter()
            .map(|&node| {
                let input = inputs.get(node.index()).copied();
                let schema =
                    match input.and_then(|input| input.query.map(|query| (query, input.file))) {
                        Some((query, file)) => {
                            let bound = bind_query(query, &lookup, semantics, file);
                            NodeSchema {
                                output: bound.output.clone(),
                                bound: Some(bound),
                            }
                        }
                        None => NodeSchema {
                            output: input
                                .and_then(|input| input.known_schema.cloned())
                                .unwrap_or(RelationSchema::Unknown),
                            bound: None,
                        },
                    };
                (node, schema)
            })
            .collect();
        for (node, schema) in computed {
            if let Some(slot) = results.get_mut(node.index()) {
                *slot = schema;
            }
        }
    }
    results
}
