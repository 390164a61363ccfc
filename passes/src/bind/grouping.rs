//! The grouping check of aggregated blocks: every column read outside an
//! aggregate must be a GROUP BY key, also when a correlated subquery reads it.

use crate::bind::{Binder, ColumnOrigin};
use fusion_ir::codes::Code;
use fusion_ir::query::{ExprId, ExprKind, RelId};
use fusion_ir::walk::{any_expr_child, expr_children, for_each_expr_child};
use rustc_hash::FxHashSet;

impl Binder<'_> {
    pub(super) fn contains_aggregate(&self, expr: ExprId) -> bool {
        self.aggregate_calls.contains(&expr)
            || any_expr_child(self.query, expr, |child| self.contains_aggregate(child))
    }

    pub(super) fn contains_window(&self, expr: ExprId) -> bool {
        match &self.query.expr(expr).kind {
            ExprKind::Function(call) if call.over.is_some() => true,
            _ => any_expr_child(self.query, expr, |child| self.contains_window(child)),
        }
    }

    pub(super) fn check_grouped(
        &mut self,
        expr: ExprId,
        grouping: &Grouping<'_>,
        reported: &mut FxHashSet<ColumnOrigin>,
    ) {
        let (keys, grouped) = (grouping.keys, grouping.grouped);
        if keys.iter().any(|key| self.same_expr(*key, expr)) || self.aggregate_calls.contains(&expr)
        {
            return;
        }
        match &self.query.expr(expr).kind {
            ExprKind::Column { name, .. } => {
                if let Some(origin @ ColumnOrigin::Input { .. }) =
                    self.column_origins.get(expr.index()).copied().flatten()
                {
                    if !grouped.contains(&origin) && reported.insert(origin) {
                        let message = format!("column `{}` must appear in GROUP BY or be used in an aggregate function", name.name);
                        self.report(Code::NotGrouped, self.query.expr(expr).span, message)
                            .help = Some(format!(
                            "add `{}` to GROUP BY, or wrap it in an aggregate such as any_value()",
                            name.name
                        ));
                    }
                }
            }
            ExprKind::Field { expr: base, .. } => {
                // `s.field` where `s.field` itself is a key, or `s` is.
                self.check_grouped(*base, grouping, reported);
            }
            ExprKind::Subquery(subquery) | ExprKind::Exists { subquery, .. } => {
                self.check_subquery_grouped(*subquery, grouping, reported);
            }
            ExprKind::InSubquery {
                expr: inner,
                subquery,
                ..
            } => {
                self.check_grouped(*inner, grouping, reported);
                self.check_subquery_grouped(*subquery, grouping, reported);
            }
            _ => {
                let query = self.query;
                for_each_expr_child(query, expr, |child| {
                    self.check_grouped(child, grouping, reported);
                });
            }
        }
    }

    /// A subquery evaluated per group may only read grouped columns of the
    /// block: its correlated references to the block's FROM items are
    /// checked like the block's own columns.
    fn check_subquery_grouped(
        &mut self,
        subquery: RelId,
        grouping: &Grouping<'_>,
        reported: &mut FxHashSet<ColumnOrigin>,
    ) {
        // The subquery's expressions are those whose text lies inside it:
        // expressions keep the spans of the one SQL text they come from.
        let extent = self.query.rel(subquery).span;
        let mut ungrouped: Vec<(ExprId, ColumnOrigin)> = Vec::new();
        for (index, origin) in self.column_origins.iter().enumerate() {
            let Some(ColumnOrigin::Outer { rel, column }) = origin else {
                continue;
            };
            let input = ColumnOrigin::Input {
                rel: *rel,
                column: *column,
            };
            let Ok(id) = u32::try_from(index) else {
                continue;
            };
            let span = self.query.expr(ExprId(id)).span;
            if grouping.block_rels.contains(rel)
                && !grouping.grouped.contains(&input)
                && span.start >= extent.start
                && span.end <= extent.end
            {
                ungrouped.push((ExprId(id), input));
            }
        }
        for (expr, origin) in ungrouped {
            if !reported.insert(origin) {
                continue;
            }
            let name = match &self.query.expr(expr).kind {
                ExprKind::Column { name, .. } => name.name.to_string(),
                _ => "column".to_owned(),
            };
            let message = format!(
                "column `{name}` must appear in GROUP BY or be used in an aggregate function: the subquery reads it for each group"
            );
            self.report(Code::NotGrouped, self.query.expr(expr).span, message)
                .help = Some(format!(
                "add `{name}` to GROUP BY, or correlate on a grouped column"
            ));
        }
    }

    /// Structural equality of two bound expressions (a select item and a
    /// GROUP BY key): columns are equal when they read the same input.
    pub(super) fn same_expr(&self, left: ExprId, right: ExprId) -> bool {
        if left == right {
            return true;
        }
        let (left_kind, right_kind) = (&self.query.expr(left).kind, &self.query.expr(right).kind);
        match (left_kind, right_kind) {
            (ExprKind::Column { .. }, ExprKind::Column { .. }) => {
                let origin =
                    |expr: ExprId| self.column_origins.get(expr.index()).copied().flatten();
                origin(left).is_some() && origin(left) == origin(right)
            }
            (ExprKind::Literal(left_literal), ExprKind::Literal(right_literal)) => {
                left_literal == right_literal
            }
            (ExprKind::Function(left_call), ExprKind::Function(right_call)) => {
                left_call
                    .name
                    .to_string()
                    .eq_ignore_ascii_case(&right_call.name.to_string())
                    && left_call.distinct == right_call.distinct
                    && left_call.over.is_none()
                    && right_call.over.is_none()
                    && left_call.args.len() == right_call.args.len()
                    && left_call
                        .args
                        .iter()
                        .zip(&right_call.args)
                        .all(|(left_arg, right_arg)| {
                            self.same_expr(left_arg.value, right_arg.value)
                        })
            }
            (
                ExprKind::Binary {
                    op: left_op,
                    left: left_left,
                    right: left_right,
                },
                ExprKind::Binary {
                    op: right_op,
                    left: right_left,
                    right: right_right,
                },
            ) => {
                left_op == right_op
                    && self.same_expr(*left_left, *right_left)
                    && self.same_expr(*left_right, *right_right)
            }
            (
                ExprKind::Unary {
                    op: left_op,
                    operand: left_operand,
                },
                ExprKind::Unary {
                    op: right_op,
                    operand: right_operand,
                },
            ) => left_op == right_op && self.same_expr(*left_operand, *right_operand),
            (
                ExprKind::Cast {
                    expr: left_inner,
                    target: left_target,
                    ..
                },
                ExprKind::Cast {
                    expr: right_inner,
                    target: right_target,
                    ..
                },
            ) => left_target == right_target && self.same_expr(*left_inner, *right_inner),
            (
                ExprKind::Field {
                    expr: left_base,
                    field: left_field,
                },
                ExprKind::Field {
                    expr: right_base,
                    field: right_field,
                },
            ) => {
                left_field.name.eq_ignore_ascii_case(right_field.name)
                    && self.same_expr(*left_base, *right_base)
            }
            (ExprKind::Case(_), ExprKind::Case(_))
            | (ExprKind::Index { .. }, ExprKind::Index { .. })
            | (ExprKind::Slice { .. }, ExprKind::Slice { .. })
            | (ExprKind::Array(_), ExprKind::Array(_))
            | (ExprKind::Interval { .. }, ExprKind::Interval { .. })
            | (ExprKind::InList { .. }, ExprKind::InList { .. })
            | (ExprKind::Between { .. }, ExprKind::Between { .. })
            | (ExprKind::Like { .. }, ExprKind::Like { .. })
            | (ExprKind::IsNull { .. }, ExprKind::IsNull { .. })
            | (ExprKind::IsDistinctFrom { .. }, ExprKind::IsDistinctFrom { .. })
            | (ExprKind::IsBoolean { .. }, ExprKind::IsBoolean { .. })
                if same_operator_flags(left_kind, right_kind) =>
            {
                let (left_children, right_children) = (
                    expr_children(self.query, left),
                    expr_children(self.query, right),
                );
                std::mem::discriminant(left_kind) == std::mem::discriminant(right_kind)
                    && left_children.len() == right_children.len()
                    && left_children
                        .iter()
                        .zip(&right_children)
                        .all(|(left_child, right_child)| self.same_expr(*left_child, *right_child))
            }
            _ => false,
        }
    }
}

/// Whether two expressions of the same kind agree on everything but their
/// operands (`IS NULL` against `IS NOT NULL`, `LIKE` against `NOT ILIKE`);
/// kinds without such flags always agree.
fn same_operator_flags(left: &ExprKind, right: &ExprKind) -> bool {
    match (left, right) {
        (
            ExprKind::InList {
                negated: left_negated,
                ..
            },
            ExprKind::InList {
                negated: right_negated,
                ..
            },
        )
        | (
            ExprKind::Between {
                negated: left_negated,
                ..
            },
            ExprKind::Between {
                negated: right_negated,
                ..
            },
        )
        | (
            ExprKind::IsNull {
                negated: left_negated,
                ..
            },
            ExprKind::IsNull {
                negated: right_negated,
                ..
            },
        )
        | (
            ExprKind::IsDistinctFrom {
                negated: left_negated,
                ..
            },
            ExprKind::IsDistinctFrom {
                negated: right_negated,
                ..
            },
        ) => left_negated == right_negated,
        (
            ExprKind::Like {
                negated: left_negated,
                case_insensitive: left_insensitive,
                ..
            },
            ExprKind::Like {
                negated: right_negated,
                case_insensitive: right_insensitive,
                ..
            },
        ) => left_negated == right_negated && left_insensitive == right_insensitive,
        (
            ExprKind::IsBoolean {
                value: left_value,
                negated: left_negated,
                ..
            },
            ExprKind::IsBoolean {
                value: right_value,
                negated: right_negated,
                ..
            },
        ) => left_value == right_value && left_negated == right_negated,
        (
            ExprKind::Interval {
                unit: left_unit, ..
            },
            ExprKind::Interval {
                unit: right_unit, ..
            },
        ) => match (left_unit, right_unit) {
            (Some(left_unit), Some(right_unit)) => {
                left_unit.as_str().eq_ignore_ascii_case(right_unit.as_str())
            }
            (left_unit, right_unit) => left_unit.is_none() && right_unit.is_none(),
        },
        _ => true,
    }
}

/// What the grouping check of one aggregated block compares against.
pub(super) struct Grouping<'g> {
    pub(super) keys: &'g [ExprId],
    pub(super) grouped: &'g FxHashSet<ColumnOrigin>,
    /// The block's FROM items, whose columns a correlated subquery may read.
    pub(super) block_rels: &'g FxHashSet<RelId>,
}
