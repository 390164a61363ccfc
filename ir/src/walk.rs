//! Walking the relational IR one level at a time: the direct sub-expressions
//! of an expression and the input relations of a relation.
//!
//! The walkers call a closure per child instead of returning a list, so a
//! pass that recurses over every expression of a project allocates nothing
//! for the walk; the recursion itself is the caller's (a pass decides where
//! to stop, what to skip and what to carry down). Children come in source
//! order, so passes that record what they meet stay deterministic.
//!
//! ```
//! use fusion_ir::query::{BinaryOp, ExprId, ExprKind, Literal, Query};
//! use fusion_ir::name::Name;
//! use fusion_ir::span::Span;
//! use fusion_ir::walk::for_each_expr_child;
//!
//! // Counts the expressions of a tree, the root included.
//! fn count(query: &Query, expr: ExprId) -> usize {
//!     let mut total = 1;
//!     for_each_expr_child(query, expr, |child| total += count(query, child));
//!     total
//! }
//!
//! let mut query = Query::default();
//! let one = query.add_expr(ExprKind::Literal(Literal::Number(Name::new("1"))), Span::new(0, 1));
//! let two = query.add_expr(ExprKind::Literal(Literal::Number(Name::new("2"))), Span::new(4, 5));
//! let sum = query.add_expr(
//!     ExprKind::Binary { op: BinaryOp::Add, left: one, right: two },
//!     Span::new(0, 5),
//! );
//! assert_eq!(count(&query, sum), 3);
//! ```

use crate::query::{ExprId, ExprKind, Query, RelId, RelKind};
use std::ops::ControlFlow;

/// Calls `visit` with each direct sub-expression of `expr`, in source order,
/// until it returns `ControlFlow::Break`, whose value is then returned.
///
/// Expressions inside subqueries (`EXISTS`, `IN (select ...)`, scalar
/// subqueries) are not children: they belong to another relation, reached
/// through its `RelId`. The expression tested by `x IN (select ...)` is a
/// child. A function call's children are its `WITHIN GROUP` keys, its
/// arguments, its `FILTER`, its `ORDER BY` keys, then the `PARTITION BY` and
/// `ORDER BY` of its `OVER` clause (frame bounds are not children).
pub fn try_for_each_expr_child<B>(
    query: &Query,
    expr: ExprId,
    mut visit: impl FnMut(ExprId) -> ControlFlow<B>,
) -> ControlFlow<B> {
    match &query.expr(expr).kind {
        ExprKind::Column { .. }
        | ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Exists { .. }
        | ExprKind::Subquery(_)
        | ExprKind::Star(_)
        | ExprKind::Error => {}
        ExprKind::Unary { operand, .. } => visit(*operand)?,
        ExprKind::Binary { left, right, .. } | ExprKind::IsDistinctFrom { left, right, .. } => {
            visit(*left)?;
            visit(*right)?;
        }
        ExprKind::Cast { expr, .. }
        | ExprKind::IsNull { expr, .. }
        | ExprKind::IsBoolean { expr, .. }
        | ExprKind::Field { expr, .. }
        | ExprKind::InSubquery { expr, .. } => visit(*expr)?,
        ExprKind::Function(call) => {
            for key in &call.within_group {
                visit(key.expr)?;
            }
            for argument in &call.args {
                visit(argument.value)?;
            }
            if let Some(filter) = call.filter {
                visit(filter)?;
            }
            for key in &call.order_by {
                visit(key.expr)?;
            }
            if let Some(over) = &call.over {
                for partition in &over.partition_by {
                    visit(*partition)?;
                }
                for key in &over.order_by {
                    visit(key.expr)?;
                }
            }
        }
        ExprKind::Case(case) => {
            if let Some(operand) = case.operand {
                visit(operand)?;
            }
            for (condition, result) in &case.branches {
                visit(*condition)?;
                visit(*result)?;
            }
            if let Some(else_result) = case.else_result {
                visit(else_result)?;
            }
        }
        ExprKind::InList { expr, list, .. } => {
            visit(*expr)?;
            for item in list {
                visit(*item)?;
            }
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            visit(*expr)?;
            visit(*low)?;
            visit(*high)?;
        }
        ExprKind::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            visit(*expr)?;
            visit(*pattern)?;
            if let Some(escape) = escape {
                visit(*escape)?;
            }
        }
        ExprKind::Index { expr, index } => {
            visit(*expr)?;
            visit(*index)?;
        }
        ExprKind::Slice { expr, start, end } => {
            visit(*expr)?;
            if let Some(start) = start {
                visit(*start)?;
            }
            if let Some(end) = end {
                visit(*end)?;
            }
        }
        ExprKind::Array(items) => {
            for item in items {
                visit(*item)?;
            }
        }
        ExprKind::Struct(entries) => {
            for entry in entries {
                visit(entry.value)?;
            }
        }
        ExprKind::Interval { value, .. } => visit(*value)?,
        ExprKind::Lambda { body, .. } => visit(*body)?,
    }
    ControlFlow::Continue(())
}

/// Calls `visit` with each direct sub-expression of `expr`, in source order;
/// which expressions are children is documented at [`try_for_each_expr_child`].
pub fn for_each_expr_child(query: &Query, expr: ExprId, mut visit: impl FnMut(ExprId)) {
    let _always_continues = try_for_each_expr_child(query, expr, |child| {
        visit(child);
        ControlFlow::<()>::Continue(())
    });
}

/// Whether `predicate` holds for a direct sub-expression of `expr`; stops at
/// the first that it holds for.
pub fn any_expr_child(
    query: &Query,
    expr: ExprId,
    mut predicate: impl FnMut(ExprId) -> bool,
) -> bool {
    try_for_each_expr_child(query, expr, |child| {
        if predicate(child) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .is_break()
}

/// The direct sub-expressions of `expr` as a list, for a caller that needs
/// them all at once (to compare two expressions child by child); allocates,
/// so prefer [`for_each_expr_child`] in a recursion.
pub fn expr_children(query: &Query, expr: ExprId) -> Vec<ExprId> {
    let mut children = Vec::new();
    for_each_expr_child(query, expr, |child| children.push(child));
    children
}

/// Calls `visit` with each relation `rel` reads, in source order: the CTE
/// queries and then the body of a `WITH`, both sides of a join or a set
/// operation, the input of a derived table, filter, aggregate, projection,
/// sort or limit. Leaves (scans, table functions, `UNNEST`, `VALUES`, the
/// single row) have none; subqueries inside expressions are not inputs.
pub fn for_each_rel_input(query: &Query, rel: RelId, mut visit: impl FnMut(RelId)) {
    match &query.rel(rel).kind {
        RelKind::With { ctes, body, .. } => {
            for cte in ctes {
                visit(cte.query);
            }
            visit(*body);
        }
        RelKind::Join { left, right, .. } | RelKind::SetOp { left, right, .. } => {
            visit(*left);
            visit(*right);
        }
        RelKind::Derived { input, .. }
        | RelKind::Filter { input, .. }
        | RelKind::Aggregate { input, .. }
        | RelKind::Project { input, .. }
        | RelKind::Sort { input, .. }
        | RelKind::Limit { input, .. } => visit(*input),
        RelKind::Scan { .. }
        | RelKind::TableFunction { .. }
        | RelKind::Unnest { .. }
        | RelKind::Values { .. }
        | RelKind::SingleRow
        | RelKind::Error => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::Name;
    use crate::query::{BinaryOp, Distinct, FilterClause, Literal, SelectItem};
    use crate::span::Span;

    fn number(query: &mut Query, text: &str) -> ExprId {
        query.add_expr(
            ExprKind::Literal(Literal::Number(Name::new(text))),
            Span::EMPTY,
        )
    }

    #[test]
    fn expression_children_come_in_source_order_and_stop_on_break() {
        let mut query = Query::default();
        let (one, two, three) = (
            number(&mut query, "1"),
            number(&mut query, "2"),
            number(&mut query, "3"),
        );
        let between = query.add_expr(
            ExprKind::Between {
                expr: one,
                low: two,
                high: three,
                negated: false,
            },
            Span::EMPTY,
        );
        assert_eq!(expr_children(&query, between), vec![one, two, three]);
        assert!(expr_children(&query, one).is_empty());
        let mut seen = Vec::new();
        let stopped = try_for_each_expr_child(&query, between, |child| {
            seen.push(child);
            if child == two {
                ControlFlow::Break(child)
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(stopped, ControlFlow::Break(two));
        assert_eq!(seen, vec![one, two]);
        assert!(any_expr_child(&query, between, |child| child == three));
        assert!(!any_expr_child(&query, between, |child| child == between));
    }

    #[test]
    fn relation_inputs_are_the_relations_read() {
        let mut query = Query::default();
        let one = number(&mut query, "1");
        let two = number(&mut query, "2");
        let condition = query.add_expr(
            ExprKind::Binary {
                op: BinaryOp::Eq,
                left: one,
                right: two,
            },
            Span::EMPTY,
        );
        let single_row = query.add_rel(RelKind::SingleRow, Span::EMPTY);
        let filter = query.add_rel(
            RelKind::Filter {
                input: single_row,
                predicate: condition,
                clause: FilterClause::Where,
            },
            Span::EMPTY,
        );
        let project = query.add_rel(
            RelKind::Project {
                input: filter,
                items: vec![SelectItem::Expr {
                    expr: one,
                    alias: None,
                }],
                distinct: Distinct::All,
                windows: Vec::new(),
            },
            Span::EMPTY,
        );
        let mut inputs = Vec::new();
        for_each_rel_input(&query, project, |input| inputs.push(input));
        assert_eq!(inputs, vec![filter]);
        inputs.clear();
        for_each_rel_input(&query, single_row, |input| inputs.push(input));
        assert!(inputs.is_empty());
    }
}
