//! The lineage of the relations of one query: [`LineageBuilder`] walks them
//! from the root, memoised by `RelId`, through CTEs, set operations,
//! derived tables and query blocks, and collects what decides each block's rows.

use crate::bind::{BoundQuery, ScanTarget, SelectSource};
use crate::lineage::read::{with_kind, QuerySource, ReadKind, SourceColumn};
use fusion_ir::query::{ExprId, FilterClause, JoinKind, Query, RelId, RelKind, SetOpKind};
use fusion_ir::schema::{RelationName, RelationSchema, Schema};
use rustc_hash::{FxHashMap, FxHashSet};
use std::rc::Rc;

/// Per output column of a relation, what it reads; `None` when the
/// relation's columns are unknown.
pub(super) type RelLineage = Option<Rc<Vec<Vec<QuerySource>>>>;

pub(super) struct LineageBuilder<'q> {
    pub(super) query: &'q Query,
    pub(super) bound: &'q BoundQuery,
    /// `rel_lineage` results, by `RelId` (outer `None`: not computed yet).
    pub(super) memo: Vec<Option<RelLineage>>,
    /// Relations being computed: a recursive CTE reading itself.
    pub(super) in_progress: Vec<bool>,
    /// For a FULL or RIGHT join `USING`/`NATURAL`, the merged column of the
    /// left FROM item is also the right one's value: (rel, column) of the
    /// left item to those of the right.
    pub(super) merged_columns: FxHashMap<(RelId, usize), Vec<(RelId, usize)>>,
    /// What decides the rows of each query block, by the `Project`'s `RelId`.
    pub(super) block_rows: FxHashMap<RelId, Rc<Vec<QuerySource>>>,
}

impl<'q> LineageBuilder<'q> {
    pub(super) fn new(query: &'q Query, bound: &'q BoundQuery) -> LineageBuilder<'q> {
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

    pub(super) fn schema(&self, rel: RelId) -> Option<&'q Schema> {
        match self.bound.rel_schemas.get(rel.index()) {
            Some(Some(RelationSchema::Known(schema))) => Some(schema),
            _ => None,
        }
    }

    pub(super) fn width(&self, rel: RelId) -> Option<usize> {
        self.schema(rel).map(Schema::len)
    }

    pub(super) fn rel_lineage(&mut self, rel: RelId) -> RelLineage {
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
                    clause:
                        FilterClause::Where
                        | FilterClause::Having
                        | FilterClause::Qualify
                        | FilterClause::StartWith
                        | FilterClause::ConnectBy,
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
    pub(super) fn row_sources(&mut self, rel: RelId) -> Vec<QuerySource> {
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
    pub(super) fn input_column_sources(
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
}
