//! Joins in lineage: the FROM items a join shows, the columns `USING` and
//! `NATURAL` merge, and the join keys, which decide the rows of the block.

use crate::lineage::read::{QuerySource, ReadKind};
use crate::lineage::relations::LineageBuilder;
use fusion_ir::name::Name;
use fusion_ir::query::{JoinConstraint, JoinKind, RelId, RelKind};
use fusion_ir::schema::RelationName;
use rustc_hash::FxHashSet;

impl LineageBuilder<'_> {
    /// The FROM items (leaves of the join tree) under `rel`, left to right.
    pub(super) fn collect_from_items(&self, rel: RelId, items: &mut Vec<RelId>) {
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
    pub(super) fn visible_join_columns(&self, join: RelId) -> Option<Vec<(RelId, usize)>> {
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
    pub(super) fn merged_join_columns(&self, join: RelId) -> Vec<((RelId, usize), (RelId, usize))> {
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
    pub(super) fn join_key_sources(
        &mut self,
        from: RelId,
        unknown: &[RelationName],
    ) -> Vec<QuerySource> {
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
}
