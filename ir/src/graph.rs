//! The project graph: every node of a dbt project and who depends on whom.
//!
//! Holds what any consumer of a project needs to walk it in dependency order;
//! dbt-specific details (configs, YAML, raw Jinja) stay in the frontend and
//! refer to nodes by [`NodeId`].

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::name::Name;
use crate::schema::RelationName;
use crate::span::{FileId, Span};
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

/// Index of a node in [`ProjectGraph::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The id as a `usize`, to index [`ProjectGraph::nodes`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The prefix of the CTE an ephemeral model is inlined as in each node that
/// reads it (`__dbt__cte__<name>`), as dbt names it. The frontend names the
/// CTE, the driver writes it, and lineage reads through it.
pub const EPHEMERAL_CTE_PREFIX: &str = "__dbt__cte__";

/// The name of the CTE an ephemeral model is inlined as.
pub fn ephemeral_cte_name(model_name: &str) -> String {
    format!("{EPHEMERAL_CTE_PREFIX}{model_name}")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
/// What kind of dbt resource a node is.
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A SQL model (`models/*.sql`): a query fusionc analyses.
    Model,
    /// A CSV file loaded as a table (`seeds/*.csv`).
    Seed,
    /// A table declared in YAML under `sources:`, loaded outside dbt.
    Source,
    /// A snapshot (`snapshots/*.sql`): a query whose history dbt keeps.
    Snapshot,
    /// A data test: a generic test from YAML, or a singular test's query.
    Test,
    /// An analysis (`analyses/*.sql`): compiled, never run.
    Analysis,
    /// A unit test (`unit_tests:` in schema YAML, dbt 1.8+): a model run on
    /// literal input rows and compared with expected rows. Its graph parent
    /// is the model it tests; it reads no relation.
    UnitTest,
}

impl NodeKind {
    /// dbt's `resource_type` spelling.
    pub fn resource_type(self) -> &'static str {
        match self {
            NodeKind::Model => "model",
            NodeKind::Seed => "seed",
            NodeKind::Source => "source",
            NodeKind::Snapshot => "snapshot",
            NodeKind::Test => "test",
            NodeKind::Analysis => "analysis",
            NodeKind::UnitTest => "unit_test",
        }
    }
}

/// One node of the project.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// dbt's unique id: `model.shop.stg_orders`, `source.shop.raw.orders`.
    pub unique_id: String,
    /// The kind of resource.
    pub kind: NodeKind,
    /// The name `ref()` uses (for sources, the table name).
    pub name: Name,
    /// The dbt package that defines the node (the root project's name for
    /// its own nodes).
    pub package_name: Name,
    /// Where the node lives in the warehouse, when it is a relation.
    pub relation: Option<RelationName>,
    /// The file that defines it (the model's SQL, the source's YAML).
    pub file: Option<FileId>,
}

/// Why one node depends on another: the place of the `ref()`/`source()` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The file holding the call (or the YAML entry that declares the
    /// dependency), when there is one.
    pub file: Option<FileId>,
    /// Where in that file: the call, or the declaring name.
    pub span: Span,
}

/// The nodes and their dependency edges (parent → child).
#[derive(Clone, Debug, Default)]
pub struct ProjectGraph {
    /// Every node, indexed by [`NodeId`].
    pub nodes: Vec<Node>,
    graph: DiGraph<NodeId, Dependency>,
}

impl ProjectGraph {
    /// Adds a node without edges and returns its id.
    pub fn add_node(&mut self, node: Node) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).expect("more than 4 billion nodes"));
        self.nodes.push(node);
        let index = self.graph.add_node(id);
        debug_assert_eq!(index.index(), id.index());
        id
    }

    /// Makes room for `additional` more nodes.
    pub fn reserve_nodes(&mut self, additional: usize) {
        self.nodes.reserve(additional);
        self.graph.reserve_nodes(additional);
    }

    /// The node of an id. Panics on an id that this graph did not hand out.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// Records that `child` reads `parent`. Repeated edges are kept once.
    pub fn add_dependency(&mut self, parent: NodeId, child: NodeId, why: Dependency) {
        let (parent_index, child_index) = (
            NodeIndex::new(parent.index()),
            NodeIndex::new(child.index()),
        );
        if self.graph.find_edge(parent_index, child_index).is_none() {
            self.graph.add_edge(parent_index, child_index, why);
        }
    }

    /// Why `child` reads `parent`, when it reads it directly.
    pub fn dependency(&self, parent: NodeId, child: NodeId) -> Option<Dependency> {
        let edge = self.graph.find_edge(
            NodeIndex::new(parent.index()),
            NodeIndex::new(child.index()),
        )?;
        self.graph.edge_weight(edge).copied()
    }

    /// Direct parents of a node, in the order their edges were added.
    pub fn parents(&self, id: NodeId) -> Vec<NodeId> {
        let mut parents: Vec<NodeId> = self
            .graph
            .neighbors_directed(NodeIndex::new(id.index()), petgraph::Direction::Incoming)
            .map(|index| self.graph[index])
            .collect();
        parents.reverse();
        parents
    }

    /// Direct children of a node, in the order their edges were added.
    pub fn children(&self, id: NodeId) -> Vec<NodeId> {
        let mut children: Vec<NodeId> = self
            .graph
            .neighbors_directed(NodeIndex::new(id.index()), petgraph::Direction::Outgoing)
            .map(|index| self.graph[index])
            .collect();
        children.reverse();
        children
    }

    /// The nodes in an order where every parent comes before its children,
    /// or the cycles that prevent one, each as a diagnostic naming every
    /// node on the cycle.
    pub fn topological_order(&self) -> Result<Vec<NodeId>, Vec<Diagnostic>> {
        match petgraph::algo::toposort(&self.graph, None) {
            Ok(order) => Ok(order.into_iter().map(|index| self.graph[index]).collect()),
            Err(_) => Err(self.cycle_diagnostics()),
        }
    }

    fn cycle_diagnostics(&self) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        for component in petgraph::algo::tarjan_scc(&self.graph) {
            let is_cycle = component.len() > 1
                || component
                    .first()
                    .is_some_and(|&index| self.graph.find_edge(index, index).is_some());
            if !is_cycle {
                continue;
            }
            let cycle = self.cycle_path(&component);
            let names: Vec<&str> = cycle
                .iter()
                .map(|&id| self.node(id).unique_id.as_str())
                .collect();
            let mut shown = names.clone();
            if let Some(first) = names.first() {
                shown.push(first);
            }
            let mut diagnostic = Diagnostic::new(
                Code::DependencyCycle,
                format!("found a cycle: {}", shown.join(" -> ")),
            )
            .with_help("remove one of the ref() calls on the cycle");
            // Point at each edge of the cycle, first as primary.
            for (position, &child) in cycle.iter().enumerate() {
                let parent = cycle[(position + cycle.len() - 1) % cycle.len()];
                let edge = self
                    .graph
                    .find_edge(
                        NodeIndex::new(parent.index()),
                        NodeIndex::new(child.index()),
                    )
                    .map(|edge| self.graph[edge]);
                if let Some(Dependency {
                    file: Some(file),
                    span,
                }) = edge
                {
                    let message = format!(
                        "{} depends on {} here",
                        self.node(child).unique_id,
                        self.node(parent).unique_id
                    );
                    diagnostic = if diagnostic.primary.is_none() {
                        diagnostic.with_primary(file, span, message)
                    } else {
                        diagnostic.with_secondary(file, span, message)
                    };
                }
            }
            diagnostics.push(diagnostic);
        }
        diagnostics
    }

    /// One simple cycle through the nodes of a strongly connected component,
    /// listed so that each node is read by the next (parent before child).
    fn cycle_path(&self, component: &[NodeIndex]) -> Vec<NodeId> {
        let members: rustc_hash::FxHashSet<NodeIndex> = component.iter().copied().collect();
        let Some(&start) = component.iter().min_by_key(|index| index.index()) else {
            return Vec::new();
        };
        // Breadth-first search from `start` back to `start` within the component.
        let mut previous: rustc_hash::FxHashMap<NodeIndex, NodeIndex> = Default::default();
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(current) = queue.pop_front() {
            let mut successors: Vec<NodeIndex> = self
                .graph
                .neighbors_directed(current, petgraph::Direction::Outgoing)
                .filter(|next| members.contains(next))
                .collect();
            successors.sort_by_key(|index| index.index());
            for next in successors {
                if next == start {
                    let mut path = vec![self.graph[current]];
                    let mut cursor = current;
                    while cursor != start {
                        cursor = previous[&cursor];
                        path.push(self.graph[cursor]);
                    }
                    path.reverse();
                    return path;
                }
                if let std::collections::hash_map::Entry::Vacant(entry) = previous.entry(next) {
                    entry.insert(current);
                    queue.push_back(next);
                }
            }
        }
        component.iter().map(|&index| self.graph[index]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(graph: &mut ProjectGraph, name: &str) -> NodeId {
        graph.add_node(Node {
            unique_id: format!("model.p.{name}"),
            kind: NodeKind::Model,
            name: Name::new(name),
            package_name: Name::new("p"),
            relation: None,
            file: Some(FileId(0)),
        })
    }

    #[test]
    fn cycle_names_every_node_once_in_order() {
        let mut graph = ProjectGraph::default();
        let [a, b, c, d] = ["a", "b", "c", "d"].map(|name| model(&mut graph, name));
        let why = Dependency {
            file: Some(FileId(0)),
            span: Span::new(0, 1),
        };
        graph.add_dependency(d, a, why);
        graph.add_dependency(a, b, why);
        graph.add_dependency(b, c, why);
        graph.add_dependency(c, a, why);
        let diagnostics = graph
            .topological_order()
            .expect_err("the graph has a cycle");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            diagnostics[0].message,
            "found a cycle: model.p.a -> model.p.b -> model.p.c -> model.p.a"
        );
        assert_eq!(diagnostics[0].secondary.len(), 2);
    }

    #[test]
    fn acyclic_graph_orders_parents_first() {
        let mut graph = ProjectGraph::default();
        let [a, b, c] = ["a", "b", "c"].map(|name| model(&mut graph, name));
        let why = Dependency {
            file: None,
            span: Span::EMPTY,
        };
        graph.add_dependency(b, c, why);
        graph.add_dependency(a, b, why);
        let order = graph.topological_order().expect("no cycle");
        let position = |id| order.iter().position(|&other| other == id);
        assert!(position(a) < position(b) && position(b) < position(c));
        assert_eq!(graph.parents(c), vec![b]);
        assert_eq!(graph.children(a), vec![b]);
    }
}
