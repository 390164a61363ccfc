//! Compact text forms for snapshots and debugging: the syntax tree as
//! S-expressions with spans, and a lowered `Query` as an indented tree of
//! relations whose expressions read like SQL.

use crate::syntax::ast;
use fusion_ir::query::{
    BinaryOp, CastKind, Distinct, ExprId, ExprKind, FrameBound, FunctionArg, GroupingElement,
    Ident, JoinConstraint, Literal, ObjectName, Query, RelId, RelKind, SelectItem, SortKey, Star,
    Statement, TableAlias, UnaryOp, WindowSpec,
};
use fusion_ir::span::Span;
use fusion_ir::types::{SqlType, TimeZoneKind};
use std::fmt::Write;

// ---------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------

/// Prints parsed statements as indented S-expressions, one node per line,
/// each with its byte span.
pub fn print_syntax_tree(statements: &[ast::Statement], source: &str) -> String {
    let mut printer = TreePrinter {
        source,
        out: String::new(),
        indent: 0,
    };
    for statement in statements {
        match statement {
            ast::Statement::Query(query) => printer.query(query),
            ast::Statement::Opaque { kind, span } => printer.leaf(&format!("opaque {kind}"), *span),
        }
        printer.out.push('\n');
    }
    printer.out
}

/// Prints a bare expression (as `Dialect::parse_expression` returns it) in
/// the layout of [`print_syntax_tree`].
pub fn print_expression_tree(expr: &ast::Expr, source: &str) -> String {
    let mut printer = TreePrinter {
        source,
        out: String::new(),
        indent: 0,
    };
    printer.expr(expr);
    printer.out.push('\n');
    printer.out
}

struct TreePrinter<'source> {
    source: &'source str,
    out: String,
    indent: usize,
}

fn span_text(span: Span) -> String {
    format!("{}..{}", span.start, span.end)
}

impl TreePrinter<'_> {
    fn text(&self, span: Span) -> &str {
        self.source.get(span.range()).unwrap_or("")
    }

    fn line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, head: &str, span: Span) {
        self.line();
        let _ = write!(self.out, "({head} {}", span_text(span));
        self.indent += 1;
    }

    fn close(&mut self) {
        self.out.push(')');
        self.indent -= 1;
    }

    fn leaf(&mut self, head: &str, span: Span) {
        self.line();
        let _ = write!(self.out, "({head} {})", span_text(span));
    }

    fn ident_text(&self, ident: ast::Ident) -> String {
        self.text(ident.span).to_string()
    }

    fn names(&self, idents: &[ast::Ident]) -> String {
        idents
            .iter()
            .map(|ident| self.ident_text(*ident))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn name_list(&self, idents: &[ast::Ident]) -> String {
        idents
            .iter()
            .map(|ident| self.ident_text(*ident))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn query(&mut self, query: &ast::Query) {
        self.open("query", query.span);
        if let Some(with) = &query.with {
            self.open(
                if with.recursive {
                    "with recursive"
                } else {
                    "with"
                },
                with.span,
            );
            for cte in &with.ctes {
                let mut head = format!("cte {}", self.ident_text(cte.name));
                if !cte.columns.is_empty() {
                    let _ = write!(head, "({})", self.name_list(&cte.columns));
                }
                if !cte.using_key.is_empty() {
                    let _ = write!(head, " using-key({})", self.name_list(&cte.using_key));
                }
                match cte.materialized {
                    Some(true) => head.push_str(" materialized"),
                    Some(false) => head.push_str(" not-materialized"),
                    None => {}
                }
                self.open(&head, cte.span);
                self.query(&cte.query);
                self.close();
            }
            self.close();
        }
        self.set_expr(&query.body);
        if let Some(order_by) = &query.order_by {
            self.open(
                if order_by.all {
                    "order-by all"
                } else {
                    "order-by"
                },
                order_by.span,
            );
            self.order_keys(&order_by.keys);
            self.close();
        }
        if let Some(limit) = &query.limit {
            self.open(
                if query.limit_percent {
                    "limit percent"
                } else {
                    "limit"
                },
                limit.span,
            );
            self.expr(limit);
            self.close();
        }
        if let Some(offset) = &query.offset {
            self.open("offset", offset.span);
            self.expr(offset);
            self.close();
        }
        for distribution in &query.distribution {
            let head = format!(
                "{} by",
                self.text(distribution.keyword).to_ascii_lowercase()
            );
            self.open(&head, distribution.span);
            self.order_keys(&distribution.keys);
            self.close();
        }
        self.close();
    }

    fn order_keys(&mut self, keys: &[ast::OrderKey]) {
        for key in keys {
            let mut head = String::from(if key.descending { "key desc" } else { "key" });
            match key.nulls_first {
                Some(true) => head.push_str(" nulls-first"),
                Some(false) => head.push_str(" nulls-last"),
                None => {}
            }
            self.open(&head, key.span);
            self.expr(&key.expr);
            self.close();
        }
    }

    fn set_expr(&mut self, body: &ast::SetExpr) {
        match body {
            ast::SetExpr::Select(select) => self.select(select),
            ast::SetExpr::SetOperation {
                operator,
                quantifier,
                by_name,
                left,
                right,
                span,
            } => {
                let mut head = format!("{operator:?}").to_lowercase();
                match quantifier {
                    ast::SetQuantifier::All => head.push_str(" all"),
                    ast::SetQuantifier::Distinct => head.push_str(" distinct"),
                    ast::SetQuantifier::None => {}
                }
                if *by_name {
                    head.push_str(" by-name");
                }
                self.open(&head, *span);
                self.set_expr(left);
                self.set_expr(right);
                self.close();
            }
            ast::SetExpr::Values(values, None) => self.values(values),
            ast::SetExpr::Values(values, alias) => {
                let head = format!("aliased{}", self.alias_suffix(alias));
                self.open(&head, values.span);
                self.values(values);
                self.close();
            }
            ast::SetExpr::Parenthesized(query) => self.query(query),
            ast::SetExpr::Error(span) => self.leaf("error", *span),
        }
    }

    fn values(&mut self, values: &ast::Values) {
        self.open("values", values.span);
        for row in &values.rows {
            let span = match (row.first(), row.last()) {
                (Some(first), Some(last)) => first.span.cover(last.span),
                _ => values.span,
            };
            self.open("row", span);
            for value in row {
                self.expr(value);
            }
            self.close();
        }
        self.close();
    }

    fn select(&mut self, select: &ast::Select) {
        let head = match &select.distinct {
            None => "select",
            Some(ast::Distinct::Distinct) => "select distinct",
            Some(ast::Distinct::On(_)) => "select distinct-on",
        };
        self.open(
            if select.from_first {
                "from-first-select"
            } else {
                head
            },
            select.span,
        );
        if let Some(ast::Distinct::On(exprs)) = &select.distinct {
            for expr in exprs {
                self.expr(expr);
            }
        }
        for item in &select.items {
            let head = match item.alias {
                Some(alias) => format!("item as {}", self.ident_text(alias)),
                None => "item".to_string(),
            };
            self.open(&head, item.span);
            self.expr(&item.expr);
            self.close();
        }
        if let Some(from) = &select.from {
            self.open("from", from.span());
            self.table(from);
            self.close();
        }
        self.clause("where", &select.where_clause);
        if let Some(group_by) = &select.group_by {
            self.open(
                if group_by.all {
                    "group-by all"
                } else {
                    "group-by"
                },
                group_by.span,
            );
            for element in &group_by.elements {
                match element {
                    ast::GroupingElement::Expr(expr) => self.expr(expr),
                    ast::GroupingElement::Empty(span) => self.leaf("empty-set", *span),
                    ast::GroupingElement::Rollup(sets, span) => self.sets("rollup", sets, *span),
                    ast::GroupingElement::Cube(sets, span) => self.sets("cube", sets, *span),
                    ast::GroupingElement::GroupingSets(sets, span) => {
                        self.sets("grouping-sets", sets, *span)
                    }
                }
            }
            self.close();
        }
        if let Some(top) = &select.top {
            self.open("top", top.span);
            self.expr(top);
            self.close();
        }
        if let Some(as_value) = select.as_value {
            let head = format!("select-as {}", self.text(as_value).to_ascii_lowercase());
            self.leaf(&head, as_value);
        }
        if let Some(sample) = select.sample {
            let head = format!("sample [{}]", self.text(sample));
            self.leaf(&head, sample);
        }
        if let (Some(first), Some(last)) = (select.exclude.first(), select.exclude.last()) {
            let head = format!("exclude({})", self.name_list(&select.exclude));
            self.leaf(&head, first.span.cover(last.span));
        }
        self.clause("having", &select.having);
        self.clause("qualify", &select.qualify);
        for window in &select.windows {
            let head = format!("window {}", self.ident_text(window.name));
            self.open(&head, window.spec.span);
            self.window_spec(&window.spec);
            self.close();
        }
        self.close();
    }

    fn sets(&mut self, head: &str, sets: &[Vec<ast::Expr>], span: Span) {
        self.open(head, span);
        for set in sets {
            let set_span = match (set.first(), set.last()) {
                (Some(first), Some(last)) => first.span.cover(last.span),
                _ => span,
            };
            self.open("set", set_span);
            for expr in set {
                self.expr(expr);
            }
            self.close();
        }
        self.close();
    }

    fn clause(&mut self, head: &str, expr: &Option<ast::Expr>) {
        if let Some(expr) = expr {
            self.open(head, expr.span);
            self.expr(expr);
            self.close();
        }
    }

    fn alias_suffix(&self, alias: &Option<ast::TableAlias>) -> String {
        match alias {
            None => String::new(),
            Some(alias) if alias.columns.is_empty() => {
                format!(" as {}", self.ident_text(alias.name))
            }
            Some(alias) if alias.column_types.len() == alias.columns.len() => {
                let columns: Vec<String> = alias
                    .columns
                    .iter()
                    .zip(&alias.column_types)
                    .map(|(column, column_type)| {
                        format!(
                            "{} {}",
                            self.ident_text(*column),
                            type_text(column_type, self.source)
                        )
                    })
                    .collect();
                format!(
                    " as {}({})",
                    self.ident_text(alias.name),
                    columns.join(", ")
                )
            }
            Some(alias) => format!(
                " as {}({})",
                self.ident_text(alias.name),
                self.name_list(&alias.columns)
            ),
        }
    }

    fn table(&mut self, table: &ast::TableExpr) {
        match table {
            ast::TableExpr::Named { name, alias, span } => {
                let head = format!(
                    "table {}{}",
                    self.names(&name.parts),
                    self.alias_suffix(alias)
                );
                self.leaf(&head, *span);
            }
            ast::TableExpr::File { path, alias, span } => {
                let head = format!("file {}{}", self.text(*path), self.alias_suffix(alias));
                self.leaf(&head, *span);
            }
            ast::TableExpr::Derived {
                lateral,
                query,
                alias,
                span,
            } => {
                let head = format!(
                    "{}derived{}",
                    if *lateral { "lateral " } else { "" },
                    self.alias_suffix(alias)
                );
                self.open(&head, *span);
                self.query(query);
                self.close();
            }
            ast::TableExpr::Function {
                lateral,
                name,
                args,
                with_ordinality,
                alias,
                span,
            } => {
                let head = format!(
                    "{}table-function {}{}{}",
                    if *lateral { "lateral " } else { "" },
                    self.names(&name.parts),
                    if *with_ordinality {
                        " with-ordinality"
                    } else {
                        ""
                    },
                    self.alias_suffix(alias)
                );
                self.open(&head, *span);
                self.args(args);
                self.close();
            }
            ast::TableExpr::Unnest {
                args,
                alias,
                with_ordinality,
                span,
            } => {
                let head = format!(
                    "unnest{}{}",
                    if *with_ordinality {
                        " with-ordinality"
                    } else {
                        ""
                    },
                    self.alias_suffix(alias)
                );
                self.open(&head, *span);
                for arg in args {
                    self.expr(arg);
                }
                self.close();
            }
            ast::TableExpr::Values {
                values,
                alias,
                span,
            } => {
                let head = format!("values-table{}", self.alias_suffix(alias));
                self.open(&head, *span);
                self.values(values);
                self.close();
            }
            ast::TableExpr::Join {
                operator,
                natural,
                left,
                right,
                constraint,
                span,
            } => {
                let head = format!(
                    "join {}{}",
                    if *natural { "natural " } else { "" },
                    format!("{operator:?}").to_lowercase()
                );
                self.open(&head, *span);
                self.table(left);
                self.table(right);
                match constraint {
                    ast::JoinConstraint::None => {}
                    ast::JoinConstraint::On(predicate) => {
                        self.open("on", predicate.span);
                        self.expr(predicate);
                        self.close();
                    }
                    ast::JoinConstraint::MatchCondition { condition, on } => {
                        self.open("match-condition", condition.span);
                        self.expr(condition);
                        self.close();
                        if let Some(on) = on {
                            self.open("on", on.span);
                            self.expr(on);
                            self.close();
                        }
                    }
                    ast::JoinConstraint::Using(columns) => {
                        let head = format!("using {}", self.name_list(columns));
                        let span = match (columns.first(), columns.last()) {
                            (Some(first), Some(last)) => first.span.cover(last.span),
                            _ => *span,
                        };
                        self.leaf(&head, span);
                    }
                }
                self.close();
            }
            ast::TableExpr::Parenthesized { inner, alias, span } => {
                let head = format!("parens{}", self.alias_suffix(alias));
                self.open(&head, *span);
                self.table(inner);
                self.close();
            }
            ast::TableExpr::Sampled {
                inner,
                sample,
                span,
            } => {
                let head = format!("sampled [{}]", self.text(*sample));
                self.open(&head, *span);
                self.table(inner);
                self.close();
            }
            ast::TableExpr::Pivot {
                inner,
                unpivot,
                body,
                alias,
                span,
            } => {
                let head = format!(
                    "{} [{}]{}",
                    if *unpivot { "unpivot" } else { "pivot" },
                    self.text(*body),
                    self.alias_suffix(alias)
                );
                self.open(&head, *span);
                self.table(inner);
                self.close();
            }
            ast::TableExpr::TimeTravel {
                inner,
                clause,
                points,
                span,
            } => {
                let head = format!("time-travel [{}]", self.text(*clause));
                self.open(&head, *span);
                self.table(inner);
                for point in points {
                    self.expr(point);
                }
                self.close();
            }
            ast::TableExpr::Indirect {
                target,
                alias,
                span,
            } => {
                let head = format!("indirect-table{}", self.alias_suffix(alias));
                self.open(&head, *span);
                self.expr(target);
                self.close();
            }
            ast::TableExpr::RowsFrom {
                functions,
                with_ordinality,
                alias,
                span,
            } => {
                let head = format!(
                    "rows-from{}{}",
                    if *with_ordinality {
                        " with-ordinality"
                    } else {
                        ""
                    },
                    self.alias_suffix(alias)
                );
                self.open(&head, *span);
                for function in functions {
                    self.table(function);
                }
                self.close();
            }
            ast::TableExpr::Error(span) => self.leaf("error", *span),
        }
    }

    fn args(&mut self, args: &[ast::FunctionArg]) {
        for arg in args {
            match arg.name {
                Some(name) => {
                    let head = format!("named {}", self.ident_text(name));
                    self.open(&head, name.span.cover(arg.value.span));
                    self.expr(&arg.value);
                    self.close();
                }
                None if arg.variadic => {
                    self.open("variadic", arg.value.span);
                    self.expr(&arg.value);
                    self.close();
                }
                None => self.expr(&arg.value),
            }
        }
    }

    fn window_spec(&mut self, spec: &ast::WindowSpec) {
        if let Some(base) = spec.base {
            let head = format!("base {}", self.ident_text(base));
            self.leaf(&head, base.span);
        }
        if !spec.partition_by.is_empty() {
            let span = spec.partition_by[0]
                .span
                .cover(spec.partition_by[spec.partition_by.len() - 1].span);
            self.open("partition-by", span);
            for expr in &spec.partition_by {
                self.expr(expr);
            }
            self.close();
        }
        if !spec.order_by.is_empty() {
            let span = spec.order_by[0]
                .span
                .cover(spec.order_by[spec.order_by.len() - 1].span);
            self.open("order-by", span);
            self.order_keys(&spec.order_by);
            self.close();
        }
        if let Some(frame) = &spec.frame {
            let mut head = format!("frame {:?}", frame.units).to_lowercase();
            if let Some(exclusion) = frame.exclusion {
                let _ = write!(head, " [{}]", self.text(exclusion).to_lowercase());
            }
            self.open(&head, frame.span);
            self.frame_bound(&frame.start);
            if let Some(end) = &frame.end {
                self.frame_bound(end);
            }
            self.close();
        }
    }

    fn frame_bound(&mut self, bound: &ast::FrameBound) {
        match bound {
            ast::FrameBound::UnboundedPreceding => self.line_text("unbounded-preceding"),
            ast::FrameBound::CurrentRow => self.line_text("current-row"),
            ast::FrameBound::UnboundedFollowing => self.line_text("unbounded-following"),
            ast::FrameBound::Preceding(offset) => {
                self.open("preceding", offset.span);
                self.expr(offset);
                self.close();
            }
            ast::FrameBound::Following(offset) => {
                self.open("following", offset.span);
                self.expr(offset);
                self.close();
            }
        }
    }

    fn line_text(&mut self, text: &str) {
        self.line();
        let _ = write!(self.out, "({text})");
    }

    fn expr(&mut self, expr: &ast::Expr) {
        let span = expr.span;
        match &expr.kind {
            ast::ExprKind::Identifier(parts) => {
                let head = format!("name {}", self.names(parts));
                self.leaf(&head, span);
            }
            ast::ExprKind::Number => {
                let head = format!("number {}", self.text(span));
                self.leaf(&head, span);
            }
            ast::ExprKind::String(_) => {
                let head = format!("string {}", self.text(span));
                self.leaf(&head, span);
            }
            ast::ExprKind::Null => self.leaf("null", span),
            ast::ExprKind::Boolean(value) => self.leaf(if *value { "true" } else { "false" }, span),
            ast::ExprKind::TypedString {
                type_name, value, ..
            } => {
                let head = format!(
                    "typed {} {}",
                    type_text(type_name, self.source),
                    self.text(*value)
                );
                self.leaf(&head, span);
            }
            ast::ExprKind::Interval { value, unit } => {
                let head = match unit {
                    Some(unit) => format!("interval {}", self.text(*unit).to_lowercase()),
                    None => "interval".to_string(),
                };
                self.open(&head, span);
                self.expr(value);
                self.close();
            }
            ast::ExprKind::Parameter => {
                let head = format!("parameter {}", self.text(span));
                self.leaf(&head, span);
            }
            ast::ExprKind::Unary { operator, operand } => {
                self.open(&format!("unary {}", unary_text(*operator)), span);
                self.expr(operand);
                self.close();
            }
            ast::ExprKind::Binary {
                operator,
                left,
                right,
            } => {
                self.open(&format!("binary {}", binary_text(*operator)), span);
                self.expr(left);
                self.expr(right);
                self.close();
            }
            ast::ExprKind::Cast {
                expr,
                type_name,
                syntax,
            } => {
                let keyword = match syntax {
                    ast::CastSyntax::Cast => "cast",
                    ast::CastSyntax::TryCast => "try-cast",
                    ast::CastSyntax::DoubleColon => "::",
                    ast::CastSyntax::TryDoubleColon => "?::",
                };
                self.open(
                    &format!("{keyword} {}", type_text(type_name, self.source)),
                    span,
                );
                self.expr(expr);
                self.close();
            }
            ast::ExprKind::Function(call) => self.call(call, span),
            ast::ExprKind::Case {
                operand,
                branches,
                else_result,
            } => {
                self.open("case", span);
                if let Some(operand) = operand {
                    self.expr(operand);
                }
                for (condition, result) in branches {
                    self.open("when", condition.span.cover(result.span));
                    self.expr(condition);
                    self.expr(result);
                    self.close();
                }
                if let Some(result) = else_result {
                    self.open("else", result.span);
                    self.expr(result);
                    self.close();
                }
                self.close();
            }
            ast::ExprKind::InList {
                expr,
                list,
                negated,
            } => {
                self.open(if *negated { "not-in" } else { "in" }, span);
                self.expr(expr);
                for item in list {
                    self.expr(item);
                }
                self.close();
            }
            ast::ExprKind::InSubquery {
                expr,
                query,
                negated,
            } => {
                self.open(if *negated { "not-in" } else { "in" }, span);
                self.expr(expr);
                self.query(query);
                self.close();
            }
            ast::ExprKind::Exists { query, negated } => {
                self.open(if *negated { "not-exists" } else { "exists" }, span);
                self.query(query);
                self.close();
            }
            ast::ExprKind::Subquery(query) => {
                self.open("subquery", span);
                self.query(query);
                self.close();
            }
            ast::ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                self.open(if *negated { "not-between" } else { "between" }, span);
                self.expr(expr);
                self.expr(low);
                self.expr(high);
                self.close();
            }
            ast::ExprKind::Pattern {
                operator,
                expr,
                pattern,
                escape,
                negated,
            } => {
                let head =
                    format!("{}{operator:?}", if *negated { "not-" } else { "" }).to_lowercase();
                self.open(&head, span);
                self.expr(expr);
                self.expr(pattern);
                if let Some(escape) = escape {
                    self.open("escape", escape.span);
                    self.expr(escape);
                    self.close();
                }
                self.close();
            }
            ast::ExprKind::IsNull { expr, negated } => {
                self.open(if *negated { "is-not-null" } else { "is-null" }, span);
                self.expr(expr);
                self.close();
            }
            ast::ExprKind::IsBoolean {
                expr,
                value,
                negated,
            } => {
                let head = format!("is{} {value}", if *negated { "-not" } else { "" });
                self.open(&head, span);
                self.expr(expr);
                self.close();
            }
            ast::ExprKind::IsJson {
                expr,
                kind,
                unique_keys,
                negated,
            } => {
                let mut head = String::from(if *negated { "is-not-json" } else { "is-json" });
                if let Some(kind) = kind {
                    let _ = write!(head, " {}", self.text(*kind).to_ascii_lowercase());
                }
                if *unique_keys {
                    head.push_str(" unique-keys");
                }
                self.open(&head, span);
                self.expr(expr);
                self.close();
            }
            ast::ExprKind::IsDistinctFrom {
                left,
                right,
                negated,
            } => {
                self.open(
                    if *negated {
                        "is-not-distinct-from"
                    } else {
                        "is-distinct-from"
                    },
                    span,
                );
                self.expr(left);
                self.expr(right);
                self.close();
            }
            ast::ExprKind::Field { expr, field } => {
                let head = format!("field {}", self.ident_text(*field));
                self.open(&head, span);
                self.expr(expr);
                self.close();
            }
            ast::ExprKind::ColonPath { expr, key } => {
                let head = format!("path :{}", self.ident_text(*key));
                self.open(&head, span);
                self.expr(expr);
                self.close();
            }
            ast::ExprKind::Index { expr, index } => {
                self.open("index", span);
                self.expr(expr);
                self.expr(index);
                self.close();
            }
            ast::ExprKind::Slice { expr, start, end } => {
                self.open("slice", span);
                self.expr(expr);
                match start {
                    Some(start) => self.expr(start),
                    None => self.line_text("open-start"),
                }
                match end {
                    Some(end) => self.expr(end),
                    None => self.line_text("open-end"),
                }
                self.close();
            }
            ast::ExprKind::Array { items, keyword } => {
                self.open(
                    if *keyword {
                        "array-constructor"
                    } else {
                        "list"
                    },
                    span,
                );
                for item in items {
                    self.expr(item);
                }
                self.close();
            }
            ast::ExprKind::ArraySubquery(query) => {
                self.open("array-subquery", span);
                self.query(query);
                self.close();
            }
            ast::ExprKind::StructLiteral(entries) => {
                self.open("struct", span);
                for (name, value) in entries {
                    let head = format!("entry {}", self.ident_text(*name));
                    self.open(&head, name.span.cover(value.span));
                    self.expr(value);
                    self.close();
                }
                self.close();
            }
            ast::ExprKind::Quantified { all, operand } => {
                self.open(if *all { "all" } else { "any" }, span);
                self.expr(operand);
                self.close();
            }
            ast::ExprKind::MapLiteral(entries) => {
                self.open("map", span);
                for (key, value) in entries {
                    self.open("entry", key.span.cover(value.span));
                    self.expr(key);
                    self.expr(value);
                    self.close();
                }
                self.close();
            }
            ast::ExprKind::Unpack(inner) => {
                self.open("unpack", span);
                self.expr(inner);
                self.close();
            }
            ast::ExprKind::Row(items) | ast::ExprKind::Tuple(items) => {
                let head = if matches!(expr.kind, ast::ExprKind::Row(_)) {
                    "row"
                } else {
                    "tuple"
                };
                self.open(head, span);
                for item in items {
                    self.expr(item);
                }
                self.close();
            }
            ast::ExprKind::Parenthesized(inner) => {
                self.open("parens", span);
                self.expr(inner);
                self.close();
            }
            ast::ExprKind::Lambda { params, body } => {
                let head = format!("lambda {}", self.name_list(params));
                self.open(&head, span);
                self.expr(body);
                self.close();
            }
            ast::ExprKind::Star(star) => {
                let mut head = if star.qualifier.is_empty() {
                    "star".to_string()
                } else {
                    format!("star {}.*", self.names(&star.qualifier))
                };
                if !star.exclude.is_empty() {
                    let _ = write!(head, " exclude({})", self.name_list(&star.exclude));
                }
                if let Some(pattern) = star.ilike {
                    let _ = write!(head, " ilike {}", self.text(pattern));
                }
                if !star.rename.is_empty() {
                    let renamed: Vec<String> = star
                        .rename
                        .iter()
                        .map(|(old, new)| {
                            format!("{} as {}", self.ident_text(*old), self.ident_text(*new))
                        })
                        .collect();
                    let _ = write!(head, " rename({})", renamed.join(", "));
                }
                if star.replace.is_empty() {
                    self.leaf(&head, span);
                } else {
                    self.open(&head, span);
                    for (expr, name) in &star.replace {
                        let head = format!("replace {}", self.ident_text(*name));
                        self.open(&head, expr.span.cover(name.span));
                        self.expr(expr);
                        self.close();
                    }
                    self.close();
                }
            }
            ast::ExprKind::Collate { expr, collation } => {
                let head = format!("collate {}", self.ident_text(*collation));
                self.open(&head, span);
                self.expr(expr);
                self.close();
            }
            ast::ExprKind::AtTimeZone { expr, zone } => {
                self.open("at-time-zone", span);
                self.expr(expr);
                self.expr(zone);
                self.close();
            }
            ast::ExprKind::StarObject(star) => {
                self.open("star-object", span);
                self.expr(&ast::Expr {
                    kind: ast::ExprKind::Star(star.clone()),
                    span,
                });
                self.close();
            }
            ast::ExprKind::RelationArgument { keyword, name } => {
                let head = format!(
                    "{} {}",
                    self.text(*keyword).to_ascii_lowercase(),
                    self.names(&name.parts)
                );
                self.leaf(&head, span);
            }
            ast::ExprKind::XmlName(name) => {
                let head = format!("xml-name {}", self.ident_text(*name));
                self.leaf(&head, span);
            }
            ast::ExprKind::PrefixCall { operator, operand } => {
                let head = format!("prefix {}", self.text(*operator));
                self.open(&head, span);
                self.expr(operand);
                self.close();
            }
            ast::ExprKind::Error => self.leaf("error", span),
        }
    }

    fn call(&mut self, call: &ast::FunctionCall, span: Span) {
        let mut head = format!("call {}", self.names(&call.name.parts));
        if call.distinct {
            head.push_str(" distinct");
        }
        match call.ignore_nulls {
            Some(true) => head.push_str(" ignore-nulls"),
            Some(false) => head.push_str(" respect-nulls"),
            None => {}
        }
        if call.ignore_nulls.is_some() && call.nulls_inside {
            head.push_str("-inside");
        }
        self.open(&head, span);
        self.args(&call.args);
        if !call.order_by.is_empty() {
            let key_span = call.order_by[0]
                .span
                .cover(call.order_by[call.order_by.len() - 1].span);
            self.open("order-by", key_span);
            self.order_keys(&call.order_by);
            self.close();
        }
        if let Some(limit) = &call.limit {
            self.open("limit", limit.span);
            self.expr(limit);
            self.close();
        }
        if let Some(having) = &call.having_bound {
            let head = if having.max {
                "having-max"
            } else {
                "having-min"
            };
            self.open(head, having.value.span);
            self.expr(&having.value);
            self.close();
        }
        if !call.within_group.is_empty() {
            let key_span = call.within_group[0]
                .span
                .cover(call.within_group[call.within_group.len() - 1].span);
            self.open("within-group", key_span);
            self.order_keys(&call.within_group);
            self.close();
        }
        if let Some(filter) = &call.filter {
            self.open("filter", filter.span);
            self.expr(filter);
            self.close();
        }
        if let Some(over) = &call.over {
            self.open("over", over.span);
            self.window_spec(over);
            self.close();
        }
        self.close();
    }
}

/// A type name as written, normalised: `DECIMAL(10, 2)[]`.
pub fn type_text(type_name: &ast::TypeName, source: &str) -> String {
    let mut text = type_name.name.as_str().to_string();
    let slice = |span: Span| source.get(span.range()).unwrap_or("").to_string();
    match &type_name.arguments {
        ast::TypeArguments::None => {}
        ast::TypeArguments::Modifiers(modifiers) => {
            let parts: Vec<String> = modifiers.iter().map(|span| slice(*span)).collect();
            let _ = write!(text, "({})", parts.join(", "));
        }
        ast::TypeArguments::Fields(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(name, field_type)| {
                    format!("{} {}", slice(name.span), type_text(field_type, source))
                })
                .collect();
            let _ = write!(text, "({})", parts.join(", "));
        }
        ast::TypeArguments::Types(types) => {
            let parts: Vec<String> = types.iter().map(|inner| type_text(inner, source)).collect();
            let _ = write!(text, "({})", parts.join(", "));
        }
    }
    for _ in 0..type_name.array_dimensions {
        text.push_str("[]");
    }
    if let Some(collation) = type_name.collation {
        let _ = write!(text, " COLLATE {}", slice(collation.span));
    }
    text
}

fn unary_text(operator: UnaryOp) -> &'static str {
    match operator {
        UnaryOp::Not => "NOT",
        UnaryOp::Negate => "-",
        UnaryOp::Plus => "+",
        UnaryOp::BitwiseNot => "~",
    }
}

pub(crate) fn binary_text(operator: BinaryOp) -> &'static str {
    match operator {
        BinaryOp::Add => "+",
        BinaryOp::Subtract => "-",
        BinaryOp::Multiply => "*",
        BinaryOp::Divide => "/",
        BinaryOp::IntegerDivide => "//",
        BinaryOp::Modulo => "%",
        BinaryOp::Power => "^",
        BinaryOp::Concat => "||",
        BinaryOp::Eq => "=",
        BinaryOp::NotEq => "<>",
        BinaryOp::Lt => "<",
        BinaryOp::LtEq => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::GtEq => ">=",
        BinaryOp::And => "AND",
        BinaryOp::Or => "OR",
        BinaryOp::BitwiseAnd => "&",
        BinaryOp::BitwiseOr => "|",
        BinaryOp::BitwiseXor => "xor",
        BinaryOp::ShiftLeft => "<<",
        BinaryOp::ShiftRight => ">>",
        BinaryOp::Other(name) => name.as_str(),
    }
}

// ---------------------------------------------------------------------------
// Lowered IR
// ---------------------------------------------------------------------------

/// Prints a lowered statement: a query as its relation tree from the root
/// (subqueries after it, by id), anything else as its kind.
pub fn print_ir_statement(statement: &Statement) -> String {
    match statement {
        Statement::Query(query) => print_ir_query(query),
        Statement::Opaque { kind, span } => format!("opaque {kind} @{}\n", span_text(*span)),
    }
}

/// Prints a query's relations as an indented tree, one relation per line
/// (`r3 Filter[where] (a > 1) @0..30`), expressions inline in a SQL-like form.
pub fn print_ir_query(query: &Query) -> String {
    let mut printer = IrPrinter {
        query,
        out: String::new(),
        pending_subqueries: Vec::new(),
    };
    match query.root {
        Some(root) => printer.rel(root, 0),
        None => printer.out.push_str("(no root)\n"),
    }
    let mut printed = 0;
    while printed < printer.pending_subqueries.len() {
        let subquery = printer.pending_subqueries[printed];
        printed += 1;
        let _ = writeln!(printer.out, "subquery r{}:", subquery.0);
        printer.rel(subquery, 1);
    }
    printer.out
}

struct IrPrinter<'query> {
    query: &'query Query,
    out: String,
    pending_subqueries: Vec<RelId>,
}

fn ident_text(ident: &Ident) -> String {
    if ident.quoted {
        format!("\"{}\"", ident.name.as_str().replace('"', "\"\""))
    } else {
        ident.name.as_str().to_string()
    }
}

fn idents_text(idents: &[Ident], separator: &str) -> String {
    idents
        .iter()
        .map(ident_text)
        .collect::<Vec<_>>()
        .join(separator)
}

fn object_text(name: &ObjectName) -> String {
    idents_text(&name.parts, ".")
}

fn alias_text(alias: &Option<TableAlias>) -> String {
    match alias {
        None => String::new(),
        Some(alias) if alias.columns.is_empty() => format!(" AS {}", ident_text(&alias.name)),
        Some(alias) => format!(
            " AS {}({})",
            ident_text(&alias.name),
            idents_text(&alias.columns, ", ")
        ),
    }
}

impl IrPrinter<'_> {
    fn write_line(&mut self, depth: usize, id: RelId, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        let span = self.query.rel(id).span;
        let _ = writeln!(self.out, "r{} {text} @{}", id.0, span_text(span));
    }

    fn rel(&mut self, id: RelId, depth: usize) {
        let Some(rel) = self.query.rels.get(id.index()) else {
            let _ = writeln!(self.out, "{}<dangling r{}>", "  ".repeat(depth), id.0);
            return;
        };
        match &rel.kind {
            RelKind::Scan { table, alias } => {
                let text = format!("Scan {}{}", object_text(table), alias_text(alias));
                self.write_line(depth, id, &text);
            }
            RelKind::With {
                recursive,
                ctes,
                body,
            } => {
                self.write_line(
                    depth,
                    id,
                    if *recursive { "With recursive" } else { "With" },
                );
                for cte in ctes {
                    let mut head =
                        format!("{}cte {}", "  ".repeat(depth + 1), ident_text(&cte.name));
                    if !cte.columns.is_empty() {
                        let _ = write!(head, "({})", idents_text(&cte.columns, ", "));
                    }
                    match cte.materialized {
                        Some(true) => head.push_str(" MATERIALIZED"),
                        Some(false) => head.push_str(" NOT MATERIALIZED"),
                        None => {}
                    }
                    let _ = writeln!(self.out, "{head}");
                    self.rel(cte.query, depth + 2);
                }
                let _ = writeln!(self.out, "{}body", "  ".repeat(depth + 1));
                self.rel(*body, depth + 2);
            }
            RelKind::Derived {
                input,
                alias,
                lateral,
            } => {
                let text = format!(
                    "Derived{}{}",
                    if *lateral { " lateral" } else { "" },
                    alias_text(alias)
                );
                self.write_line(depth, id, &text);
                self.rel(*input, depth + 1);
            }
            RelKind::TableFunction {
                name,
                args,
                alias,
                lateral,
            } => {
                let text = format!(
                    "TableFunction{} {}({}){}",
                    if *lateral { " lateral" } else { "" },
                    object_text(name),
                    self.args(args),
                    alias_text(alias)
                );
                self.write_line(depth, id, &text);
            }
            RelKind::Unnest {
                args,
                alias,
                with_offset,
            } => {
                let text = format!(
                    "Unnest({}){}{}",
                    self.expr_list(args),
                    if with_offset.is_some() {
                        " WITH ORDINALITY"
                    } else {
                        ""
                    },
                    alias_text(alias)
                );
                self.write_line(depth, id, &text);
            }
            RelKind::Join {
                left,
                right,
                kind,
                constraint,
            } => {
                let constraint_text = match constraint {
                    JoinConstraint::None => String::new(),
                    JoinConstraint::Natural => " natural".to_string(),
                    JoinConstraint::On(predicate) => format!(" on {}", self.expr(*predicate)),
                    JoinConstraint::Using(columns) => {
                        format!(" using ({})", idents_text(columns, ", "))
                    }
                };
                let text = format!("Join {kind:?}{constraint_text}");
                self.write_line(depth, id, &text);
                self.rel(*left, depth + 1);
                self.rel(*right, depth + 1);
            }
            RelKind::Values { rows, alias } => {
                let rows_text: Vec<String> = rows
                    .iter()
                    .map(|row| format!("({})", self.expr_list(row)))
                    .collect();
                let text = format!("Values {}{}", rows_text.join(", "), alias_text(alias));
                self.write_line(depth, id, &text);
            }
            RelKind::SingleRow => self.write_line(depth, id, "SingleRow"),
            RelKind::Filter {
                input,
                predicate,
                clause,
            } => {
                let text = format!(
                    "Filter[{}] {}",
                    format!("{clause:?}").to_lowercase(),
                    self.expr(*predicate)
                );
                self.write_line(depth, id, &text);
                self.rel(*input, depth + 1);
            }
            RelKind::Aggregate { input, group_by } => {
                let mut parts: Vec<String> = Vec::new();
                if group_by.all {
                    parts.push("ALL".to_string());
                }
                for element in &group_by.elements {
                    parts.push(match element {
                        GroupingElement::Expr(expr) => self.expr(*expr),
                        GroupingElement::Rollup(sets) => format!("ROLLUP{}", self.sets(sets)),
                        GroupingElement::Cube(sets) => format!("CUBE{}", self.sets(sets)),
                        GroupingElement::GroupingSets(sets) => {
                            format!("GROUPING SETS{}", self.sets(sets))
                        }
                    });
                }
                let text = format!("Aggregate by {}", parts.join(", "));
                self.write_line(depth, id, &text);
                self.rel(*input, depth + 1);
            }
            RelKind::Project {
                input,
                items,
                distinct,
                windows,
            } => {
                let items_text: Vec<String> = items
                    .iter()
                    .map(|item| match item {
                        SelectItem::Expr {
                            expr,
                            alias: Some(alias),
                        } => {
                            format!("{} AS {}", self.expr(*expr), ident_text(alias))
                        }
                        SelectItem::Expr { expr, alias: None } => self.expr(*expr),
                        SelectItem::Star(star) => self.star(star),
                    })
                    .collect();
                let distinct_text = match distinct {
                    Distinct::All => String::new(),
                    Distinct::Distinct => " DISTINCT".to_string(),
                    Distinct::On(exprs) => format!(" DISTINCT ON ({})", self.expr_list(exprs)),
                };
                let mut text = format!("Project{distinct_text} {}", items_text.join(", "));
                for window in windows {
                    let _ = write!(
                        text,
                        " WINDOW {} AS ({})",
                        ident_text(&window.name),
                        self.window(&window.spec)
                    );
                }
                self.write_line(depth, id, &text);
                self.rel(*input, depth + 1);
            }
            RelKind::Sort { input, keys } => {
                let text = format!("Sort {}", self.sort_keys(keys));
                self.write_line(depth, id, &text);
                self.rel(*input, depth + 1);
            }
            RelKind::Limit {
                input,
                limit,
                offset,
            } => {
                let mut text = "Limit".to_string();
                if let Some(limit) = limit {
                    let _ = write!(text, " limit={}", self.expr(*limit));
                }
                if let Some(offset) = offset {
                    let _ = write!(text, " offset={}", self.expr(*offset));
                }
                self.write_line(depth, id, &text);
                self.rel(*input, depth + 1);
            }
            RelKind::SetOp {
                op,
                all,
                by_name,
                left,
                right,
            } => {
                let text = format!(
                    "{op:?}{}{}",
                    if *all { " all" } else { "" },
                    if *by_name { " by-name" } else { "" }
                );
                self.write_line(depth, id, &text);
                self.rel(*left, depth + 1);
                self.rel(*right, depth + 1);
            }
            RelKind::Error => self.write_line(depth, id, "Error"),
        }
    }

    fn sets(&mut self, sets: &[Vec<ExprId>]) -> String {
        let parts: Vec<String> = sets
            .iter()
            .map(|set| format!("({})", self.expr_list(set)))
            .collect();
        format!("({})", parts.join(", "))
    }

    fn expr_list(&mut self, exprs: &[ExprId]) -> String {
        exprs
            .iter()
            .map(|expr| self.expr(*expr))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn args(&mut self, args: &[FunctionArg]) -> String {
        args.iter()
            .map(|arg| match &arg.name {
                Some(name) => format!("{} := {}", ident_text(name), self.expr(arg.value)),
                None => self.expr(arg.value),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn sort_keys(&mut self, keys: &[SortKey]) -> String {
        keys.iter()
            .map(|key| {
                let mut text = self.expr(key.expr);
                if key.descending {
                    text.push_str(" DESC");
                }
                match key.nulls_first {
                    Some(true) => text.push_str(" NULLS FIRST"),
                    Some(false) => text.push_str(" NULLS LAST"),
                    None => {}
                }
                text
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn star(&mut self, star: &Star) -> String {
        let mut text = if star.qualifier.is_empty() {
            "*".to_string()
        } else {
            format!("{}.*", idents_text(&star.qualifier, "."))
        };
        if !star.exclude.is_empty() {
            let _ = write!(text, " EXCLUDE ({})", idents_text(&star.exclude, ", "));
        }
        if !star.replace.is_empty() {
            let parts: Vec<String> = star
                .replace
                .iter()
                .map(|(expr, name)| format!("{} AS {}", self.expr(*expr), ident_text(name)))
                .collect();
            let _ = write!(text, " REPLACE ({})", parts.join(", "));
        }
        if !star.rename.is_empty() {
            let parts: Vec<String> = star
                .rename
                .iter()
                .map(|(old, new)| format!("{} AS {}", ident_text(old), ident_text(new)))
                .collect();
            let _ = write!(text, " RENAME ({})", parts.join(", "));
        }
        text
    }

    fn window(&mut self, spec: &WindowSpec) -> String {
        let mut parts = Vec::new();
        if let Some(base) = &spec.base {
            parts.push(ident_text(base));
        }
        if !spec.partition_by.is_empty() {
            parts.push(format!(
                "PARTITION BY {}",
                self.expr_list(&spec.partition_by)
            ));
        }
        if !spec.order_by.is_empty() {
            parts.push(format!("ORDER BY {}", self.sort_keys(&spec.order_by)));
        }
        if let Some(frame) = &spec.frame {
            let units = format!("{:?}", frame.units).to_uppercase();
            let start = self.frame_bound(&frame.start);
            match &frame.end {
                Some(end) => {
                    let end = self.frame_bound(end);
                    parts.push(format!("{units} BETWEEN {start} AND {end}"));
                }
                None => parts.push(format!("{units} {start}")),
            }
        }
        parts.join(" ")
    }

    fn frame_bound(&mut self, bound: &FrameBound) -> String {
        match bound {
            FrameBound::UnboundedPreceding => "UNBOUNDED PRECEDING".to_string(),
            FrameBound::Preceding(offset) => format!("{} PRECEDING", self.expr(*offset)),
            FrameBound::CurrentRow => "CURRENT ROW".to_string(),
            FrameBound::Following(offset) => format!("{} FOLLOWING", self.expr(*offset)),
            FrameBound::UnboundedFollowing => "UNBOUNDED FOLLOWING".to_string(),
        }
    }

    fn subquery(&mut self, id: RelId) -> String {
        self.pending_subqueries.push(id);
        format!("(subquery r{})", id.0)
    }

    /// An expression in a SQL-like form, fully parenthesised where operators nest.
    fn expr(&mut self, id: ExprId) -> String {
        let Some(expr) = self.query.exprs.get(id.index()) else {
            return format!("<dangling e{}>", id.0);
        };
        match &expr.kind {
            ExprKind::Column { qualifier, name } => {
                if qualifier.is_empty() {
                    ident_text(name)
                } else {
                    format!("{}.{}", idents_text(qualifier, "."), ident_text(name))
                }
            }
            ExprKind::Literal(literal) => match literal {
                Literal::Null => "NULL".to_string(),
                Literal::Boolean(value) => value.to_string().to_uppercase(),
                Literal::Number(text) => text.as_str().to_string(),
                Literal::String(value) => format!("'{}'", value.replace('\'', "''")),
                Literal::Typed { ty, value } => {
                    format!("{} '{}'", sql_type_text(ty), value.replace('\'', "''"))
                }
            },
            ExprKind::Parameter(name) => name.as_str().to_string(),
            ExprKind::Unary { op, operand } => {
                let operand = self.expr(*operand);
                match op {
                    UnaryOp::Not => format!("(NOT {operand})"),
                    _ => format!("({}{operand})", unary_text(*op)),
                }
            }
            ExprKind::Binary { op, left, right } => {
                let left = self.expr(*left);
                let right = self.expr(*right);
                format!("({left} {} {right})", binary_text(*op))
            }
            ExprKind::Cast { expr, target, kind } => {
                let inner = self.expr(*expr);
                let keyword = if *kind == CastKind::TryCast {
                    "TRY_CAST"
                } else {
                    "CAST"
                };
                format!("{keyword}({inner} AS {})", sql_type_text(target))
            }
            ExprKind::Function(call) => {
                let mut text = format!("{}(", object_text(&call.name));
                if call.distinct {
                    text.push_str("DISTINCT ");
                }
                text.push_str(&self.args(&call.args));
                if !call.order_by.is_empty() {
                    let _ = write!(text, " ORDER BY {}", self.sort_keys(&call.order_by));
                }
                text.push(')');
                if !call.within_group.is_empty() {
                    let _ = write!(
                        text,
                        " WITHIN GROUP (ORDER BY {})",
                        self.sort_keys(&call.within_group)
                    );
                }
                if let Some(filter) = call.filter {
                    let _ = write!(text, " FILTER (WHERE {})", self.expr(filter));
                }
                match call.ignore_nulls {
                    Some(true) => text.push_str(" IGNORE NULLS"),
                    Some(false) => text.push_str(" RESPECT NULLS"),
                    None => {}
                }
                if let Some(over) = &call.over {
                    let _ = write!(text, " OVER ({})", self.window(over));
                }
                let _ = write!(text, "[{}]", format!("{:?}", call.kind).to_lowercase());
                text
            }
            ExprKind::Case(case) => {
                let mut text = "CASE".to_string();
                if let Some(operand) = case.operand {
                    let _ = write!(text, " {}", self.expr(operand));
                }
                for (condition, result) in &case.branches {
                    let _ = write!(
                        text,
                        " WHEN {} THEN {}",
                        self.expr(*condition),
                        self.expr(*result)
                    );
                }
                if let Some(result) = case.else_result {
                    let _ = write!(text, " ELSE {}", self.expr(result));
                }
                text.push_str(" END");
                text
            }
            ExprKind::InList {
                expr,
                list,
                negated,
            } => {
                let value = self.expr(*expr);
                let list = self.expr_list(list);
                format!(
                    "({value} {}IN ({list}))",
                    if *negated { "NOT " } else { "" }
                )
            }
            ExprKind::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                let value = self.expr(*expr);
                let subquery = self.subquery(*subquery);
                format!(
                    "({value} {}IN {subquery})",
                    if *negated { "NOT " } else { "" }
                )
            }
            ExprKind::Exists { subquery, negated } => {
                let subquery = self.subquery(*subquery);
                format!("({}EXISTS {subquery})", if *negated { "NOT " } else { "" })
            }
            ExprKind::Subquery(subquery) => self.subquery(*subquery),
            ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let value = self.expr(*expr);
                let low = self.expr(*low);
                let high = self.expr(*high);
                format!(
                    "({value} {}BETWEEN {low} AND {high})",
                    if *negated { "NOT " } else { "" }
                )
            }
            ExprKind::Like {
                expr,
                pattern,
                escape,
                negated,
                case_insensitive,
            } => {
                let value = self.expr(*expr);
                let pattern = self.expr(*pattern);
                let mut text = format!(
                    "({value} {}{} {pattern}",
                    if *negated { "NOT " } else { "" },
                    if *case_insensitive { "ILIKE" } else { "LIKE" }
                );
                if let Some(escape) = escape {
                    let _ = write!(text, " ESCAPE {}", self.expr(*escape));
                }
                text.push(')');
                text
            }
            ExprKind::IsNull { expr, negated } => {
                format!(
                    "({} IS {}NULL)",
                    self.expr(*expr),
                    if *negated { "NOT " } else { "" }
                )
            }
            ExprKind::IsDistinctFrom {
                left,
                right,
                negated,
            } => {
                let left = self.expr(*left);
                let right = self.expr(*right);
                format!(
                    "({left} IS {}DISTINCT FROM {right})",
                    if *negated { "NOT " } else { "" }
                )
            }
            ExprKind::IsBoolean {
                expr,
                value,
                negated,
            } => format!(
                "({} IS {}{})",
                self.expr(*expr),
                if *negated { "NOT " } else { "" },
                value.to_string().to_uppercase()
            ),
            ExprKind::Field { expr, field } => {
                format!("({}).{}", self.expr(*expr), ident_text(field))
            }
            ExprKind::Index { expr, index } => {
                let value = self.expr(*expr);
                format!("{value}[{}]", self.expr(*index))
            }
            ExprKind::Slice { expr, start, end } => {
                let value = self.expr(*expr);
                let start = start.map(|start| self.expr(start)).unwrap_or_default();
                let end = end.map(|end| self.expr(end)).unwrap_or_default();
                format!("{value}[{start}:{end}]")
            }
            ExprKind::Array(items) => format!("[{}]", self.expr_list(items)),
            ExprKind::Struct(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|entry| match &entry.name {
                        Some(name) => format!("{}: {}", ident_text(name), self.expr(entry.value)),
                        None => self.expr(entry.value),
                    })
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            ExprKind::Interval { value, unit } => {
                let value = self.expr(*value);
                match unit {
                    Some(unit) => format!("INTERVAL {value} {}", unit.as_str().to_uppercase()),
                    None => format!("INTERVAL {value}"),
                }
            }
            ExprKind::Lambda { params, body } => {
                format!("(({}) -> {})", idents_text(params, ", "), self.expr(*body))
            }
            ExprKind::Star(star) => self.star(star),
            ExprKind::Error => "<error>".to_string(),
        }
    }
}

/// A dialect-neutral compact spelling of an IR type: `INT32`,
/// `DECIMAL(10,2)`, `STRING(20)`, `ARRAY<INT32>`, `STRUCT<a INT32>`.
pub fn sql_type_text(ty: &SqlType) -> String {
    match ty {
        SqlType::Boolean => "BOOLEAN".to_string(),
        SqlType::Int { bits } => format!("INT{bits}"),
        SqlType::UInt { bits } => format!("UINT{bits}"),
        SqlType::Decimal { precision, scale } => match (precision, scale) {
            (Some(precision), Some(scale)) => format!("DECIMAL({precision},{scale})"),
            (Some(precision), None) => format!("DECIMAL({precision})"),
            _ => "DECIMAL".to_string(),
        },
        SqlType::Float32 => "FLOAT32".to_string(),
        SqlType::Float64 => "FLOAT64".to_string(),
        SqlType::String {
            max_len: Some(length),
        } => format!("STRING({length})"),
        SqlType::String { max_len: None } => "STRING".to_string(),
        SqlType::Binary {
            max_len: Some(length),
        } => format!("BINARY({length})"),
        SqlType::Binary { max_len: None } => "BINARY".to_string(),
        SqlType::Date => "DATE".to_string(),
        SqlType::Time => "TIME".to_string(),
        SqlType::Timestamp { zone } => match zone {
            TimeZoneKind::Without => "TIMESTAMP".to_string(),
            TimeZoneKind::Local => "TIMESTAMP_LTZ".to_string(),
            TimeZoneKind::WithOffset => "TIMESTAMP_TZ".to_string(),
        },
        SqlType::Interval => "INTERVAL".to_string(),
        SqlType::Uuid => "UUID".to_string(),
        SqlType::Json => "JSON".to_string(),
        SqlType::Variant => "VARIANT".to_string(),
        SqlType::Array(element) => format!("ARRAY<{}>", sql_type_text(element)),
        SqlType::Struct(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|field| format!("{} {}", field.name, sql_type_text(&field.ty)))
                .collect();
            format!("STRUCT<{}>", parts.join(", "))
        }
        SqlType::Map(entry) => format!(
            "MAP<{}, {}>",
            sql_type_text(&entry.0),
            sql_type_text(&entry.1)
        ),
        SqlType::Geography => "GEOGRAPHY".to_string(),
        SqlType::Null => "NULL".to_string(),
        SqlType::Other(name) => format!("OTHER({name})"),
        SqlType::Unknown => "UNKNOWN".to_string(),
    }
}
