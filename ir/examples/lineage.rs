//! Builds the column lineage of a three-model project by hand, asks which
//! columns feed a column and which columns a change would reach, and prints
//! the JSON that `target/lineage.json` holds.
//!
//! In fusionc, `fusion-passes` computes this data from the binder's side
//! tables; another tool only needs these types to read or query it.
//!
//! Run with `cargo run -p fusion-ir --example lineage`.

use fusion_ir::lineage::{
    ColumnKey, ColumnLineage, EdgeKind, LineageEdge, NodeLineage, ProjectLineage, Upstream,
};

/// An edge to a known column of an upstream node.
fn edge(node: &str, column: &str, kind: EdgeKind) -> LineageEdge {
    LineageEdge {
        upstream: Upstream::Column {
            node: node.to_owned(),
            column: column.to_owned(),
        },
        kind,
    }
}

fn column(name: &str, edges: Vec<LineageEdge>) -> ColumnLineage {
    ColumnLineage {
        name: name.to_owned(),
        edges,
    }
}

fn node(unique_id: &str, resource_type: &str, columns: Vec<ColumnLineage>) -> NodeLineage {
    NodeLineage {
        unique_id: unique_id.to_owned(),
        resource_type: resource_type.to_owned(),
        name: unique_id.rsplit('.').next().unwrap_or(unique_id).to_owned(),
        ephemeral: false,
        schema_known: true,
        columns,
        unknown_upstreams: Vec::new(),
    }
}

/// `raw.orders` (a source) → `stg_orders` → `customer_totals`:
///
/// ```sql
/// -- stg_orders
/// select id as order_id, customer_id, amount from {{ source('raw', 'orders') }}
/// where status <> 'cancelled'
/// -- customer_totals
/// select customer_id, sum(amount) as total from {{ ref('stg_orders') }}
/// group by customer_id
/// ```
fn project_lineage() -> ProjectLineage {
    let source = "source.shop.raw.orders";
    let staging = "model.shop.stg_orders";
    let totals = "model.shop.customer_totals";
    // A source's columns read nothing: they are where lineage starts.
    let source_columns = ["id", "customer_id", "amount", "status"]
        .into_iter()
        .map(|name| column(name, Vec::new()))
        .collect();
    let status_filter = || edge(source, "status", EdgeKind::Filter);
    ProjectLineage {
        nodes: vec![
            node(source, "source", source_columns),
            node(
                staging,
                "model",
                vec![
                    column(
                        "order_id",
                        vec![edge(source, "id", EdgeKind::Rename), status_filter()],
                    ),
                    column(
                        "customer_id",
                        vec![edge(source, "customer_id", EdgeKind::Copy), status_filter()],
                    ),
                    column(
                        "amount",
                        vec![edge(source, "amount", EdgeKind::Copy), status_filter()],
                    ),
                ],
            ),
            node(
                totals,
                "model",
                vec![
                    column(
                        "customer_id",
                        vec![edge(staging, "customer_id", EdgeKind::Copy)],
                    ),
                    // Grouping by customer_id adds no edge to `total`:
                    // lineage follows values and row filters, not groups.
                    column("total", vec![edge(staging, "amount", EdgeKind::Aggregate)]),
                ],
            ),
        ],
    }
}

fn key(node: &str, column: &str) -> ColumnKey {
    ColumnKey {
        node: node.to_owned(),
        column: column.to_owned(),
    }
}

fn main() {
    let lineage = project_lineage();

    // One hop: the edges of one column, as stored.
    let totals = lineage
        .node("model.shop.customer_totals")
        .expect("the node exists");
    let total = totals.column("TOTAL").expect("names match ignoring case");
    println!("{}.{} reads:", totals.name, total.name);
    for edge in &total.edges {
        if let Some(upstream) = edge.upstream.column_key() {
            println!(
                "  {}.{} ({})",
                upstream.node,
                upstream.column,
                edge.kind.as_str()
            );
        }
    }

    // Transitively upstream: everything the column depends on.
    println!("\nupstream of customer_totals.total:");
    for step in lineage.upstream(&key("model.shop.customer_totals", "total"), None) {
        println!(
            "  depth {}: {}.{} ({}, via {})",
            step.depth,
            step.column.node,
            step.column.column,
            step.kind.as_str(),
            step.via.column
        );
    }

    // Transitively downstream: what a change to a source column reaches,
    // here up to two edges away. A row-level edge (filter, join key) means
    // the column decides which rows appear, not what a value is.
    println!("\nchanging raw.orders.status reaches:");
    for step in lineage.downstream(&key("source.shop.raw.orders", "status"), Some(2)) {
        let row_level = if step.kind.is_row_level() {
            ", row-level"
        } else {
            ""
        };
        println!(
            "  depth {}: {}.{} ({}{row_level}, via {})",
            step.depth,
            step.column.node,
            step.column.column,
            step.kind.as_str(),
            step.via.column
        );
    }

    // The same data as `target/lineage.json` spells it.
    let json = serde_json::to_string_pretty(&lineage.nodes[1]).expect("lineage serialises");
    println!("\nstg_orders in lineage.json:\n{json}");
}
