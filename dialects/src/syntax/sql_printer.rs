//! Prints the syntax tree back to SQL of the dialect it was parsed from.
//!
//! Identifiers, numbers and strings are copied from the source by their
//! spans, which keeps each dialect's quoting and string forms; so are the
//! clauses the tree keeps only as spans (`TABLESAMPLE ...`, a pivot's
//! body, a time-travel clause, a frame's `EXCLUDE ...`). Everything else is
//! printed from the tree, one statement per line, with single spaces.
//!
//! *Invariant:* for a tree the parser produced without errors, parsing the
//! printed SQL with the same dialect gives the same tree (spans aside);
//! `tests/roundtrip.rs` checks it on the corpus. Parentheses are printed
//! where the tree has them (`ExprKind::Parenthesized`,
//! `SetExpr::Parenthesized`, `TableExpr::Parenthesized`) and added only
//! where a hand-built tree would otherwise read back differently.
//!
//! Where one node stands for several spellings and the tree does not say
//! which was written, the printer looks at the source inside the node's own
//! span: the word of a `TRY_CAST`/`SAFE_CAST`, `EXCLUDE` or `EXCEPT` after a
//! star, `=>` or `:=` of a named argument, the keyword separating
//! `extract(year FROM d)`-style arguments, angle or round brackets of a
//! type, `LATERAL VIEW` and `TABLE(...)` around a table function, `WITH
//! OFFSET` of an unnest, the brackets of `v:['key']`, the `lambda x: ...`
//! form. Span positions alone tell a niladic call (`current_date`) from
//! `f()`, a typed constructor (`ARRAY<INT64>[1]`) from a `CAST`, a prefix
//! alias (`a: expr`) from `AS a`, and whether a time-travel clause comes
//! before or after an alias.

use crate::syntax::ast::{
    CastSyntax, Cte, Distinct, Expr, ExprKind, FrameBound, FrameUnits, FunctionArg, FunctionCall,
    GroupingElement, Ident, JoinConstraint, JoinOperator, ObjectName, OrderKey, PatternOperator,
    Query, Select, SetExpr, SetOperator, SetQuantifier, Star, Statement, TableAlias, TableExpr,
    TypeArguments, TypeName, Values, WindowSpec,
};
use crate::syntax::parser::precedence;
use fusion_ir::query::{BinaryOp, UnaryOp};
use fusion_ir::span::Span;

/// Prints `statements` (parsed from `source`) as SQL, one statement per
/// line, each but the last followed by `;`.
pub fn print_sql(statements: &[Statement], source: &str) -> String {
    let mut printer = SqlPrinter {
        source,
        out: String::new(),
    };
    for (index, statement) in statements.iter().enumerate() {
        if index > 0 {
            printer.out.push_str(";\n");
        }
        match statement {
            Statement::Query(query) => printer.query(query),
            Statement::Opaque { span, .. } => printer.verbatim(*span),
        }
    }
    printer.out
}

/// Prints a bare expression (parsed from `source` by
/// `Dialect::parse_expression`) as SQL.
pub fn print_sql_expression(expr: &Expr, source: &str) -> String {
    let mut printer = SqlPrinter {
        source,
        out: String::new(),
    };
    printer.expr(expr);
    printer.out
}

/// Binds tighter than any operator: literals, names, calls, anything in
/// brackets of its own.
const PRIMARY: u8 = u8::MAX;

struct SqlPrinter<'source> {
    source: &'source str,
    out: String,
}

impl SqlPrinter<'_> {
    fn text(&self, span: Span) -> &str {
        self.source.get(span.range()).unwrap_or("")
    }

    fn verbatim(&mut self, span: Span) {
        let text = self.source.get(span.range()).unwrap_or("");
        self.out.push_str(text);
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// The source between two offsets, empty when they are out of order.
    fn between(&self, start: u32, end: u32) -> &str {
        if start > end {
            return "";
        }
        self.text(Span::new(start, end))
    }

    fn ident(&mut self, ident: Ident) {
        self.verbatim(ident.span);
    }

    fn idents(&mut self, idents: &[Ident], separator: &str) {
        for (index, ident) in idents.iter().enumerate() {
            if index > 0 {
                self.push(separator);
            }
            self.ident(*ident);
        }
    }

    fn object_name(&mut self, name: &ObjectName) {
        self.idents(&name.parts, ".");
    }

    fn comma_separated<T>(&mut self, items: &[T], mut print: impl FnMut(&mut Self, &T)) {
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            print(self, item);
        }
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        self.comma_separated(exprs, |printer, expr| printer.expr(expr));
    }

    // ---- queries ----

    fn query(&mut self, query: &Query) {
        if let Some(with) = &query.with {
            self.push("WITH ");
            if with.recursive {
                self.push("RECURSIVE ");
            }
            self.comma_separated(&with.ctes, |printer, cte| printer.cte(cte));
            self.push(" ");
        }
        self.set_expr(&query.body, 0);
        if let Some(order_by) = &query.order_by {
            self.push(" ORDER BY ");
            if order_by.all {
                self.push("ALL");
                if let Some(key) = order_by.keys.first() {
                    self.sort_direction(key);
                }
            } else {
                self.order_keys(&order_by.keys);
            }
        }
        for distribution in &query.distribution {
            self.push(" ");
            self.verbatim(distribution.keyword);
            self.push(" BY ");
            self.order_keys(&distribution.keys);
        }
        if let Some(limit) = &query.limit {
            self.push(" LIMIT ");
            self.expr(limit);
            if query.limit_percent {
                self.push("%");
            }
        }
        if let Some(offset) = &query.offset {
            self.push(" OFFSET ");
            self.expr(offset);
        }
    }

    fn cte(&mut self, cte: &Cte) {
        self.ident(cte.name);
        if !cte.columns.is_empty() {
            self.push("(");
            self.idents(&cte.columns, ", ");
            self.push(")");
        }
        if !cte.using_key.is_empty() {
            self.push(" USING KEY (");
            self.idents(&cte.using_key, ", ");
            self.push(")");
        }
        self.push(" AS ");
        match cte.materialized {
            Some(true) => self.push("MATERIALIZED "),
            Some(false) => self.push("NOT MATERIALIZED "),
            None => {}
        }
        self.push("(");
        self.query(&cte.query);
        self.push(")");
    }

    /// A set expression where operators binding less than `min_precedence`
    /// need parentheses (`INTERSECT` is 2, `UNION` and `EXCEPT` are 1).
    fn set_expr(&mut self, body: &SetExpr, min_precedence: u8) {
        match body {
            SetExpr::Select(select) => self.select(select),
            SetExpr::SetOperation {
                operator,
                quantifier,
                by_name,
                left,
                right,
                ..
            } => {
                let precedence = match operator {
                    SetOperator::Intersect => 2,
                    SetOperator::Union | SetOperator::Except => 1,
                };
                let wrap = precedence < min_precedence;
                if wrap {
                    self.push("(");
                }
                self.set_expr(left, precedence);
                self.push(match operator {
                    SetOperator::Union => " UNION",
                    SetOperator::Intersect => " INTERSECT",
                    SetOperator::Except => " EXCEPT",
                });
                match quantifier {
                    SetQuantifier::None => {}
                    SetQuantifier::All => self.push(" ALL"),
                    SetQuantifier::Distinct => self.push(" DISTINCT"),
                }
                if *by_name {
                    self.push(" BY NAME");
                }
                self.push(" ");
                self.set_expr(right, precedence + 1);
                if wrap {
                    self.push(")");
                }
            }
            SetExpr::Values(values, alias) => {
                self.values(values);
                self.table_alias(alias);
            }
            SetExpr::Parenthesized(query) => {
                self.push("(");
                self.query(query);
                self.push(")");
            }
            SetExpr::Error(span) => self.verbatim(*span),
        }
    }

    fn values(&mut self, values: &Values) {
        self.push("VALUES ");
        self.comma_separated(&values.rows, |printer, row| {
            printer.push("(");
            printer.exprs(row);
            printer.push(")");
        });
    }

    fn select(&mut self, select: &Select) {
        if select.from_first {
            if let Some(from) = &select.from {
                self.push("FROM ");
                self.table(from);
            }
            if !select.items.is_empty() {
                self.push(" ");
                self.select_list(select);
            }
        } else {
            self.select_list(select);
            if let Some(from) = &select.from {
                self.push(" FROM ");
                self.table(from);
            }
        }
        if let Some(connect_by) = &select.connect_by {
            if let Some(start_with) = &connect_by.start_with {
                self.push(" START WITH ");
                self.expr(start_with);
            }
            self.push(if connect_by.nocycle {
                " CONNECT BY NOCYCLE "
            } else {
                " CONNECT BY "
            });
            for (index, condition) in connect_by.conditions.iter().enumerate() {
                if index > 0 {
                    self.push(", ");
                }
                self.expr(condition);
            }
        }
        if let Some(where_clause) = &select.where_clause {
            self.push(" WHERE ");
            self.expr(where_clause);
        }
        if let Some(group_by) = &select.group_by {
            self.push(" GROUP BY ");
            if group_by.all {
                self.push("ALL");
            }
            self.comma_separated(&group_by.elements, |printer, element| {
                printer.grouping_element(element)
            });
        }
        if let Some(having) = &select.having {
            self.push(" HAVING ");
            self.expr(having);
        }
        if !select.windows.is_empty() {
            self.push(" WINDOW ");
            self.comma_separated(&select.windows, |printer, window| {
                printer.ident(window.name);
                printer.push(" AS ");
                printer.window_spec_in_parens(&window.spec);
            });
        }
        if let Some(qualify) = &select.qualify {
            self.push(" QUALIFY ");
            self.expr(qualify);
        }
        if let Some(sample) = select.sample {
            self.push(" ");
            self.verbatim(sample);
        }
    }

    fn select_list(&mut self, select: &Select) {
        self.push("SELECT ");
        match &select.distinct {
            None => {}
            Some(Distinct::Distinct) => self.push("DISTINCT "),
            Some(Distinct::On(exprs)) => {
                self.push("DISTINCT ON (");
                self.exprs(exprs);
                self.push(") ");
            }
        }
        if let Some(top) = &select.top {
            self.push("TOP ");
            self.expr_at(top, precedence::UNARY);
            self.push(" ");
        }
        if let Some(as_value) = select.as_value {
            self.push("AS ");
            self.verbatim(as_value);
            self.push(" ");
        }
        self.comma_separated(&select.items, |printer, item| match item.alias {
            // `alias: expr` (DuckDB): the alias came first.
            Some(alias) if alias.span.start < item.expr.span.start => {
                printer.ident(alias);
                printer.push(": ");
                printer.expr(&item.expr);
            }
            // `select 1 'one'`: a string as an alias takes no AS.
            Some(alias) if printer.text(alias.span).starts_with('\'') => {
                printer.expr(&item.expr);
                printer.push(" ");
                printer.ident(alias);
            }
            Some(alias) => {
                printer.expr(&item.expr);
                printer.push(" AS ");
                printer.ident(alias);
            }
            None => printer.expr(&item.expr),
        });
        if !select.exclude.is_empty() {
            self.push(" EXCLUDE (");
            self.idents(&select.exclude, ", ");
            self.push(")");
        }
    }

    fn grouping_element(&mut self, element: &GroupingElement) {
        match element {
            GroupingElement::Expr(expr) => self.expr(expr),
            GroupingElement::Empty(_) => self.push("()"),
            GroupingElement::Rollup(sets, _) => self.grouping_sets("ROLLUP", sets),
            GroupingElement::Cube(sets, _) => self.grouping_sets("CUBE", sets),
            GroupingElement::GroupingSets(sets, _) => self.grouping_sets("GROUPING SETS ", sets),
        }
    }

    fn grouping_sets(&mut self, head: &str, sets: &[Vec<Expr>]) {
        self.push(head);
        self.push("(");
        self.comma_separated(sets, |printer, set| {
            if set.len() == 1 {
                printer.expr(&set[0]);
            } else {
                printer.push("(");
                printer.exprs(set);
                printer.push(")");
            }
        });
        self.push(")");
    }

    fn order_keys(&mut self, keys: &[OrderKey]) {
        self.comma_separated(keys, |printer, key| {
            printer.expr(&key.expr);
            printer.sort_direction(key);
        });
    }

    fn sort_direction(&mut self, key: &OrderKey) {
        if key.descending {
            self.push(" DESC");
        }
        match key.nulls_first {
            Some(true) => self.push(" NULLS FIRST"),
            Some(false) => self.push(" NULLS LAST"),
            None => {}
        }
    }

    fn window_spec_in_parens(&mut self, spec: &WindowSpec) {
        self.push("(");
        let mut separator = "";
        if let Some(base) = spec.base {
            self.ident(base);
            separator = " ";
        }
        if !spec.partition_by.is_empty() {
            self.push(separator);
            self.push("PARTITION BY ");
            self.exprs(&spec.partition_by);
            separator = " ";
        }
        if !spec.order_by.is_empty() {
            self.push(separator);
            self.push("ORDER BY ");
            self.order_keys(&spec.order_by);
            separator = " ";
        }
        if let Some(frame) = &spec.frame {
            self.push(separator);
            self.push(match frame.units {
                FrameUnits::Rows => "ROWS ",
                FrameUnits::Range => "RANGE ",
                FrameUnits::Groups => "GROUPS ",
            });
            match &frame.end {
                Some(end) => {
                    self.push("BETWEEN ");
                    self.frame_bound(&frame.start);
                    self.push(" AND ");
                    self.frame_bound(end);
                }
                None => self.frame_bound(&frame.start),
            }
            if let Some(exclusion) = frame.exclusion {
                self.push(" ");
                self.verbatim(exclusion);
            }
        }
        self.push(")");
    }

    fn frame_bound(&mut self, bound: &FrameBound) {
        match bound {
            FrameBound::UnboundedPreceding => self.push("UNBOUNDED PRECEDING"),
            FrameBound::CurrentRow => self.push("CURRENT ROW"),
            FrameBound::UnboundedFollowing => self.push("UNBOUNDED FOLLOWING"),
            FrameBound::Preceding(offset) => {
                self.expr_at(offset, precedence::AND + 1);
                self.push(" PRECEDING");
            }
            FrameBound::Following(offset) => {
                self.expr_at(offset, precedence::AND + 1);
                self.push(" FOLLOWING");
            }
        }
    }

    // ---- FROM ----

    fn table_alias(&mut self, alias: &Option<TableAlias>) {
        let Some(alias) = alias else {
            return;
        };
        self.push(" AS ");
        self.ident(alias.name);
        self.alias_columns(alias);
    }

    fn alias_columns(&mut self, alias: &TableAlias) {
        if alias.columns.is_empty() {
            return;
        }
        self.push("(");
        if alias.column_types.len() == alias.columns.len() {
            let pairs: Vec<(Ident, &TypeName)> = alias
                .columns
                .iter()
                .copied()
                .zip(alias.column_types.iter())
                .collect();
            self.comma_separated(&pairs, |printer, (column, column_type)| {
                printer.ident(*column);
                printer.push(" ");
                printer.type_name(column_type);
            });
        } else {
            self.idents(&alias.columns, ", ");
        }
        self.push(")");
    }

    /// Whether a `LATERAL` table function was written `LATERAL VIEW` (Spark).
    fn is_lateral_view(&self, table: &TableExpr) -> bool {
        let TableExpr::Function {
            lateral: true,
            name,
            span,
            ..
        } = table
        else {
            return false;
        };
        let head = self.between(span.start, name.span().start);
        head.split_whitespace()
            .nth(1)
            .is_some_and(|word| word.eq_ignore_ascii_case("VIEW"))
    }

    fn table(&mut self, table: &TableExpr) {
        match table {
            TableExpr::Named { name, alias, .. } => {
                self.object_name(name);
                self.table_alias(alias);
            }
            TableExpr::File { path, alias, .. } => {
                self.verbatim(*path);
                self.table_alias(alias);
            }
            TableExpr::Derived {
                lateral,
                query,
                alias,
                ..
            } => {
                if *lateral {
                    self.push("LATERAL ");
                }
                self.push("(");
                self.query(query);
                self.push(")");
                self.table_alias(alias);
            }
            TableExpr::Function {
                lateral,
                name,
                args,
                with_ordinality,
                alias,
                span,
            } => {
                if *lateral {
                    self.push("LATERAL ");
                }
                // `TABLE(f(x))`: the standard's wrapper around the call.
                let wrapped = self.between(span.start, name.span().start).contains('(');
                if wrapped {
                    self.push("TABLE(");
                }
                self.object_name(name);
                self.push("(");
                self.call_arguments(args);
                self.push(")");
                if wrapped {
                    self.push(")");
                }
                if *with_ordinality {
                    self.push(" WITH ORDINALITY");
                }
                self.table_alias(alias);
            }
            TableExpr::Unnest {
                args,
                alias,
                with_ordinality,
                span,
            } => self.unnest(args, alias, *with_ordinality, *span),
            TableExpr::Values { values, alias, .. } => {
                self.values(values);
                self.table_alias(alias);
            }
            TableExpr::Join {
                operator,
                natural,
                left,
                right,
                constraint,
                ..
            } => self.join(*operator, *natural, left, right, constraint),
            TableExpr::Parenthesized { inner, alias, .. } => {
                self.push("(");
                self.table(inner);
                self.push(")");
                self.table_alias(alias);
            }
            TableExpr::Sampled { inner, sample, .. } => {
                self.table(inner);
                self.push(" ");
                self.verbatim(*sample);
            }
            TableExpr::Pivot {
                inner,
                unpivot,
                body,
                alias,
                ..
            } => {
                self.table(inner);
                self.push(if *unpivot { " UNPIVOT " } else { " PIVOT " });
                self.verbatim(*body);
                self.table_alias(alias);
            }
            TableExpr::TimeTravel { inner, clause, .. } => match inner.as_ref() {
                TableExpr::Named { name, alias, .. } => {
                    self.object_name(name);
                    let alias_first = alias
                        .as_ref()
                        .is_some_and(|alias| alias.name.span.start < clause.start);
                    if alias_first {
                        self.table_alias(alias);
                    }
                    self.push(" ");
                    self.verbatim(*clause);
                    if !alias_first {
                        self.table_alias(alias);
                    }
                }
                other => {
                    self.table(other);
                    self.push(" ");
                    self.verbatim(*clause);
                }
            },
            TableExpr::Indirect { target, alias, .. } => {
                self.push("TABLE(");
                self.expr(target);
                self.push(")");
                self.table_alias(alias);
            }
            TableExpr::RowsFrom {
                functions,
                with_ordinality,
                alias,
                ..
            } => {
                self.push("ROWS FROM (");
                self.comma_separated(functions, |printer, function| printer.table(function));
                self.push(")");
                if *with_ordinality {
                    self.push(" WITH ORDINALITY");
                }
                self.table_alias(alias);
            }
            TableExpr::Error(span) => self.verbatim(*span),
        }
    }

    fn unnest(
        &mut self,
        args: &[Expr],
        alias: &Option<TableAlias>,
        with_ordinality: bool,
        span: Span,
    ) {
        self.push("UNNEST(");
        self.exprs(args);
        self.push(")");
        if !with_ordinality {
            self.table_alias(alias);
            return;
        }
        // `WITH OFFSET` (BigQuery) or `WITH ORDINALITY`, before the alias or,
        // in BigQuery, after it with the offset's own alias.
        let after_args = args.last().map_or(span.start, |arg| arg.span.end);
        let tail = self.between(after_args, span.end).to_ascii_uppercase();
        let offset_at = tail.find("OFFSET").map(|at| after_args + at as u32);
        let trailing_offset = match (offset_at, alias) {
            (Some(offset_at), Some(alias)) => alias.name.span.start < offset_at,
            _ => false,
        };
        match alias {
            Some(alias) if trailing_offset => {
                self.push(" AS ");
                self.ident(alias.name);
                let (columns, offset_alias) = match alias.columns.split_last() {
                    Some((last, rest)) => (rest, Some(*last)),
                    None => (&alias.columns[..], None),
                };
                if !columns.is_empty() {
                    self.push("(");
                    self.idents(columns, ", ");
                    self.push(")");
                }
                self.push(" WITH OFFSET");
                if let Some(offset_alias) = offset_alias {
                    self.push(" AS ");
                    self.ident(offset_alias);
                }
            }
            _ => {
                self.push(if offset_at.is_some() {
                    " WITH OFFSET"
                } else {
                    " WITH ORDINALITY"
                });
                self.table_alias(alias);
            }
        }
    }

    fn join(
        &mut self,
        operator: JoinOperator,
        natural: bool,
        left: &TableExpr,
        right: &TableExpr,
        constraint: &JoinConstraint,
    ) {
        self.table(left);
        if matches!(operator, JoinOperator::Cross | JoinOperator::Left)
            && self.is_lateral_view(right)
        {
            self.lateral_view(operator == JoinOperator::Left, right);
            return;
        }
        if operator == JoinOperator::Comma {
            self.push(", ");
        } else {
            if natural {
                self.push(" NATURAL");
            }
            self.push(match operator {
                JoinOperator::Comma | JoinOperator::Inner => " JOIN ",
                JoinOperator::Left => " LEFT JOIN ",
                JoinOperator::Right => " RIGHT JOIN ",
                JoinOperator::Full => " FULL JOIN ",
                JoinOperator::Cross => " CROSS JOIN ",
                JoinOperator::Semi => " SEMI JOIN ",
                JoinOperator::Anti => " ANTI JOIN ",
                JoinOperator::AsOf => " ASOF JOIN ",
                JoinOperator::AsOfLeft => " ASOF LEFT JOIN ",
                JoinOperator::Positional => " POSITIONAL JOIN ",
            });
        }
        // The right side of a join is one relation: a join there needs
        // parentheses (the tree has them when the source did).
        if matches!(right, TableExpr::Join { .. }) {
            self.push("(");
            self.table(right);
            self.push(")");
        } else {
            self.table(right);
        }
        match constraint {
            JoinConstraint::None => {}
            JoinConstraint::On(predicate) => {
                self.push(" ON ");
                self.expr(predicate);
            }
            JoinConstraint::Using(columns) => {
                self.push(" USING (");
                self.idents(columns, ", ");
                self.push(")");
            }
            JoinConstraint::MatchCondition { condition, on } => {
                self.push(" MATCH_CONDITION (");
                self.expr(condition);
                self.push(")");
                if let Some(on) = on {
                    self.push(" ON ");
                    self.expr(on);
                }
            }
        }
    }

    /// `LATERAL VIEW [OUTER] f(args) [table] [AS c1, c2]` (Spark). Without a
    /// table alias the parser names the view by its first column.
    fn lateral_view(&mut self, outer: bool, view: &TableExpr) {
        let TableExpr::Function {
            name, args, alias, ..
        } = view
        else {
            return;
        };
        self.push(" LATERAL VIEW ");
        if outer {
            self.push("OUTER ");
        }
        self.object_name(name);
        self.push("(");
        self.call_arguments(args);
        self.push(")");
        if let Some(alias) = alias {
            let named_by_column = alias
                .columns
                .first()
                .is_some_and(|first| first.span == alias.name.span);
            if !named_by_column {
                self.push(" ");
                self.ident(alias.name);
            }
            if !alias.columns.is_empty() {
                self.push(" AS ");
                self.idents(&alias.columns, ", ");
            }
        }
    }

    // ---- expressions ----

    fn expr(&mut self, expr: &Expr) {
        self.expr_at(expr, 0);
    }

    /// Prints `expr` where an operand binding at least `min_precedence` is
    /// expected, in parentheses if it binds less.
    fn expr_at(&mut self, expr: &Expr, min_precedence: u8) {
        if expr_precedence(expr) < min_precedence {
            self.push("(");
            self.expr_kind(expr);
            self.push(")");
        } else {
            self.expr_kind(expr);
        }
    }

    /// Prints one expression node back as SQL: one arm per kind of
    /// syntax-tree expression, each a few lines, independent of the others.
    #[expect(
        clippy::too_many_lines,
        reason = "one short arm per expression kind of the syntax tree"
    )]
    fn expr_kind(&mut self, expr: &Expr) {
        use precedence::*;
        let span = expr.span;
        match &expr.kind {
            ExprKind::Identifier(parts) => self.idents(parts, "."),
            ExprKind::Number | ExprKind::String(_) | ExprKind::Parameter => self.verbatim(span),
            ExprKind::Null => self.push("NULL"),
            ExprKind::Boolean(value) => self.push(if *value { "TRUE" } else { "FALSE" }),
            ExprKind::TypedString {
                type_name, value, ..
            } => {
                self.type_name(type_name);
                self.push(" ");
                self.verbatim(*value);
            }
            ExprKind::Interval { value, unit } => {
                self.push("INTERVAL ");
                self.expr_at(value, UNARY);
                if let Some(unit) = unit {
                    self.push(" ");
                    self.verbatim(*unit);
                }
            }
            ExprKind::Unary { operator, operand } => {
                let (spelling, operand_precedence) = match operator {
                    UnaryOp::Not => ("NOT ", NOT),
                    UnaryOp::Negate => ("-", UNARY),
                    UnaryOp::Plus => ("+", UNARY),
                    UnaryOp::BitwiseNot => ("~", UNARY),
                };
                self.push(spelling);
                let operand_start = self.out.len();
                self.expr_at(operand, operand_precedence);
                // `- -1` must not become a `--` comment, nor `+ +1` a `++`.
                let glued = self.out[operand_start..]
                    .chars()
                    .next()
                    .is_some_and(|first| matches!(first, '-' | '+' | '~' | '/' | '*'));
                if glued && *operator != UnaryOp::Not {
                    self.out.insert(operand_start, ' ');
                }
            }
            ExprKind::Binary {
                operator,
                left,
                right,
            } => {
                let precedence = binary_precedence(operator);
                self.expr_at(left, precedence);
                self.push(" ");
                self.push(binary_spelling(*operator));
                self.push(" ");
                self.expr_at(right, precedence + 1);
            }
            ExprKind::Cast {
                expr: operand,
                type_name,
                syntax,
            } => self.cast(operand, type_name, *syntax, span),
            ExprKind::Function(call) => self.call(call, span),
            ExprKind::Case {
                operand,
                branches,
                else_result,
            } => {
                self.push("CASE");
                if let Some(operand) = operand {
                    self.push(" ");
                    self.expr(operand);
                }
                for (condition, result) in branches {
                    self.push(" WHEN ");
                    self.expr(condition);
                    self.push(" THEN ");
                    self.expr(result);
                }
                if let Some(result) = else_result {
                    self.push(" ELSE ");
                    self.expr(result);
                }
                self.push(" END");
            }
            ExprKind::InList {
                expr: operand,
                list,
                negated,
            } => {
                self.expr_at(operand, PATTERN);
                self.push(if *negated { " NOT IN (" } else { " IN (" });
                self.exprs(list);
                self.push(")");
            }
            ExprKind::InSubquery {
                expr: operand,
                query,
                negated,
            } => {
                self.expr_at(operand, PATTERN);
                self.push(if *negated { " NOT IN (" } else { " IN (" });
                self.query(query);
                self.push(")");
            }
            ExprKind::Exists { query, negated } => {
                self.push(if *negated { "NOT EXISTS (" } else { "EXISTS (" });
                self.query(query);
                self.push(")");
            }
            ExprKind::Subquery(query) => {
                self.push("(");
                self.query(query);
                self.push(")");
            }
            ExprKind::Between {
                expr: operand,
                low,
                high,
                negated,
            } => {
                self.expr_at(operand, PATTERN);
                self.push(if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                });
                self.expr_at(low, PATTERN + 1);
                self.push(" AND ");
                self.expr_at(high, PATTERN + 1);
            }
            ExprKind::Pattern {
                operator,
                expr: operand,
                pattern,
                escape,
                negated,
            } => {
                self.expr_at(operand, PATTERN);
                if *negated {
                    self.push(" NOT");
                }
                self.push(match operator {
                    PatternOperator::Like => " LIKE ",
                    PatternOperator::Ilike => " ILIKE ",
                    PatternOperator::SimilarTo => " SIMILAR TO ",
                    PatternOperator::Glob => " GLOB ",
                });
                self.expr_at(pattern, PATTERN + 1);
                if let Some(escape) = escape {
                    self.push(" ESCAPE ");
                    self.expr_at(escape, PATTERN + 1);
                }
            }
            ExprKind::IsNull {
                expr: operand,
                negated,
            } => {
                self.expr_at(operand, IS);
                self.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            ExprKind::IsBoolean {
                expr: operand,
                value,
                negated,
            } => {
                self.expr_at(operand, IS);
                self.push(if *negated { " IS NOT " } else { " IS " });
                self.push(if *value { "TRUE" } else { "FALSE" });
            }
            ExprKind::IsJson {
                expr: operand,
                kind,
                unique_keys,
                negated,
            } => {
                self.expr_at(operand, IS);
                self.push(if *negated { " IS NOT JSON" } else { " IS JSON" });
                if let Some(kind) = kind {
                    self.push(" ");
                    self.verbatim(*kind);
                }
                if *unique_keys {
                    self.push(" WITH UNIQUE KEYS");
                }
            }
            ExprKind::IsDistinctFrom {
                left,
                right,
                negated,
            } => {
                self.expr_at(left, IS);
                self.push(if *negated {
                    " IS NOT DISTINCT FROM "
                } else {
                    " IS DISTINCT FROM "
                });
                self.expr_at(right, IS + 1);
            }
            ExprKind::Field {
                expr: operand,
                field,
            } => {
                self.expr_at(operand, INDEX);
                self.push(".");
                self.ident(*field);
            }
            ExprKind::ColonPath { expr: operand, key } => {
                self.expr_at(operand, INDEX);
                // `raw:['price']` (Databricks): the key in brackets.
                if self.between(operand.span.end, key.span.start).contains('[') {
                    self.push(":[");
                    self.ident(*key);
                    self.push("]");
                } else {
                    self.push(":");
                    self.ident(*key);
                }
            }
            ExprKind::Index {
                expr: operand,
                index,
            } => {
                self.expr_at(operand, INDEX);
                self.push("[");
                self.expr(index);
                self.push("]");
            }
            ExprKind::Slice {
                expr: operand,
                start,
                end,
            } => {
                self.expr_at(operand, INDEX);
                self.push("[");
                if let Some(start) = start {
                    self.expr(start);
                }
                self.push(":");
                if let Some(end) = end {
                    self.expr(end);
                }
                self.push("]");
            }
            ExprKind::Array { items, keyword } => {
                if *keyword {
                    self.push("ARRAY");
                }
                self.push("[");
                self.exprs(items);
                self.push("]");
            }
            ExprKind::ArraySubquery(query) => {
                self.push("ARRAY(");
                self.query(query);
                self.push(")");
            }
            ExprKind::StructLiteral(entries) => {
                self.push("{");
                self.comma_separated(entries, |printer, (key, value)| {
                    printer.ident(*key);
                    printer.push(": ");
                    printer.expr(value);
                });
                self.push("}");
            }
            ExprKind::StarObject(star) => {
                self.push("{");
                self.star(star, span);
                self.push("}");
            }
            ExprKind::RelationArgument { keyword, name } => {
                self.verbatim(*keyword);
                self.push(" ");
                self.object_name(name);
            }
            ExprKind::XmlName(name) => {
                self.push("NAME ");
                self.ident(*name);
            }
            ExprKind::PrefixCall { operator, operand } => {
                self.verbatim(*operator);
                self.push(" ");
                self.expr_at(operand, UNARY);
            }
            ExprKind::Quantified { all, operand } => {
                self.push(if *all { "ALL " } else { "ANY " });
                self.expr_at(operand, PRIMARY);
            }
            ExprKind::MapLiteral(entries) => {
                self.push("MAP {");
                self.comma_separated(entries, |printer, (key, value)| {
                    printer.expr(key);
                    printer.push(": ");
                    printer.expr(value);
                });
                self.push("}");
            }
            ExprKind::Unpack(inner) => {
                self.push("*");
                self.expr_at(inner, PRIMARY);
            }
            ExprKind::Row(items) => {
                self.push("ROW(");
                self.exprs(items);
                self.push(")");
            }
            ExprKind::Tuple(items) => {
                self.push("(");
                self.exprs(items);
                // `(a,)`: one item is a tuple only with its comma.
                if items.len() == 1 {
                    self.push(",");
                }
                self.push(")");
            }
            ExprKind::Parenthesized(inner) => {
                self.push("(");
                self.expr(inner);
                self.push(")");
            }
            ExprKind::Lambda { params, body } => {
                let keyword_form = params
                    .first()
                    .is_some_and(|first| first.span.start > span.start)
                    && self
                        .text(span)
                        .get(..6)
                        .is_some_and(|head| head.eq_ignore_ascii_case("lambda"));
                if keyword_form {
                    // `lambda x, y: x + y` (DuckDB).
                    self.push("lambda ");
                    self.idents(params, ", ");
                    self.push(": ");
                } else {
                    if params.len() == 1 {
                        self.ident(params[0]);
                    } else {
                        self.push("(");
                        self.idents(params, ", ");
                        self.push(")");
                    }
                    self.push(" -> ");
                }
                self.expr_at(body, LAMBDA);
            }
            ExprKind::Star(star) => self.star(star, span),
            ExprKind::Collate {
                expr: operand,
                collation,
            } => {
                self.expr_at(operand, COLLATE);
                self.push(" COLLATE ");
                self.ident(*collation);
            }
            ExprKind::AtTimeZone {
                expr: operand,
                zone,
            } => {
                self.expr_at(operand, AT_TIME_ZONE);
                self.push(" AT TIME ZONE ");
                self.expr_at(zone, AT_TIME_ZONE + 1);
            }
            ExprKind::Error => self.verbatim(span),
        }
    }

    fn cast(&mut self, operand: &Expr, type_name: &TypeName, syntax: CastSyntax, span: Span) {
        match syntax {
            CastSyntax::Cast if type_name.span.start == span.start => {
                // `ARRAY<INT64>[1, 2]`, `STRUCT<a INT64>(1)`: a typed
                // constructor, the type written before the value.
                self.type_name(type_name);
                match &operand.kind {
                    ExprKind::Array { items, .. } => {
                        self.push("[");
                        self.exprs(items);
                        self.push("]");
                    }
                    ExprKind::Function(call) => {
                        self.push("(");
                        self.call_arguments(&call.args);
                        self.push(")");
                    }
                    _ => {
                        self.push("(");
                        self.expr(operand);
                        self.push(")");
                    }
                }
            }
            CastSyntax::Cast | CastSyntax::TryCast => {
                if syntax == CastSyntax::Cast {
                    self.push("CAST(");
                } else {
                    // `TRY_CAST` or BigQuery's `SAFE_CAST`, as written.
                    let text = self.text(span);
                    let word = text.split('(').next().unwrap_or("").trim();
                    let word = if word.is_empty()
                        || !word.chars().all(|c| c.is_alphanumeric() || c == '_')
                    {
                        "TRY_CAST"
                    } else {
                        word
                    };
                    let word = word.to_string();
                    self.push(&word);
                    self.push("(");
                }
                self.expr(operand);
                self.push(" AS ");
                self.type_name(type_name);
                self.push(")");
            }
            CastSyntax::DoubleColon | CastSyntax::TryDoubleColon => {
                self.expr_at(operand, precedence::INDEX);
                self.push(if syntax == CastSyntax::DoubleColon {
                    "::"
                } else {
                    "?::"
                });
                self.type_name(type_name);
            }
        }
    }

    fn call(&mut self, call: &FunctionCall, span: Span) {
        self.object_name(&call.name);
        // `current_date`: a niladic function called without parentheses.
        let niladic = call.args.is_empty() && span.end == call.name.span().end;
        if niladic {
            return;
        }
        self.push("(");
        if call.distinct {
            self.push("DISTINCT ");
        }
        self.call_arguments(&call.args);
        // IGNORE NULLS inside the parentheses (BigQuery) or after them.
        let nulls_inside = call.nulls_inside;
        if nulls_inside {
            self.ignore_nulls(call.ignore_nulls);
        }
        if !call.order_by.is_empty() {
            self.push(" ORDER BY ");
            self.order_keys(&call.order_by);
        }
        if let Some(limit) = &call.limit {
            self.push(" LIMIT ");
            self.expr(limit);
        }
        if let Some(having) = &call.having_bound {
            self.push(if having.max {
                " HAVING MAX "
            } else {
                " HAVING MIN "
            });
            self.expr(&having.value);
        }
        self.push(")");
        if !call.within_group.is_empty() {
            self.push(" WITHIN GROUP (ORDER BY ");
            self.order_keys(&call.within_group);
            self.push(")");
        }
        if let Some(filter) = &call.filter {
            self.push(" FILTER (WHERE ");
            self.expr(filter);
            self.push(")");
        }
        if !nulls_inside {
            self.ignore_nulls(call.ignore_nulls);
        }
        if let Some(over) = &call.over {
            self.push(" OVER ");
            let base_only =
                over.partition_by.is_empty() && over.order_by.is_empty() && over.frame.is_none();
            match over.base {
                Some(base) if base_only => self.ident(base),
                _ => self.window_spec_in_parens(over),
            }
        }
    }

    fn ignore_nulls(&mut self, ignore_nulls: Option<bool>) {
        match ignore_nulls {
            Some(true) => self.push(" IGNORE NULLS"),
            Some(false) => self.push(" RESPECT NULLS"),
            None => {}
        }
    }

    fn call_arguments(&mut self, args: &[FunctionArg]) {
        for (index, arg) in args.iter().enumerate() {
            if index > 0 {
                // `extract(year FROM d)`, `substring(s FROM 2 FOR 3)`,
                // `position(a IN b)`, `overlay(s PLACING t FROM 2)`.
                let previous_end = args[index - 1]
                    .value
                    .span
                    .end
                    .max(args[index - 1].name.map_or(0, |name| name.span.end));
                let next_start = arg.name.map_or(arg.value.span.start, |name| {
                    name.span.start.min(arg.value.span.start)
                });
                let gap = self.between(previous_end, next_start).trim();
                let keyword = ["FROM", "FOR", "IN", "PLACING"]
                    .into_iter()
                    .find(|keyword| gap.eq_ignore_ascii_case(keyword));
                match keyword {
                    Some(keyword) => {
                        self.push(" ");
                        self.push(keyword);
                        self.push(" ");
                    }
                    None => self.push(", "),
                }
            }
            self.call_argument(arg);
        }
    }

    fn call_argument(&mut self, arg: &FunctionArg) {
        if arg.variadic {
            self.push("VARIADIC ");
        }
        match arg.name {
            // `struct(1 AS a)`: the name after the value.
            Some(name) if name.span.start > arg.value.span.start => {
                self.expr(&arg.value);
                self.push(" AS ");
                self.ident(name);
            }
            Some(name) => {
                self.ident(name);
                let gap = self.between(name.span.end, arg.value.span.start);
                self.push(if gap.contains(":=") { " := " } else { " => " });
                self.expr(&arg.value);
            }
            None => {
                // `position(a IN b)`: the first argument binds tighter than IN.
                self.expr(&arg.value);
            }
        }
    }

    fn star(&mut self, star: &Star, span: Span) {
        if !star.qualifier.is_empty() {
            self.idents(&star.qualifier, ".");
            self.push(".");
        }
        self.push("*");
        if let Some(pattern) = star.ilike {
            self.push(" ILIKE ");
            self.verbatim(pattern);
        }
        if let Some(first) = star.exclude.first() {
            // BigQuery and Spark write `* EXCEPT (a)`.
            let head = self
                .between(span.start, first.span.start)
                .to_ascii_uppercase();
            let except = head.rfind("EXCEPT") > head.rfind("EXCLUDE");
            self.push(if except { " EXCEPT (" } else { " EXCLUDE (" });
            self.idents(&star.exclude, ", ");
            self.push(")");
        }
        if !star.replace.is_empty() {
            self.push(" REPLACE (");
            self.comma_separated(&star.replace, |printer, (expr, name)| {
                printer.expr(expr);
                printer.push(" AS ");
                printer.ident(*name);
            });
            self.push(")");
        }
        if !star.rename.is_empty() {
            self.push(" RENAME (");
            self.comma_separated(&star.rename, |printer, (old, new)| {
                printer.ident(*old);
                printer.push(" AS ");
                printer.ident(*new);
            });
            self.push(")");
        }
    }

    fn type_name(&mut self, type_name: &TypeName) {
        let name = type_name.name.as_str();
        // `TIME(3) WITH TIME ZONE`: the precision goes before the zone.
        let (base, zone) = match name.find(" WITH") {
            Some(at) if name.ends_with("TIME ZONE") => name.split_at(at),
            _ => (name, ""),
        };
        self.push(base);
        let angle = {
            let text = self.text(type_name.span);
            match (text.find('<'), text.find('(')) {
                (Some(angle), Some(paren)) => angle < paren,
                (Some(_), None) => true,
                _ => false,
            }
        };
        let (open, close) = if angle { ("<", ">") } else { ("(", ")") };
        match &type_name.arguments {
            TypeArguments::None => {}
            TypeArguments::Modifiers(modifiers) => {
                self.push("(");
                self.comma_separated(modifiers, |printer, modifier| printer.verbatim(*modifier));
                self.push(")");
            }
            TypeArguments::Fields(fields) => {
                self.push(open);
                self.comma_separated(fields, |printer, (field, field_type)| {
                    printer.ident(*field);
                    printer.push(" ");
                    printer.type_name(field_type);
                });
                self.push(close);
            }
            TypeArguments::Types(types) => {
                self.push(open);
                self.comma_separated(types, |printer, inner| printer.type_name(inner));
                self.push(close);
            }
        }
        for _ in 0..type_name.array_dimensions {
            self.push("[]");
        }
        self.push(zone);
        if let Some(collation) = type_name.collation {
            self.push(" COLLATE ");
            self.ident(collation);
        }
    }
}

/// How tightly `expr` binds, on the parser's scale: an operand printed
/// where a higher precedence is expected needs parentheses.
fn expr_precedence(expr: &Expr) -> u8 {
    use precedence::*;
    match &expr.kind {
        ExprKind::Binary { operator, .. } => binary_precedence(operator),
        ExprKind::Unary {
            operator: UnaryOp::Not,
            ..
        } => NOT,
        ExprKind::Unary { .. } | ExprKind::PrefixCall { .. } => UNARY,
        ExprKind::IsNull { .. }
        | ExprKind::IsBoolean { .. }
        | ExprKind::IsJson { .. }
        | ExprKind::IsDistinctFrom { .. } => IS,
        ExprKind::InList { .. }
        | ExprKind::InSubquery { .. }
        | ExprKind::Between { .. }
        | ExprKind::Pattern { .. } => PATTERN,
        ExprKind::Lambda { .. } => LAMBDA,
        ExprKind::AtTimeZone { .. } => AT_TIME_ZONE,
        ExprKind::Collate { .. } => COLLATE,
        // Postfix operators chain with each other: `a[1]::int`, `v:k::string`.
        ExprKind::Cast {
            syntax: CastSyntax::DoubleColon | CastSyntax::TryDoubleColon,
            ..
        }
        | ExprKind::Index { .. }
        | ExprKind::Slice { .. }
        | ExprKind::Field { .. }
        | ExprKind::ColonPath { .. } => INDEX,
        // `interval 5 hours 30 minutes` is an addition already; one part
        // ends with its unit word.
        _ => PRIMARY,
    }
}

fn binary_precedence(operator: &BinaryOp) -> u8 {
    use precedence::*;
    match operator {
        BinaryOp::Or => OR,
        BinaryOp::And => AND,
        BinaryOp::Eq
        | BinaryOp::NotEq
        | BinaryOp::Lt
        | BinaryOp::LtEq
        | BinaryOp::Gt
        | BinaryOp::GtEq => COMPARISON,
        BinaryOp::Add | BinaryOp::Subtract => ADDITIVE,
        BinaryOp::Multiply | BinaryOp::Divide | BinaryOp::IntegerDivide | BinaryOp::Modulo => {
            MULTIPLICATIVE
        }
        BinaryOp::Power => POWER,
        BinaryOp::Concat
        | BinaryOp::BitwiseAnd
        | BinaryOp::BitwiseOr
        | BinaryOp::BitwiseXor
        | BinaryOp::ShiftLeft
        | BinaryOp::ShiftRight => OTHER,
        BinaryOp::Other(name) => match name.as_str() {
            "IN" | "RLIKE" => PATTERN,
            "<=>" | "OVERLAPS" => COMPARISON,
            _ => OTHER,
        },
    }
}

/// An operator as SQL writes it: the tree printer's spelling, except XOR,
/// which the tree names `xor` and Spark (the only dialect whose tree has
/// it) writes `^`.
fn binary_spelling(operator: BinaryOp) -> &'static str {
    match operator {
        BinaryOp::BitwiseXor => "^",
        other => other.as_str(),
    }
}
