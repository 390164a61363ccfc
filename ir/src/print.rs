//! Text forms of the relational IR for snapshots, debugging and other
//! tools: a [`Query`] as an indented tree of relations, one per line, whose
//! expressions read like SQL.
//!
//! `select tbl.i, tbl2.j + 1 as k from tbl, tbl2 where tbl.i = tbl2.i`,
//! lowered by the DuckDB dialect, prints as
//!
//! ```text
//! r4 Project tbl.i, (tbl2.j + 1) AS k @0..65
//!   r3 Filter[where] (tbl.i = tbl2.i) @0..65
//!     r2 Join Cross @35..44
//!       r0 Scan tbl @35..38
//!       r1 Scan tbl2 @40..44
//! ```
//!
//! Each line is a relation: its id, its kind with its expressions, and its
//! span (`@start..end`); its inputs are indented under it. Operators are
//! parenthesised where they nest, so the text shows the tree exactly.
//!
//! [`Query::display`] and [`Statement::display`] return values that implement
//! [`fmt::Display`]. Types print through `SqlType`'s own `Display` (see
//! [`crate::types::SqlType`]), operators through [`UnaryOp::as_str`] and
//! [`crate::query::BinaryOp::as_str`]. The text is stable: the snapshot tests
//! of fusionc compare it byte for byte.

use crate::query::{
    CastKind, Distinct, ExprId, ExprKind, FrameBound, FunctionArg, GroupingElement, Ident,
    JoinConstraint, Literal, ObjectName, Query, RelId, RelKind, SelectItem, SortKey, Star,
    Statement, TableAlias, UnaryOp, WindowSpec,
};
use crate::span::Span;
use std::fmt::{self, Write};

impl Query {
    /// The query as an indented tree of relations from the root, one line
    /// per relation (`r3 Filter[where] (a > 1) @0..30`: id, kind, expressions
    /// inline in a SQL-like form, span), then each subquery an expression
    /// refers to, by id (`subquery r7:`). A query without a root prints as
    /// `(no root)`; an id outside the arena as `<dangling r9>`.
    pub fn display(&self) -> QueryDisplay<'_> {
        QueryDisplay { query: self }
    }
}

impl Statement {
    /// A query as [`Query::display`] prints it; an opaque statement as its
    /// kind and span (`opaque CREATE TABLE @0..42`).
    pub fn display(&self) -> StatementDisplay<'_> {
        StatementDisplay { statement: self }
    }
}

/// A [`Query`] printed as its relation tree; made by [`Query::display`].
/// Every line, the last included, ends with a newline.
#[derive(Clone, Copy, Debug)]
pub struct QueryDisplay<'query> {
    query: &'query Query,
}

impl fmt::Display for QueryDisplay<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&query_text(self.query))
    }
}

/// A [`Statement`] printed for snapshots; made by [`Statement::display`].
/// Every line, the last included, ends with a newline.
#[derive(Clone, Copy, Debug)]
pub struct StatementDisplay<'statement> {
    statement: &'statement Statement,
}

impl fmt::Display for StatementDisplay<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.statement {
            Statement::Query(query) => formatter.write_str(&query_text(query)),
            Statement::Opaque { kind, span } => {
                writeln!(formatter, "opaque {kind} @{}", span_text(*span))
            }
        }
    }
}

fn span_text(span: Span) -> String {
    format!("{}..{}", span.start, span.end)
}

/// Builds the whole text first: the printer works on strings (an
/// expression's text is needed before its relation's line can start), and
/// this is a debugging and snapshot format, not a hot path.
fn query_text(query: &Query) -> String {
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
                let offset = match with_offset {
                    Some(Some(name)) => format!(" WITH OFFSET AS {}", name.name),
                    Some(None) => " WITH ORDINALITY".to_owned(),
                    None => String::new(),
                };
                let text = format!(
                    "Unnest({}){}{}",
                    self.expr_list(args),
                    alias_text(alias),
                    offset
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
                    format!("{ty} '{}'", value.replace('\'', "''"))
                }
            },
            ExprKind::Parameter(name) => name.as_str().to_string(),
            ExprKind::Unary { op, operand } => {
                let operand = self.expr(*operand);
                match op {
                    UnaryOp::Not => format!("(NOT {operand})"),
                    _ => format!("({}{operand})", op.as_str()),
                }
            }
            ExprKind::Binary { op, left, right } => {
                let left = self.expr(*left);
                let right = self.expr(*right);
                format!("({left} {} {right})", op.as_str())
            }
            ExprKind::Cast { expr, target, kind } => {
                let inner = self.expr(*expr);
                let keyword = if *kind == CastKind::TryCast {
                    "TRY_CAST"
                } else {
                    "CAST"
                };
                format!("{keyword}({inner} AS {target})")
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
