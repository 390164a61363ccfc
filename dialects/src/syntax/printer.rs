//! Compact text forms of the syntax tree for snapshots and debugging:
//! S-expressions with spans. A lowered query prints through
//! `fusion_ir::query::Query::display`.

use crate::syntax::ast;
use fusion_ir::span::Span;
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
        if let Some(connect_by) = &select.connect_by {
            let head = if connect_by.nocycle {
                "connect-by nocycle"
            } else {
                "connect-by"
            };
            self.open(head, connect_by.span);
            self.clause("start-with", &connect_by.start_with);
            for condition in &connect_by.conditions {
                self.expr(condition);
            }
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

    /// Prints one expression node: one arm per kind of syntax-tree expression,
    /// each a few lines. Split across functions it would read worse: the arms
    /// are independent and a reader looks for one kind at a time.
    #[expect(
        clippy::too_many_lines,
        reason = "one short arm per expression kind of the syntax tree"
    )]
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
                self.open(&format!("unary {}", operator.as_str()), span);
                self.expr(operand);
                self.close();
            }
            ast::ExprKind::Binary {
                operator,
                left,
                right,
            } => {
                self.open(&format!("binary {}", operator.as_str()), span);
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
