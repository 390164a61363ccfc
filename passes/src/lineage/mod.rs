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
//! The lineage of one query is here; `read` holds the vocabulary every part
//! shares ([`read::ReadKind`], [`read::QuerySource`]); the work is in
//! `relations` (the lineage of a query's relations and blocks), `joins` and
//! `expressions` (what an expression reads); `project` resolves it across
//! the nodes of a project, ephemeral models spliced out. Imports point one
//! way: `project` → this module → `relations`, `joins`, `expressions` →
//! `read`.

mod expressions;
mod joins;
pub mod project;
pub mod read;
mod relations;

use crate::bind::{BoundQuery, ScanTarget};
use crate::lineage::read::{QuerySource, SourceColumn};
use crate::lineage::relations::LineageBuilder;
use fusion_ir::lineage::{QueryColumnSources, QuerySourcesReport, TableColumnSource};
use fusion_ir::name::Name;
use fusion_ir::query::Query;
use fusion_ir::schema::{Catalog, RelationName, RelationSchema};

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
