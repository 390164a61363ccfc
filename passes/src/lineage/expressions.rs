//! The columns an expression reads, and through what: column references by
//! their binder origin, aggregates, window functions, subqueries.

use crate::bind::ColumnOrigin;
use crate::lineage::read::{with_kind, QuerySource, ReadKind, SourceColumn};
use crate::lineage::relations::LineageBuilder;
use fusion_ir::query::{ExprId, ExprKind, FunctionKind};
use fusion_ir::schema::RelationName;
use fusion_ir::types::SqlType;
use fusion_ir::walk::for_each_expr_child;

impl LineageBuilder<'_> {
    /// The columns `expr` reads, each through `kind` composed with the path
    /// inside the expression. `unknown` lists the relations of unknown
    /// schema a column that did not resolve may come from.
    pub(super) fn expr_sources(
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
