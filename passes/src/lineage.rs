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

use crate::bind::{BoundQuery, ColumnOrigin, ScanTarget, SelectSource};
use fusion_ir::graph::{NodeId, NodeKind, ProjectGraph};
use fusion_ir::lineage::{
    ColumnLineage, EdgeKind, LineageEdge, NodeLineage, ProjectLineage, QueryColumnSources,
    QuerySourcesReport, TableColumnSource, Upstream,
};
use fusion_ir::name::Name;
use fusion_ir::query::{
    ExprId, ExprKind, FilterClause, FunctionKind, JoinConstraint, JoinKind, Query, RelId, RelKind,
    SetOpKind,
};
use fusion_ir::schema::{Catalog, RelationName, RelationSchema, Schema};
use fusion_ir::types::SqlType;
use fusion_ir::walk::for_each_expr_child;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;

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

/// Per output column of a relation, what it reads; `None` when the
/// relation's columns are unknown.
type RelLineage = Option<Rc<Vec<Vec<QuerySource>>>>;

struct LineageBuilder<'q> {
    query: &'q Query,
    bound: &'q BoundQuery,
    /// `rel_lineage` results, by `RelId` (outer `None`: not computed yet).
    memo: Vec<Option<RelLineage>>,
    /// Relations being computed: a recursive CTE reading itself.
    in_progress: Vec<bool>,
    /// For a FULL or RIGHT join `USING`/`NATURAL`, the merged column of the
    /// left FROM item is also the right one's value: (rel, column) of the
    /// left item to those of the right.
    merged_columns: FxHashMap<(RelId, usize), Vec<(RelId, usize)>>,
    /// What decides the rows of each query block, by the `Project`'s `RelId`.
    block_rows: FxHashMap<RelId, Rc<Vec<QuerySource>>>,
}

impl<'q> LineageBuilder<'q> {
    fn new(query: &'q Query, bound: &'q BoundQuery) -> LineageBuilder<'q> {
        let mut builder = LineageBuilder {
            query,
            bound,
            memo: vec![None; query.rels.len()],
            in_progress: vec![false; query.rels.len()],
            merged_columns: FxHashMap::default(),
            block_rows: FxHashMap::default(),
        };
        for (index, rel) in query.rels.iter().enumerate() {
            if let RelKind::Join {
                kind: JoinKind::Full | JoinKind::Right,
                ..
            } = rel.kind
            {
                for (left, right) in builder.merged_join_columns(RelId(index as u32)) {
                    builder.merged_columns.entry(left).or_default().push(right);
                }
            }
        }
        builder
    }

    fn schema(&self, rel: RelId) -> Option<&'q Schema> {
        match self.bound.rel_schemas.get(rel.index()) {
            Some(Some(RelationSchema::Known(schema))) => Some(schema),
            _ => None,
        }
    }

    fn width(&self, rel: RelId) -> Option<usize> {
        self.schema(rel).map(Schema::len)
    }

    fn rel_lineage(&mut self, rel: RelId) -> RelLineage {
        if let Some(Some(done)) = self.memo.get(rel.index()) {
            return done.clone();
        }
        if self.in_progress.get(rel.index()).copied().unwrap_or(true) {
            // The recursive part of a recursive CTE reads the CTE itself: its
            // columns add nothing the anchor does not already bring.
            return self
                .width(rel)
                .map(|width| Rc::new(vec![Vec::new(); width]));
        }
        self.in_progress[rel.index()] = true;
        let computed = self.compute_rel_lineage(rel);
        self.in_progress[rel.index()] = false;
        self.memo[rel.index()] = Some(computed.clone());
        computed
    }

    fn compute_rel_lineage(&mut self, rel: RelId) -> RelLineage {
        let query = self.query;
        match &query.rel(rel).kind {
            RelKind::Scan { .. } => match self.bound.scan_targets.get(rel.index()) {
                Some(Some(ScanTarget::Relation(relation))) => {
                    let schema = self.schema(rel)?;
                    Some(Rc::new(
                        schema
                            .columns
                            .iter()
                            .enumerate()
                            .map(|(position, column)| {
                                vec![QuerySource {
                                    relation: relation.clone(),
                                    column: SourceColumn::Known {
                                        position,
                                        name: column.name,
                                    },
                                    kind: ReadKind::Direct,
                                }]
                            })
                            .collect(),
                    ))
                }
                Some(Some(ScanTarget::Cte { definition })) => {
                    let definition = *definition;
                    let lineage = self.rel_lineage(definition)?;
                    // `name (a, b) as (...)` renames by position; the width stays.
                    Some(lineage)
                }
                _ => None,
            },
            RelKind::Derived { input, .. } => self.rel_lineage(*input),
            RelKind::With { body, .. } => self.rel_lineage(*body),
            RelKind::Limit { input, .. } => self.rel_lineage(*input),
            RelKind::Aggregate { input, .. } => self.rel_lineage(*input),
            RelKind::Sort { input, .. } => self.rel_lineage(*input),
            RelKind::Project { .. } => self.block_lineage(rel),
            RelKind::Filter {
                input,
                predicate,
                clause: _,
            } => {
                // A filter outside a query block: it reads its input's columns.
                let input_lineage = self.rel_lineage(*input)?;
                let row_sources = self.expr_sources(*predicate, ReadKind::Filter, &[]);
                Some(Rc::new(
                    input_lineage
                        .iter()
                        .map(|sources| {
                            let mut sources = sources.clone();
                            sources.extend(row_sources.iter().cloned());
                            sources
                        })
                        .collect(),
                ))
            }
            RelKind::TableFunction { args, .. } => {
                let width = self.width(rel)?;
                let mut sources = Vec::new();
                for arg in args {
                    sources.extend(self.expr_sources(arg.value, ReadKind::Transform, &[]));
                }
                Some(Rc::new(vec![sources; width]))
            }
            RelKind::Unnest { args, .. } => {
                let width = self.width(rel)?;
                let per_argument: Vec<Vec<QuerySource>> = args
                    .iter()
                    .map(|arg| self.expr_sources(*arg, ReadKind::Transform, &[]))
                    .collect();
                let all: Vec<QuerySource> = per_argument.iter().flatten().cloned().collect();
                // One column per argument, then the offset (which depends on all).
                Some(Rc::new(
                    (0..width)
                        .map(|index| per_argument.get(index).cloned().unwrap_or(all.clone()))
                        .collect(),
                ))
            }
            RelKind::Values { rows, .. } => {
                let width = self.width(rel)?;
                let mut columns = vec![Vec::new(); width];
                for row in rows {
                    for (index, expr) in row.iter().enumerate() {
                        let sources = self.expr_sources(*expr, ReadKind::Direct, &[]);
                        if let Some(column) = columns.get_mut(index) {
                            column.extend(sources);
                        }
                    }
                }
                Some(Rc::new(columns))
            }
            RelKind::SingleRow => Some(Rc::new(Vec::new())),
            RelKind::Join { .. } => {
                // A join read as a whole (parenthesised in FROM): its FROM
                // items' visible columns, left to right.
                let mut columns = Vec::new();
                for (item, column) in self.visible_join_columns(rel)? {
                    let lineage = self.rel_lineage(item)?;
                    columns.push(lineage.get(column).cloned().unwrap_or_default());
                }
                Some(Rc::new(columns))
            }
            RelKind::SetOp {
                op,
                by_name,
                left,
                right,
                ..
            } => {
                let (op, by_name, left, right) = (*op, *by_name, *left, *right);
                let left_lineage = self.rel_lineage(left)?;
                let right_lineage = self.rel_lineage(right)?;
                let output = self.schema(rel)?;
                let left_schema = self.schema(left)?;
                let right_schema = self.schema(right)?;
                // EXCEPT and INTERSECT take their values from the left; the
                // right side's rows decide which of them remain.
                let right_decides_rows = matches!(op, SetOpKind::Except | SetOpKind::Intersect);
                let right_rows: Vec<QuerySource> = if right_decides_rows {
                    right_lineage
                        .iter()
                        .flatten()
                        .map(|source| with_kind(source, ReadKind::Filter.then(source.kind)))
                        .collect()
                } else {
                    Vec::new()
                };
                let columns = output
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(position, column)| {
                        let find = |schema: &Schema| {
                            if by_name {
                                schema
                                    .columns
                                    .iter()
                                    .position(|other| other.name.eq_ignore_ascii_case(column.name))
                            } else {
                                (position < schema.len()).then_some(position)
                            }
                        };
                        let mut sources: Vec<QuerySource> = find(left_schema)
                            .and_then(|index| left_lineage.get(index).cloned())
                            .unwrap_or_default();
                        if right_decides_rows {
                            sources.extend(right_rows.iter().cloned());
                        } else if let Some(right_sources) =
                            find(right_schema).and_then(|index| right_lineage.get(index))
                        {
                            sources.extend(right_sources.iter().cloned());
                        }
                        sources
                    })
                    .collect();
                Some(Rc::new(columns))
            }
            RelKind::Error => None,
        }
    }

    /// The lineage of a SELECT block whose select list is the `Project` `project`.
    fn block_lineage(&mut self, project: RelId) -> RelLineage {
        let query = self.query;
        let RelKind::Project { input, .. } = &query.rel(project).kind else {
            return None;
        };
        let select_sources = self
            .bound
            .select_sources
            .get(project.index())
            .and_then(Option::as_ref)?;
        let mut predicates: Vec<ExprId> = Vec::new();
        let mut cursor = *input;
        loop {
            match &query.rel(cursor).kind {
                RelKind::Filter {
                    input,
                    predicate,
                    clause: FilterClause::Where | FilterClause::Having | FilterClause::Qualify,
                } => {
                    predicates.push(*predicate);
                    cursor = *input;
                }
                RelKind::Aggregate { input, .. } => cursor = *input,
                _ => break,
            }
        }
        let from = cursor;
        let unknown_items = self.unknown_relations_in(from);
        let mut row_sources: Vec<QuerySource> = Vec::new();
        for predicate in predicates {
            row_sources.extend(self.expr_sources(predicate, ReadKind::Filter, &unknown_items));
        }
        row_sources.extend(self.join_key_sources(from, &unknown_items));
        // The FROM items' own filters decide this block's rows too, even for
        // a column that reads none of their columns (`count(*)`).
        let mut items = Vec::new();
        self.collect_from_items(from, &mut items);
        for item in items {
            row_sources.extend(self.row_sources(item));
        }
        row_sources.sort();
        row_sources.dedup();
        self.block_rows
            .insert(project, Rc::new(row_sources.clone()));
        let mut columns = Vec::with_capacity(select_sources.len());
        for source in select_sources {
            let mut sources = match *source {
                SelectSource::Expr(expr) => {
                    self.expr_sources(expr, ReadKind::Direct, &unknown_items)
                }
                SelectSource::Input { rel, column } => {
                    self.input_column_sources(rel, column, ReadKind::Direct)
                }
            };
            sources.extend(row_sources.iter().cloned());
            sources.sort();
            sources.dedup();
            columns.push(sources);
        }
        Some(Rc::new(columns))
    }

    /// The columns that decide which rows `rel` has (all of kind `filter`
    /// or `join_key`).
    fn row_sources(&mut self, rel: RelId) -> Vec<QuerySource> {
        let query = self.query;
        match &query.rel(rel).kind {
            RelKind::Scan { .. } => match self.bound.scan_targets.get(rel.index()) {
                Some(Some(ScanTarget::Cte { definition }))
                    if !self
                        .in_progress
                        .get(definition.index())
                        .copied()
                        .unwrap_or(true) =>
                {
                    self.row_sources(*definition)
                }
                _ => Vec::new(),
            },
            RelKind::Derived { input, .. }
            | RelKind::Limit { input, .. }
            | RelKind::Sort { input, .. }
            | RelKind::Aggregate { input, .. } => self.row_sources(*input),
            RelKind::With { body, .. } => self.row_sources(*body),
            RelKind::Filter {
                input, predicate, ..
            } => {
                let mut sources = self.row_sources(*input);
                sources.extend(self.expr_sources(*predicate, ReadKind::Filter, &[]));
                sources
            }
            RelKind::Project { .. } => {
                self.rel_lineage(rel);
                self.block_rows
                    .get(&rel)
                    .map(|rows| rows.as_ref().clone())
                    .unwrap_or_default()
            }
            RelKind::Join { .. } => {
                let mut sources = self.join_key_sources(rel, &[]);
                let mut items = Vec::new();
                self.collect_from_items(rel, &mut items);
                for item in items {
                    sources.extend(self.row_sources(item));
                }
                sources
            }
            RelKind::SetOp {
                op, left, right, ..
            } => {
                let (op, left, right) = (*op, *left, *right);
                let mut sources = self.row_sources(left);
                sources.extend(self.row_sources(right));
                if matches!(op, SetOpKind::Except | SetOpKind::Intersect) {
                    if let Some(lineage) = self.rel_lineage(right) {
                        sources.extend(
                            lineage.iter().flatten().map(|source| {
                                with_kind(source, ReadKind::Filter.then(source.kind))
                            }),
                        );
                    }
                }
                sources
            }
            RelKind::TableFunction { .. }
            | RelKind::Unnest { .. }
            | RelKind::Values { .. }
            | RelKind::SingleRow
            | RelKind::Error => Vec::new(),
        }
    }

    /// What column `column` of the FROM item `rel` reads, through `kind`.
    fn input_column_sources(
        &mut self,
        rel: RelId,
        column: usize,
        kind: ReadKind,
    ) -> Vec<QuerySource> {
        let mut sources: Vec<QuerySource> = match self.rel_lineage(rel) {
            Some(lineage) => lineage
                .get(column)
                .map(|sources| {
                    sources
                        .iter()
                        .map(|source| with_kind(source, kind.then(source.kind)))
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        };
        if let Some(merged) = self.merged_columns.get(&(rel, column)).cloned() {
            for (right_rel, right_column) in merged {
                sources.extend(self.input_column_sources(
                    right_rel,
                    right_column,
                    kind.then(ReadKind::Transform),
                ));
            }
        }
        sources
    }

    /// Relations of unknown schema a FROM clause may read a column from.
    fn unknown_relations_in(&self, from: RelId) -> Vec<RelationName> {
        let mut found = Vec::new();
        let mut visited = FxHashSet::default();
        self.collect_unknown_relations(from, &mut found, &mut visited);
        found.sort();
        found.dedup();
        found
    }

    fn collect_unknown_relations(
        &self,
        rel: RelId,
        found: &mut Vec<RelationName>,
        visited: &mut FxHashSet<RelId>,
    ) {
        if !visited.insert(rel) || self.schema(rel).is_some() {
            return;
        }
        match &self.query.rel(rel).kind {
            RelKind::Scan { .. } => match self.bound.scan_targets.get(rel.index()) {
                Some(Some(ScanTarget::Relation(relation))) => found.push(relation.clone()),
                Some(Some(ScanTarget::Cte { definition })) => {
                    self.collect_unknown_relations(*definition, found, visited)
                }
                _ => {}
            },
            RelKind::Join { left, right, .. } | RelKind::SetOp { left, right, .. } => {
                self.collect_unknown_relations(*left, found, visited);
                self.collect_unknown_relations(*right, found, visited);
            }
            RelKind::Derived { input, .. }
            | RelKind::Limit { input, .. }
            | RelKind::Sort { input, .. }
            | RelKind::Filter { input, .. }
            | RelKind::Aggregate { input, .. }
            | RelKind::Project { input, .. } => {
                self.collect_unknown_relations(*input, found, visited)
            }
            RelKind::With { body, .. } => self.collect_unknown_relations(*body, found, visited),
            _ => {}
        }
    }

    /// The FROM items (leaves of the join tree) under `rel`, left to right.
    fn collect_from_items(&self, rel: RelId, items: &mut Vec<RelId>) {
        match &self.query.rel(rel).kind {
            RelKind::Join {
                left, right, kind, ..
            } => {
                self.collect_from_items(*left, items);
                if !matches!(kind, JoinKind::Semi | JoinKind::Anti) {
                    self.collect_from_items(*right, items);
                }
            }
            _ => items.push(rel),
        }
    }

    /// The columns a join shows (`*`), as (FROM item, column): `USING` and
    /// `NATURAL` hide the right side's copy of each merged column.
    fn visible_join_columns(&self, join: RelId) -> Option<Vec<(RelId, usize)>> {
        let mut items = Vec::new();
        self.collect_from_items(join, &mut items);
        let hidden: FxHashSet<(RelId, usize)> = self.hidden_columns(join);
        let mut columns = Vec::new();
        for item in items {
            for position in 0..self.width(item)? {
                if !hidden.contains(&(item, position)) {
                    columns.push((item, position));
                }
            }
        }
        Some(columns)
    }

    fn hidden_columns(&self, rel: RelId) -> FxHashSet<(RelId, usize)> {
        let mut hidden = FxHashSet::default();
        if let RelKind::Join { left, right, .. } = &self.query.rel(rel).kind {
            hidden.extend(self.hidden_columns(*left));
            hidden.extend(self.hidden_columns(*right));
            hidden.extend(
                self.merged_join_columns(rel)
                    .into_iter()
                    .map(|(_, right)| right),
            );
        }
        hidden
    }

    /// A `USING`/`NATURAL` join's merged columns: (FROM item, column) on
    /// the left and on the right, matched by name ignoring ASCII case.
    fn merged_join_columns(&self, join: RelId) -> Vec<((RelId, usize), (RelId, usize))> {
        let RelKind::Join {
            left,
            right,
            constraint,
            ..
        } = &self.query.rel(join).kind
        else {
            return Vec::new();
        };
        let columns_of = |rel: RelId| -> Vec<(RelId, usize, Name)> {
            let mut items = Vec::new();
            self.collect_from_items(rel, &mut items);
            let hidden = self.hidden_columns(rel);
            items
                .into_iter()
                .flat_map(|item| {
                    self.schema(item)
                        .map(|schema| {
                            schema
                                .columns
                                .iter()
                                .enumerate()
                                .map(|(position, column)| (item, position, column.name))
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default()
                })
                .filter(|(item, position, _)| !hidden.contains(&(*item, *position)))
                .collect()
        };
        let left_columns = columns_of(*left);
        let right_columns = columns_of(*right);
        let names: Vec<Name> = match constraint {
            JoinConstraint::Using(idents) => idents.iter().map(|ident| ident.name).collect(),
            JoinConstraint::Natural => right_columns
                .iter()
                .map(|(_, _, name)| *name)
                .filter(|name| {
                    left_columns
                        .iter()
                        .any(|(_, _, left)| left.eq_ignore_ascii_case(*name))
                })
                .collect(),
            JoinConstraint::On(_) | JoinConstraint::None => Vec::new(),
        };
        let find = |columns: &[(RelId, usize, Name)], name: Name| {
            columns
                .iter()
                .find(|(_, _, column)| column.eq_ignore_ascii_case(name))
                .map(|(item, position, _)| (*item, *position))
        };
        names
            .into_iter()
            .filter_map(|name| Some((find(&left_columns, name)?, find(&right_columns, name)?)))
            .collect()
    }

    /// The join keys of a FROM clause: ON conditions and merged columns, as
    /// `join_key` sources.
    fn join_key_sources(&mut self, from: RelId, unknown: &[RelationName]) -> Vec<QuerySource> {
        let query = self.query;
        let RelKind::Join {
            left,
            right,
            constraint,
            ..
        } = &query.rel(from).kind
        else {
            return Vec::new();
        };
        let mut sources = self.join_key_sources(*left, unknown);
        sources.extend(self.join_key_sources(*right, unknown));
        match constraint {
            JoinConstraint::On(predicate) => {
                sources.extend(self.expr_sources(*predicate, ReadKind::JoinKey, unknown));
            }
            JoinConstraint::Using(_) | JoinConstraint::Natural => {
                for ((left_item, left_column), (right_item, right_column)) in
                    self.merged_join_columns(from)
                {
                    sources.extend(self.input_column_sources(
                        left_item,
                        left_column,
                        ReadKind::JoinKey,
                    ));
                    sources.extend(self.input_column_sources(
                        right_item,
                        right_column,
                        ReadKind::JoinKey,
                    ));
                }
            }
            JoinConstraint::None => {}
        }
        sources
    }

    /// The columns `expr` reads, each through `kind` composed with the path
    /// inside the expression. `unknown` lists the relations of unknown
    /// schema a column that did not resolve may come from.
    fn expr_sources(
        &mut self,
        expr: ExprId,
        kind: ReadKind,
        unknown: &[RelationName],
    ) -> Vec<QuerySource> {
        let mut sources = Vec::new();
        self.collect_expr_sources(expr, kind, unknown, &mut sources);
        sources
    }

    fn collect_expr_sources(
        &mut self,
        expr: ExprId,
        kind: ReadKind,
        unknown: &[RelationName],
        sources: &mut Vec<QuerySource>,
    ) {
        let query = self.query;
        match &query.expr(expr).kind {
            ExprKind::Column { name, .. } => {
                match self
                    .bound
                    .column_origins
                    .get(expr.index())
                    .copied()
                    .flatten()
                {
                    Some(
                        ColumnOrigin::Input { rel, column } | ColumnOrigin::Outer { rel, column },
                    ) => {
                        // `s.field` on a struct column resolves to the column
                        // `s`: reading a field is a transformation of it.
                        let is_field_access = self
                            .schema(rel)
                            .and_then(|schema| schema.columns.get(column))
                            .is_some_and(|column| !column.name.eq_ignore_ascii_case(name.name));
                        let kind = if is_field_access {
                            kind.then(ReadKind::Transform)
                        } else {
                            kind
                        };
                        sources.extend(self.input_column_sources(rel, column, kind));
                    }
                    Some(ColumnOrigin::SelectItem { expr: item }) => {
                        self.collect_expr_sources(item, kind, unknown, sources)
                    }
                    Some(ColumnOrigin::LambdaParameter) => {}
                    None => {
                        // Unresolved: a column of a relation of unknown schema,
                        // or a niladic function (`current_date`), which has a type.
                        let typed = self
                            .bound
                            .expr_type(expr)
                            .is_some_and(|value| !matches!(value.ty, SqlType::Unknown));
                        if !typed {
                            sources.extend(unknown.iter().map(|relation| QuerySource {
                                relation: relation.clone(),
                                column: SourceColumn::Unknown {
                                    written: Some(name.name),
                                },
                                kind,
                            }));
                        }
                    }
                }
            }
            ExprKind::Function(call) => {
                let (argument_kind, arguments_read_rows) = match (&call.over, call.kind) {
                    (Some(_), _) => (kind.then(ReadKind::Window), false),
                    (None, FunctionKind::Aggregate) => (kind.then(ReadKind::Aggregate), true),
                    _ => (kind.then(ReadKind::Transform), false),
                };
                for arg in &call.args {
                    self.collect_expr_sources(arg.value, argument_kind, unknown, sources);
                }
                for key in call.order_by.iter().chain(&call.within_group) {
                    self.collect_expr_sources(key.expr, argument_kind, unknown, sources);
                }
                if let Some(filter) = call.filter {
                    let filter_kind = if arguments_read_rows {
                        kind.then(ReadKind::Filter)
                    } else {
                        argument_kind
                    };
                    self.collect_expr_sources(filter, filter_kind, unknown, sources);
                }
                if let Some(over) = &call.over {
                    let window_kind = kind.then(ReadKind::Window);
                    for partition in &over.partition_by {
                        self.collect_expr_sources(*partition, window_kind, unknown, sources);
                    }
                    for key in &over.order_by {
                        self.collect_expr_sources(key.expr, window_kind, unknown, sources);
                    }
                }
            }
            ExprKind::Subquery(subquery) => {
                let subquery_kind = kind.then(ReadKind::Transform);
                if let Some(lineage) = self.rel_lineage(*subquery) {
                    for source in lineage.iter().flatten() {
                        sources.push(with_kind(source, subquery_kind.then(source.kind)));
                    }
                }
            }
            ExprKind::Exists { subquery, .. } => {
                // Only whether rows exist matters, not what they hold.
                let subquery_kind = kind.then(ReadKind::Transform);
                for source in self.row_sources(*subquery) {
                    sources.push(with_kind(&source, subquery_kind.then(source.kind)));
                }
            }
            ExprKind::InSubquery {
                expr: tested,
                subquery,
                ..
            } => {
                let inner_kind = kind.then(ReadKind::Transform);
                self.collect_expr_sources(*tested, inner_kind, unknown, sources);
                if let Some(lineage) = self.rel_lineage(*subquery) {
                    for source in lineage.iter().flatten() {
                        sources.push(with_kind(source, inner_kind.then(source.kind)));
                    }
                }
            }
            _ => {
                let inner_kind = kind.then(ReadKind::Transform);
                for_each_expr_child(query, expr, |child| {
                    self.collect_expr_sources(child, inner_kind, unknown, sources);
                });
            }
        }
    }
}

fn with_kind(source: &QuerySource, kind: ReadKind) -> QuerySource {
    QuerySource {
        relation: source.relation.clone(),
        column: source.column.clone(),
        kind,
    }
}

// ------------------------------------------------------------------ projects

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
                .strip_prefix("__dbt__cte__")
                .is_some_and(|name| name.eq_ignore_ascii_case(node.name.as_str()))
    })
}
