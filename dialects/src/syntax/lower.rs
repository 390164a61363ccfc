//! Lowering: syntax tree → `fusion_ir::query`, names still unbound.
//!
//! A `SELECT` becomes the chain documented in `fusion_ir::query`:
//! `from → Filter(Where) → Aggregate → Filter(Having) → Filter(Qualify) →
//! Project → Sort → Limit`, with `With` around it. Subqueries of any kind
//! lower into the same arena as the query that holds them.

use crate::syntax::ast;
use crate::syntax::hooks::SyntaxHooks;
use fusion_ir::name::Name;
use fusion_ir::query::{
    BinaryOp, CaseExpr, CastKind, Cte, Distinct, ExprId, ExprKind, FilterClause, FrameBound,
    FrameUnits, FunctionArg, FunctionCall, FunctionKind, GroupBy, GroupingElement, Ident,
    JoinConstraint, JoinKind, Literal, NamedWindow, ObjectName, Query, RelId, RelKind, SelectItem,
    SetOpKind, SortKey, Star, Statement, StructEntry, TableAlias, UnaryOp, WindowFrame, WindowSpec,
};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::Span;
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Lowers one parsed statement. Queries get their own arena; other
/// statements stay opaque.
pub fn lower_statement(
    statement: &ast::Statement,
    source: &str,
    hooks: &dyn SyntaxHooks,
    semantics: &dyn DialectSemantics,
) -> Statement {
    match statement {
        ast::Statement::Query(query) => {
            let mut lowerer = Lowerer {
                source,
                hooks,
                semantics,
                query: Query::default(),
                names: RefCell::default(),
            };
            let root = lowerer.lower_query(query);
            lowerer.query.root = Some(root);
            Statement::Query(lowerer.query)
        }
        ast::Statement::Opaque { kind, span } => Statement::Opaque {
            kind: kind.clone(),
            span: *span,
        },
    }
}

/// Lowers a bare expression into a query arena of its own (no root
/// relation), for tools that read expressions outside a query.
pub fn lower_expression(
    expr: &ast::Expr,
    source: &str,
    hooks: &dyn SyntaxHooks,
    semantics: &dyn DialectSemantics,
) -> (Query, ExprId) {
    let mut lowerer = Lowerer {
        source,
        hooks,
        semantics,
        query: Query::default(),
        names: RefCell::default(),
    };
    let id = lowerer.lower_expr(expr);
    (lowerer.query, id)
}

struct Lowerer<'source, 'context> {
    source: &'source str,
    hooks: &'context dyn SyntaxHooks,
    semantics: &'context dyn DialectSemantics,
    query: Query,
    /// Names already interned for this text: the global interner takes a
    /// lock per lookup, and a query repeats its names many times.
    names: RefCell<FxHashMap<&'source str, Name>>,
}

/// Removes the quotes around `raw` and undoes doubled quote characters.
fn unquote(raw: &str) -> String {
    let Some(quote) = raw.chars().next() else {
        return String::new();
    };
    let inner = &raw[quote.len_utf8()..];
    let inner = if inner.ends_with(quote) && !inner.is_empty() {
        &inner[..inner.len() - quote.len_utf8()]
    } else {
        inner
    };
    let doubled: String = [quote, quote].iter().collect();
    if inner.contains(&doubled) {
        inner.replace(&doubled, &quote.to_string())
    } else {
        inner.to_string()
    }
}

/// The value of a Unicode string `U&'d\0061t'`, with its escape character
/// from `UESCAPE '!'` when written (a backslash otherwise): `\XXXX` and
/// `\+XXXXXX` are code points, a doubled escape character is itself.
fn unicode_escaped(raw: &str) -> String {
    let body_start = raw.find('\'').unwrap_or(raw.len());
    let rest = &raw[body_start..];
    // The literal's closing quote: the first `'` not doubled.
    let mut body_end = rest.len();
    let bytes = rest.as_bytes();
    let mut index = 1;
    while index < bytes.len() {
        if bytes[index] == b'\'' {
            if bytes.get(index + 1) == Some(&b'\'') {
                index += 2;
                continue;
            }
            body_end = index + 1;
            break;
        }
        index += 1;
    }
    let body = unquote(&rest[..body_end]);
    // `UESCAPE '!'` after the literal names another escape character.
    let after = &rest[body_end..];
    let escape = match (after.find('\''), after.rfind('\'')) {
        (Some(open), Some(close)) if open < close => after[open + 1..close].chars().next(),
        _ => None,
    }
    .unwrap_or('\\');
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != escape {
            value.push(c);
            continue;
        }
        if chars.peek() == Some(&escape) {
            chars.next();
            value.push(escape);
            continue;
        }
        let width = if chars.peek() == Some(&'+') {
            chars.next();
            6
        } else {
            4
        };
        let digits: String = chars.by_ref().take(width).collect();
        match u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(decoded) => value.push(decoded),
            None => {
                value.push(escape);
                value.push_str(&digits);
            }
        }
    }
    value
}

/// The value of a string with backslash escapes: Postgres `E'...'`, and the
/// strings of dialects where a backslash always escapes (`'...'`, `"..."`,
/// `'''...'''`), after an optional prefix of letters (`E`, `r` for raw,
/// `b` for bytes).
fn unescape_backslashes(raw: &str) -> String {
    let prefix_length = raw
        .bytes()
        .take_while(|byte| byte.is_ascii_alphabetic())
        .count();
    let is_raw = raw[..prefix_length]
        .bytes()
        .any(|byte| byte.eq_ignore_ascii_case(&b'r'));
    let quoted = &raw[prefix_length..];
    let triple = ["'''", "\"\"\""]
        .into_iter()
        .find(|triple| quoted.len() >= 6 && quoted.starts_with(triple));
    let body = match triple {
        Some(triple) => {
            let inner = &quoted[3..];
            inner.strip_suffix(triple).unwrap_or(inner).to_string()
        }
        None => unquote(quoted),
    };
    if is_raw {
        return body;
    }
    let mut value = String::with_capacity(body.len());
    let mut characters = body.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            value.push(character);
            continue;
        }
        match characters.next() {
            Some('n') => value.push('\n'),
            Some('t') => value.push('\t'),
            Some('r') => value.push('\r'),
            Some('b') => value.push('\u{8}'),
            Some('f') => value.push('\u{c}'),
            Some('0') => value.push('\0'),
            Some(other) => value.push(other),
            None => value.push('\\'),
        }
    }
    value
}

/// The body of `$tag$...$tag$`.
fn dollar_body(raw: &str) -> String {
    let tag_length = raw[1..]
        .find('$')
        .map(|position| position + 2)
        .unwrap_or(raw.len());
    if raw.len() >= tag_length * 2 && raw[tag_length..].ends_with(&raw[..tag_length]) {
        raw[tag_length..raw.len() - tag_length].to_string()
    } else {
        raw.get(tag_length..).unwrap_or("").to_string()
    }
}

impl<'source> Lowerer<'source, '_> {
    fn text(&self, span: Span) -> &'source str {
        self.source.get(span.range()).unwrap_or("")
    }

    /// Interns a slice of the source, through the per-text cache.
    fn intern(&self, text: &'source str) -> Name {
        let mut names = self.names.borrow_mut();
        *names.entry(text).or_insert_with(|| Name::new(text))
    }

    fn ident(&self, ident: ast::Ident) -> Ident {
        let raw = self.text(ident.span);
        let name = if ident.quoted || raw.starts_with('\'') {
            Name::new(&unquote(raw))
        } else {
            self.intern(raw)
        };
        Ident {
            name,
            quoted: ident.quoted || raw.starts_with('\''),
            span: ident.span,
        }
    }

    fn idents(&self, idents: &[ast::Ident]) -> Vec<Ident> {
        idents.iter().map(|ident| self.ident(*ident)).collect()
    }

    fn object_name(&self, name: &ast::ObjectName) -> ObjectName {
        ObjectName {
            parts: self.idents(&name.parts),
        }
    }

    /// The alias and the offset column of `UNNEST(...)`. The syntax tree
    /// keeps BigQuery's offset name in the alias: `UNNEST(x) WITH OFFSET AS
    /// pos` has the alias `pos`, which names the offset (the element has
    /// none), and `UNNEST(x) AS v WITH OFFSET AS pos` has `pos` as the
    /// alias's last column. `WITH ORDINALITY AS t(v, n)` keeps its alias.
    fn unnest_alias_and_offset(
        &self,
        args: &[ast::Expr],
        alias: Option<&ast::TableAlias>,
        with_ordinality: bool,
        span: Span,
    ) -> (Option<TableAlias>, Option<Option<Ident>>) {
        let lowered = alias.map(|alias| TableAlias {
            name: self.ident(alias.name),
            columns: self.idents(&alias.columns),
        });
        if !with_ordinality {
            return (lowered, None);
        }
        let after_args = args.last().map_or(span.start, |arg| arg.span.end);
        let says_offset = |start: u32, end: u32| {
            self.text(Span::new(start, end.max(start)))
                .to_ascii_uppercase()
                .contains("OFFSET")
        };
        match (alias, lowered) {
            (Some(alias), Some(mut lowered)) => {
                if says_offset(after_args, alias.name.span.start) {
                    (None, Some(Some(lowered.name)))
                } else if says_offset(alias.name.span.end, span.end) {
                    let offset_name = lowered.columns.pop();
                    (Some(lowered), Some(offset_name))
                } else {
                    (Some(lowered), Some(None))
                }
            }
            (_, lowered) => (lowered, Some(None)),
        }
    }

    fn alias(&self, alias: &Option<ast::TableAlias>) -> Option<TableAlias> {
        alias.as_ref().map(|alias| TableAlias {
            name: self.ident(alias.name),
            columns: self.idents(&alias.columns),
        })
    }

    fn string_value(&self, span: Span, style: ast::StringStyle) -> String {
        let raw = self.text(span);
        match style {
            ast::StringStyle::Plain if raw.starts_with("U&") || raw.starts_with("u&") => {
                unicode_escaped(raw)
            }
            ast::StringStyle::Plain if self.hooks.strings_have_backslash_escapes() => {
                unescape_backslashes(raw)
            }
            ast::StringStyle::Plain => unquote(raw),
            ast::StringStyle::Escape => unescape_backslashes(raw),
            ast::StringStyle::Dollar => dollar_body(raw),
        }
    }

    // ---- relations ----

    fn lower_query(&mut self, query: &ast::Query) -> RelId {
        let ctes = query.with.as_ref().map(|with| {
            let ctes: Vec<Cte> = with
                .ctes
                .iter()
                .map(|cte| Cte {
                    name: self.ident(cte.name),
                    columns: self.idents(&cte.columns),
                    query: self.lower_query(&cte.query),
                    materialized: cte.materialized,
                })
                .collect();
            (with.recursive, ctes)
        });
        let mut rel = self.lower_set_expr(&query.body);
        if let Some(order_by) = &query.order_by {
            let keys = self.sort_keys(&order_by.keys);
            rel = self
                .query
                .add_rel(RelKind::Sort { input: rel, keys }, query.span);
        }
        // `LIMIT 10%` keeps its number: the IR's limit only bounds row counts,
        // which no pass derives columns from.
        if query.limit.is_some() || query.offset.is_some() {
            let limit = query.limit.as_ref().map(|limit| self.lower_expr(limit));
            let offset = query.offset.as_ref().map(|offset| self.lower_expr(offset));
            rel = self.query.add_rel(
                RelKind::Limit {
                    input: rel,
                    limit,
                    offset,
                },
                query.span,
            );
        }
        if let Some((recursive, ctes)) = ctes {
            rel = self.query.add_rel(
                RelKind::With {
                    recursive,
                    ctes,
                    body: rel,
                },
                query.span,
            );
        }
        rel
    }

    fn lower_set_expr(&mut self, body: &ast::SetExpr) -> RelId {
        match body {
            ast::SetExpr::Select(select) => self.lower_select(select),
            ast::SetExpr::SetOperation {
                operator,
                quantifier,
                by_name,
                left,
                right,
                span,
            } => {
                let left = self.lower_set_expr(left);
                let right = self.lower_set_expr(right);
                let op = match operator {
                    ast::SetOperator::Union => SetOpKind::Union,
                    ast::SetOperator::Intersect => SetOpKind::Intersect,
                    ast::SetOperator::Except => SetOpKind::Except,
                };
                self.query.add_rel(
                    RelKind::SetOp {
                        op,
                        all: *quantifier == ast::SetQuantifier::All,
                        by_name: *by_name,
                        left,
                        right,
                    },
                    *span,
                )
            }
            ast::SetExpr::Values(values, alias) => {
                let rows = self.value_rows(values);
                let alias = self.alias(alias);
                self.query
                    .add_rel(RelKind::Values { rows, alias }, values.span)
            }
            ast::SetExpr::Parenthesized(query) => self.lower_query(query),
            ast::SetExpr::Error(span) => self.query.add_rel(RelKind::Error, *span),
        }
    }

    fn value_rows(&mut self, values: &ast::Values) -> Vec<Vec<ExprId>> {
        values
            .rows
            .iter()
            .map(|row| row.iter().map(|value| self.lower_expr(value)).collect())
            .collect()
    }

    fn lower_select(&mut self, select: &ast::Select) -> RelId {
        let span = select.span;
        let mut rel = match &select.from {
            Some(from) => self.lower_table(from),
            None => self
                .query
                .add_rel(RelKind::SingleRow, Span::new(span.start, span.start)),
        };
        if let Some(connect_by) = &select.connect_by {
            if let Some(start_with) = &connect_by.start_with {
                let predicate_id = self.lower_expr(start_with);
                rel = self.filter(rel, predicate_id, FilterClause::StartWith, span);
            }
            for condition in &connect_by.conditions {
                let predicate_id = self.lower_expr(condition);
                rel = self.filter(rel, predicate_id, FilterClause::ConnectBy, span);
            }
        }
        if let Some(predicate) = &select.where_clause {
            let predicate_id = self.lower_expr(predicate);
            rel = self.filter(rel, predicate_id, FilterClause::Where, span);
        }
        if let Some(group_by) = &select.group_by {
            let elements = group_by
                .elements
                .iter()
                .map(|element| match element {
                    ast::GroupingElement::Expr(expr) => {
                        GroupingElement::Expr(self.lower_expr(expr))
                    }
                    ast::GroupingElement::Empty(_) => {
                        GroupingElement::GroupingSets(vec![Vec::new()])
                    }
                    ast::GroupingElement::Rollup(sets, _) => {
                        GroupingElement::Rollup(self.expr_sets(sets))
                    }
                    ast::GroupingElement::Cube(sets, _) => {
                        GroupingElement::Cube(self.expr_sets(sets))
                    }
                    ast::GroupingElement::GroupingSets(sets, _) => {
                        GroupingElement::GroupingSets(self.expr_sets(sets))
                    }
                })
                .collect();
            rel = self.query.add_rel(
                RelKind::Aggregate {
                    input: rel,
                    group_by: GroupBy {
                        all: group_by.all,
                        elements,
                    },
                },
                span,
            );
        }
        if let Some(predicate) = &select.having {
            let predicate_id = self.lower_expr(predicate);
            rel = self.filter(rel, predicate_id, FilterClause::Having, span);
        }
        if let Some(predicate) = &select.qualify {
            let predicate_id = self.lower_expr(predicate);
            rel = self.filter(rel, predicate_id, FilterClause::Qualify, span);
        }
        let mut items = if select.items.is_empty() && select.from_first {
            // Bare `FROM t` selects every column.
            vec![SelectItem::Star(Star {
                qualifier: Vec::new(),
                exclude: Vec::new(),
                replace: Vec::new(),
                rename: Vec::new(),
                span,
            })]
        } else {
            select
                .items
                .iter()
                .map(|item| self.select_item(item))
                .collect()
        };
        // `EXCLUDE (a)` after a select list (Redshift) drops from its stars.
        if !select.exclude.is_empty() {
            let excluded = self.idents(&select.exclude);
            for item in &mut items {
                if let SelectItem::Star(star) = item {
                    star.exclude.extend(excluded.iter().cloned());
                }
            }
        }
        let distinct = match &select.distinct {
            None => Distinct::All,
            Some(ast::Distinct::Distinct) => Distinct::Distinct,
            Some(ast::Distinct::On(exprs)) => {
                Distinct::On(exprs.iter().map(|expr| self.lower_expr(expr)).collect())
            }
        };
        let windows = select
            .windows
            .iter()
            .map(|window| NamedWindow {
                name: self.ident(window.name),
                spec: self.window_spec(&window.spec),
            })
            .collect();
        let project = self.query.add_rel(
            RelKind::Project {
                input: rel,
                items,
                distinct,
                windows,
            },
            span,
        );
        match &select.top {
            // `SELECT TOP n` limits the projected rows, as `LIMIT n` would.
            Some(top) => {
                let limit = self.lower_expr(top);
                self.query.add_rel(
                    RelKind::Limit {
                        input: project,
                        limit: Some(limit),
                        offset: None,
                    },
                    span,
                )
            }
            None => project,
        }
    }

    fn filter(
        &mut self,
        input: RelId,
        predicate: ExprId,
        clause: FilterClause,
        span: Span,
    ) -> RelId {
        self.query.add_rel(
            RelKind::Filter {
                input,
                predicate,
                clause,
            },
            span,
        )
    }

    fn expr_sets(&mut self, sets: &[Vec<ast::Expr>]) -> Vec<Vec<ExprId>> {
        sets.iter()
            .map(|set| set.iter().map(|expr| self.lower_expr(expr)).collect())
            .collect()
    }

    fn select_item(&mut self, item: &ast::SelectItem) -> SelectItem {
        if let ast::ExprKind::Star(star) = &item.expr.kind {
            if item.alias.is_none() {
                return SelectItem::Star(self.star(star, item.expr.span));
            }
        }
        SelectItem::Expr {
            expr: self.lower_expr(&item.expr),
            alias: item.alias.map(|alias| self.ident(alias)),
        }
    }

    fn star(&mut self, star: &ast::Star, span: Span) -> Star {
        Star {
            qualifier: self.idents(&star.qualifier),
            exclude: self.idents(&star.exclude),
            replace: star
                .replace
                .iter()
                .map(|(expr, name)| (self.lower_expr(expr), self.ident(*name)))
                .collect(),
            rename: star
                .rename
                .iter()
                .map(|(old, new)| (self.ident(*old), self.ident(*new)))
                .collect(),
            span,
        }
    }

    fn sort_keys(&mut self, keys: &[ast::OrderKey]) -> Vec<SortKey> {
        keys.iter()
            .map(|key| SortKey {
                expr: self.lower_expr(&key.expr),
                descending: key.descending,
                nulls_first: key.nulls_first,
            })
            .collect()
    }

    fn window_spec(&mut self, spec: &ast::WindowSpec) -> WindowSpec {
        WindowSpec {
            base: spec.base.map(|base| self.ident(base)),
            partition_by: spec
                .partition_by
                .iter()
                .map(|expr| self.lower_expr(expr))
                .collect(),
            order_by: self.sort_keys(&spec.order_by),
            frame: spec.frame.as_ref().map(|frame| WindowFrame {
                units: match frame.units {
                    ast::FrameUnits::Rows => FrameUnits::Rows,
                    ast::FrameUnits::Range => FrameUnits::Range,
                    ast::FrameUnits::Groups => FrameUnits::Groups,
                },
                start: self.frame_bound(&frame.start),
                end: frame.end.as_ref().map(|bound| self.frame_bound(bound)),
            }),
        }
    }

    fn frame_bound(&mut self, bound: &ast::FrameBound) -> FrameBound {
        match bound {
            ast::FrameBound::UnboundedPreceding => FrameBound::UnboundedPreceding,
            ast::FrameBound::Preceding(offset) => FrameBound::Preceding(self.lower_expr(offset)),
            ast::FrameBound::CurrentRow => FrameBound::CurrentRow,
            ast::FrameBound::Following(offset) => FrameBound::Following(self.lower_expr(offset)),
            ast::FrameBound::UnboundedFollowing => FrameBound::UnboundedFollowing,
        }
    }

    fn lower_table(&mut self, table: &ast::TableExpr) -> RelId {
        match table {
            ast::TableExpr::Named { name, alias, span } => {
                let table = self.object_name(name);
                let alias = self.alias(alias);
                self.query.add_rel(RelKind::Scan { table, alias }, *span)
            }
            ast::TableExpr::File { path, alias, span } => {
                let table = ObjectName {
                    parts: vec![Ident {
                        name: Name::new(&unquote(self.text(*path))),
                        quoted: true,
                        span: *path,
                    }],
                };
                let alias = self.alias(alias);
                self.query.add_rel(RelKind::Scan { table, alias }, *span)
            }
            ast::TableExpr::Derived {
                lateral,
                query,
                alias,
                span,
            } => {
                let input = self.lower_query(query);
                let alias = self.alias(alias);
                self.query.add_rel(
                    RelKind::Derived {
                        input,
                        alias,
                        lateral: *lateral,
                    },
                    *span,
                )
            }
            // The IR's table functions have no ordinality column yet.
            ast::TableExpr::Function {
                lateral,
                name,
                args,
                alias,
                span,
                with_ordinality: _,
            } => {
                let name = self.object_name(name);
                let args = self.function_args(args);
                let alias = self.alias(alias);
                self.query.add_rel(
                    RelKind::TableFunction {
                        name,
                        args,
                        alias,
                        lateral: *lateral,
                    },
                    *span,
                )
            }
            ast::TableExpr::Unnest {
                args,
                alias,
                with_ordinality,
                span,
            } => {
                let lowered_args = args.iter().map(|arg| self.lower_expr(arg)).collect();
                let (alias, with_offset) =
                    self.unnest_alias_and_offset(args, alias.as_ref(), *with_ordinality, *span);
                self.query.add_rel(
                    RelKind::Unnest {
                        args: lowered_args,
                        alias,
                        with_offset,
                    },
                    *span,
                )
            }
            ast::TableExpr::Values {
                values,
                alias,
                span,
            } => {
                let rows = self.value_rows(values);
                let alias = self.alias(alias);
                self.query.add_rel(RelKind::Values { rows, alias }, *span)
            }
            ast::TableExpr::Join {
                operator,
                natural,
                left,
                right,
                constraint,
                span,
            } => {
                let left = self.lower_table(left);
                let right = self.lower_table(right);
                let kind = match operator {
                    ast::JoinOperator::Comma | ast::JoinOperator::Cross => JoinKind::Cross,
                    ast::JoinOperator::Inner => JoinKind::Inner,
                    ast::JoinOperator::Left => JoinKind::Left,
                    ast::JoinOperator::Right => JoinKind::Right,
                    ast::JoinOperator::Full => JoinKind::Full,
                    ast::JoinOperator::Semi => JoinKind::Semi,
                    ast::JoinOperator::Anti => JoinKind::Anti,
                    ast::JoinOperator::AsOf => JoinKind::AsOf { left_outer: false },
                    ast::JoinOperator::AsOfLeft => JoinKind::AsOf { left_outer: true },
                    ast::JoinOperator::Positional => JoinKind::Positional,
                };
                let constraint = match constraint {
                    _ if *natural => JoinConstraint::Natural,
                    ast::JoinConstraint::None => JoinConstraint::None,
                    ast::JoinConstraint::On(predicate) => {
                        JoinConstraint::On(self.lower_expr(predicate))
                    }
                    // The closest-match condition and the equalities are
                    // both conditions of the join.
                    ast::JoinConstraint::MatchCondition { condition, on } => {
                        let mut predicate = self.lower_expr(condition);
                        if let Some(on) = on {
                            let right = self.lower_expr(on);
                            predicate = self.add(
                                ExprKind::Binary {
                                    op: BinaryOp::And,
                                    left: predicate,
                                    right,
                                },
                                condition.span.cover(on.span),
                            );
                        }
                        JoinConstraint::On(predicate)
                    }
                    ast::JoinConstraint::Using(columns) => {
                        JoinConstraint::Using(self.idents(columns))
                    }
                };
                self.query.add_rel(
                    RelKind::Join {
                        left,
                        right,
                        kind,
                        constraint,
                    },
                    *span,
                )
            }
            ast::TableExpr::Parenthesized { inner, alias, span } => {
                let input = self.lower_table(inner);
                match self.alias(alias) {
                    Some(alias) => self.query.add_rel(
                        RelKind::Derived {
                            input,
                            alias: Some(alias),
                            lateral: false,
                        },
                        *span,
                    ),
                    None => input,
                }
            }
            // Sampling keeps the columns: the IR reads the sampled relation.
            ast::TableExpr::Sampled { inner, .. } => self.lower_table(inner),
            // The IR reads tables as they are now: a past version has the
            // same columns, so the point in time (read by the parser) is
            // dropped; the IR has no place for it.
            ast::TableExpr::TimeTravel { inner, .. } => self.lower_table(inner),
            // A table named at run time, or functions zipped side by side:
            // the IR has no relation for them, so their columns stay unknown.
            ast::TableExpr::Indirect { span, .. } => self.query.add_rel(RelKind::Error, *span),
            ast::TableExpr::RowsFrom {
                functions, span, ..
            } => {
                for function in functions {
                    self.lower_table(function);
                }
                self.query.add_rel(RelKind::Error, *span)
            }
            // The IR has no pivot relation yet: the inner relation is
            // lowered (its names still resolve) and the pivot's output is
            // left unknown rather than guessed.
            ast::TableExpr::Pivot { inner, span, .. } => {
                self.lower_table(inner);
                self.query.add_rel(RelKind::Error, *span)
            }
            ast::TableExpr::Error(span) => self.query.add_rel(RelKind::Error, *span),
        }
    }

    fn function_args(&mut self, args: &[ast::FunctionArg]) -> Vec<FunctionArg> {
        args.iter()
            .map(|arg| FunctionArg {
                name: arg.name.map(|name| self.ident(name)),
                value: self.lower_expr(&arg.value),
            })
            .collect()
    }

    // ---- expressions ----

    fn add(&mut self, kind: ExprKind, span: Span) -> ExprId {
        self.query.add_expr(kind, span)
    }

    fn lower_expr(&mut self, expr: &ast::Expr) -> ExprId {
        let span = expr.span;
        let kind = match &expr.kind {
            ast::ExprKind::Identifier(parts) => {
                let mut idents = self.idents(parts);
                match idents.pop() {
                    Some(name) => ExprKind::Column {
                        qualifier: idents,
                        name,
                    },
                    None => ExprKind::Error,
                }
            }
            ast::ExprKind::Number => {
                let text = self.text(span);
                let name = if text.contains('_') {
                    Name::new(&text.replace('_', ""))
                } else {
                    self.intern(text)
                };
                ExprKind::Literal(Literal::Number(name))
            }
            ast::ExprKind::String(style) => ExprKind::Literal(Literal::String(
                self.string_value(span, *style).into_boxed_str(),
            )),
            ast::ExprKind::Null => ExprKind::Literal(Literal::Null),
            ast::ExprKind::Boolean(value) => ExprKind::Literal(Literal::Boolean(*value)),
            ast::ExprKind::TypedString {
                type_name,
                value,
                style,
            } => ExprKind::Literal(Literal::Typed {
                ty: Box::new(self.hooks.lower_type(type_name, self.source)),
                value: self.string_value(*value, *style).into_boxed_str(),
            }),
            ast::ExprKind::Interval { value, unit } => self.lower_interval(value, *unit),
            ast::ExprKind::Parameter => ExprKind::Parameter(Name::new(self.text(span))),
            ast::ExprKind::Unary { operator, operand } => ExprKind::Unary {
                op: *operator,
                operand: self.lower_expr(operand),
            },
            ast::ExprKind::Binary {
                operator,
                left,
                right,
            } => self.lower_binary(operator, left, right),
            ast::ExprKind::Cast {
                expr,
                type_name,
                syntax,
            } => ExprKind::Cast {
                expr: self.lower_expr(expr),
                target: Box::new(self.hooks.lower_type(type_name, self.source)),
                kind: match syntax {
                    ast::CastSyntax::TryCast | ast::CastSyntax::TryDoubleColon => CastKind::TryCast,
                    ast::CastSyntax::Cast | ast::CastSyntax::DoubleColon => CastKind::Cast,
                },
            },
            ast::ExprKind::Function(call) => ExprKind::Function(Box::new(self.function_call(call))),
            ast::ExprKind::Case {
                operand,
                branches,
                else_result,
            } => {
                let operand = operand.as_ref().map(|operand| self.lower_expr(operand));
                let branches = branches
                    .iter()
                    .map(|(condition, result)| {
                        (self.lower_expr(condition), self.lower_expr(result))
                    })
                    .collect();
                let else_result = else_result.as_ref().map(|result| self.lower_expr(result));
                ExprKind::Case(Box::new(CaseExpr {
                    operand,
                    branches,
                    else_result,
                }))
            }
            ast::ExprKind::InList {
                expr,
                list,
                negated,
            } => ExprKind::InList {
                expr: self.lower_expr(expr),
                list: list.iter().map(|item| self.lower_expr(item)).collect(),
                negated: *negated,
            },
            ast::ExprKind::InSubquery {
                expr,
                query,
                negated,
            } => ExprKind::InSubquery {
                expr: self.lower_expr(expr),
                subquery: self.lower_query(query),
                negated: *negated,
            },
            ast::ExprKind::Exists { query, negated } => ExprKind::Exists {
                subquery: self.lower_query(query),
                negated: *negated,
            },
            ast::ExprKind::Subquery(query) => ExprKind::Subquery(self.lower_query(query)),
            ast::ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => ExprKind::Between {
                expr: self.lower_expr(expr),
                low: self.lower_expr(low),
                high: self.lower_expr(high),
                negated: *negated,
            },
            ast::ExprKind::Pattern {
                operator,
                expr,
                pattern,
                escape,
                negated,
            } => self.lower_pattern(*operator, expr, pattern, escape.as_deref(), *negated, span),
            ast::ExprKind::IsNull { expr, negated } => ExprKind::IsNull {
                expr: self.lower_expr(expr),
                negated: *negated,
            },
            ast::ExprKind::IsBoolean {
                expr,
                value,
                negated,
            } => ExprKind::IsBoolean {
                expr: self.lower_expr(expr),
                value: *value,
                negated: *negated,
            },
            ast::ExprKind::IsJson {
                expr,
                kind,
                negated,
                ..
            } => self.lower_is_json(expr, *kind, *negated, span),
            ast::ExprKind::IsDistinctFrom {
                left,
                right,
                negated,
            } => ExprKind::IsDistinctFrom {
                left: self.lower_expr(left),
                right: self.lower_expr(right),
                negated: *negated,
            },
            ast::ExprKind::Field { expr, field } => ExprKind::Field {
                expr: self.lower_expr(expr),
                field: self.ident(*field),
            },
            // `v:key` reads like `v['key']`: an index by the key's text.
            ast::ExprKind::ColonPath { expr, key } => self.lower_colon_path(expr, *key),
            ast::ExprKind::Index { expr, index } => ExprKind::Index {
                expr: self.lower_expr(expr),
                index: self.lower_expr(index),
            },
            ast::ExprKind::Slice { expr, start, end } => ExprKind::Slice {
                expr: self.lower_expr(expr),
                start: start.as_ref().map(|start| self.lower_expr(start)),
                end: end.as_ref().map(|end| self.lower_expr(end)),
            },
            ast::ExprKind::Array { items, .. } => {
                ExprKind::Array(items.iter().map(|item| self.lower_expr(item)).collect())
            }
            ast::ExprKind::ArraySubquery(query) => {
                let subquery = self.lower_query(query);
                let argument = self.add(ExprKind::Subquery(subquery), span);
                ExprKind::Function(Box::new(self.synthetic_call("array", vec![argument], span)))
            }
            ast::ExprKind::StructLiteral(entries) => ExprKind::Struct(
                entries
                    .iter()
                    .map(|(name, value)| StructEntry {
                        name: Some(self.ident(*name)),
                        value: self.lower_expr(value),
                    })
                    .collect(),
            ),
            ast::ExprKind::Quantified { all, operand } => {
                // Kept as a call the binder recognises by name: `any(...)` / `all(...)`.
                let operand = self.lower_expr(operand);
                let name = if *all { "all" } else { "any" };
                ExprKind::Function(Box::new(self.synthetic_call(name, vec![operand], span)))
            }
            ast::ExprKind::MapLiteral(entries) => self.lower_map_literal(entries, span),
            ast::ExprKind::Unpack(inner) => {
                let inner = self.lower_expr(inner);
                ExprKind::Function(Box::new(self.synthetic_call("unpack", vec![inner], span)))
            }
            ast::ExprKind::Row(items) | ast::ExprKind::Tuple(items) => ExprKind::Struct(
                items
                    .iter()
                    .map(|item| StructEntry {
                        name: None,
                        value: self.lower_expr(item),
                    })
                    .collect(),
            ),
            ast::ExprKind::Parenthesized(inner) => return self.lower_expr(inner),
            ast::ExprKind::Lambda { params, body } => ExprKind::Lambda {
                params: self.idents(params),
                body: self.lower_expr(body),
            },
            ast::ExprKind::Star(star) => ExprKind::Star(Box::new(self.star(star, span))),
            ast::ExprKind::Collate { expr, collation } => {
                let left = self.lower_expr(expr);
                let collation_name = self.ident(*collation).name.as_str().into();
                let right = self.add(
                    ExprKind::Literal(Literal::String(collation_name)),
                    collation.span,
                );
                ExprKind::Binary {
                    op: BinaryOp::Other(Name::new("COLLATE")),
                    left,
                    right,
                }
            }
            ast::ExprKind::AtTimeZone { expr, zone } => {
                // `x AT TIME ZONE z` is `timezone(z, x)` in DuckDB and Postgres.
                let zone = self.lower_expr(zone);
                let value = self.lower_expr(expr);
                ExprKind::Function(Box::new(self.synthetic_call(
                    "timezone",
                    vec![zone, value],
                    span,
                )))
            }
            ast::ExprKind::StarObject(star) => {
                // `{*}` is `OBJECT_CONSTRUCT(*)`.
                let star = self.star(star, span);
                let argument = self.add(ExprKind::Star(Box::new(star)), span);
                ExprKind::Function(Box::new(self.synthetic_call(
                    "object_construct",
                    vec![argument],
                    span,
                )))
            }
            // A relation or model passed by name is no value the IR can
            // type: left unknown, like an expression it cannot read.
            ast::ExprKind::RelationArgument { .. } => ExprKind::Error,
            ast::ExprKind::XmlName(name) => {
                let text: Box<str> = self.ident(*name).name.as_str().into();
                ExprKind::Literal(Literal::String(text))
            }
            ast::ExprKind::PrefixCall { operator, operand } => {
                self.lower_prefix_call(*operator, operand, span)
            }
            ast::ExprKind::Error => ExprKind::Error,
        };
        self.add(kind, span)
    }

    /// `INTERVAL value unit`.
    fn lower_interval(&mut self, value: &ast::Expr, unit: Option<Span>) -> ExprKind {
        let value = self.lower_expr(value);
        // Units are kept singular and lower-case: `DAYS` reads as `day`.
        let unit = unit.map(|unit| {
            let upper = self.text(unit).to_ascii_uppercase();
            let singular = match upper.strip_suffix('S') {
                Some(stem) if self.hooks.is_interval_unit(stem) => stem,
                _ => upper.as_str(),
            };
            Name::new(&singular.to_ascii_lowercase())
        });
        ExprKind::Interval { value, unit }
    }

    fn lower_binary(
        &mut self,
        operator: &BinaryOp,
        left: &ast::Expr,
        right: &ast::Expr,
    ) -> ExprKind {
        // `x IN UNNEST(array)` is membership in the array, as DuckDB's
        // `x IN list`: the IR tests the array itself.
        let membership_array = match (operator, &right.kind) {
            (BinaryOp::Other(name), ast::ExprKind::Function(call))
                if name.as_str() == "IN"
                    && call.args.len() == 1
                    && call.name.parts.len() == 1
                    && self
                        .text(call.name.parts[0].span)
                        .eq_ignore_ascii_case("UNNEST") =>
            {
                Some(&call.args[0].value)
            }
            _ => None,
        };
        ExprKind::Binary {
            op: *operator,
            left: self.lower_expr(left),
            right: self.lower_expr(membership_array.unwrap_or(right)),
        }
    }

    /// `LIKE`, `ILIKE`, `SIMILAR TO`, `GLOB`, possibly negated.
    fn lower_pattern(
        &mut self,
        operator: ast::PatternOperator,
        expr: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&ast::Expr>,
        negated: bool,
        span: Span,
    ) -> ExprKind {
        let expr_id = self.lower_expr(expr);
        let pattern_id = self.lower_expr(pattern);
        let escape = escape.map(|escape| self.lower_expr(escape));
        match operator {
            ast::PatternOperator::Like | ast::PatternOperator::Ilike => ExprKind::Like {
                expr: expr_id,
                pattern: pattern_id,
                escape,
                negated,
                case_insensitive: operator == ast::PatternOperator::Ilike,
            },
            ast::PatternOperator::SimilarTo | ast::PatternOperator::Glob => {
                // The IR keeps these as operators by their spelling.
                let spelling = if operator == ast::PatternOperator::Glob {
                    "GLOB"
                } else {
                    "SIMILAR TO"
                };
                let matched = ExprKind::Binary {
                    op: BinaryOp::Other(Name::new(spelling)),
                    left: expr_id,
                    right: pattern_id,
                };
                if negated {
                    let inner = self.add(matched, span);
                    ExprKind::Unary {
                        op: UnaryOp::Not,
                        operand: inner,
                    }
                } else {
                    matched
                }
            }
        }
    }

    fn lower_is_json(
        &mut self,
        expr: &ast::Expr,
        kind: Option<Span>,
        negated: bool,
        span: Span,
    ) -> ExprKind {
        // `x IS JSON OBJECT` is the operator `IS JSON` with the kind
        // of value as a string (`VALUE` when none is written).
        let value = self.lower_expr(expr);
        let kind_text: Box<str> = kind
            .map(|kind| self.text(kind).to_ascii_uppercase())
            .unwrap_or_else(|| "VALUE".to_string())
            .into();
        let kind_value = self.add(
            ExprKind::Literal(Literal::String(kind_text)),
            kind.unwrap_or(span),
        );
        let test = ExprKind::Binary {
            op: BinaryOp::Other(Name::new("IS JSON")),
            left: value,
            right: kind_value,
        };
        if negated {
            let operand = self.add(test, span);
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            }
        } else {
            test
        }
    }

    fn lower_colon_path(&mut self, expr: &ast::Expr, key: ast::Ident) -> ExprKind {
        // `raw:["item name"]` (Databricks): a double-quoted string key.
        let raw = self.text(key.span);
        let key_text: Box<str> = if !key.quoted && raw.starts_with('"') {
            unquote(raw).into()
        } else {
            self.ident(key).name.as_str().into()
        };
        let key_id = self.add(ExprKind::Literal(Literal::String(key_text)), key.span);
        ExprKind::Index {
            expr: self.lower_expr(expr),
            index: key_id,
        }
    }

    fn lower_map_literal(&mut self, entries: &[(ast::Expr, ast::Expr)], span: Span) -> ExprKind {
        // `MAP {k: v, ...}` is DuckDB's `map([k, ...], [v, ...])`.
        let keys = entries
            .iter()
            .map(|(key, _)| self.lower_expr(key))
            .collect();
        let values = entries
            .iter()
            .map(|(_, value)| self.lower_expr(value))
            .collect();
        let keys = self.add(ExprKind::Array(keys), span);
        let values = self.add(ExprKind::Array(values), span);
        ExprKind::Function(Box::new(self.synthetic_call(
            "map",
            vec![keys, values],
            span,
        )))
    }

    /// A prefix operator the dialect reads as a call (see
    /// `SyntaxHooks::prefix_operator_function`).
    fn lower_prefix_call(&mut self, operator: Span, operand: &ast::Expr, span: Span) -> ExprKind {
        let operand = self.lower_expr(operand);
        let spelling = self.text(operator);
        match self.hooks.prefix_operator_function(spelling) {
            Some(function) => {
                ExprKind::Function(Box::new(self.synthetic_call(function, vec![operand], span)))
            }
            None => ExprKind::Error,
        }
    }

    fn synthetic_call(&self, name: &str, args: Vec<ExprId>, span: Span) -> FunctionCall {
        FunctionCall {
            name: ObjectName {
                parts: vec![Ident {
                    name: Name::new(name),
                    quoted: false,
                    span,
                }],
            },
            args: args
                .into_iter()
                .map(|value| FunctionArg { name: None, value })
                .collect(),
            distinct: false,
            filter: None,
            order_by: Vec::new(),
            within_group: Vec::new(),
            ignore_nulls: None,
            over: None,
            kind: self.function_kind(name),
        }
    }

    fn function_kind(&self, name: &str) -> FunctionKind {
        self.semantics
            .function(name)
            .map(|definition| definition.kind)
            .unwrap_or(FunctionKind::Scalar)
    }

    fn function_call(&mut self, call: &ast::FunctionCall) -> FunctionCall {
        let name = self.object_name(&call.name);
        let mut args = self.function_args(&call.args);
        // `extract(year from d)`: the part is a keyword, not a column.
        let is_extract =
            name.parts.len() == 1 && name.parts[0].name.as_str().eq_ignore_ascii_case("extract");
        if let (true, Some(first)) = (is_extract, args.first_mut()) {
            if let ExprKind::Column {
                qualifier,
                name: part,
            } = &self.query.expr(first.value).kind
            {
                if qualifier.is_empty() {
                    let part_text: Box<str> = part.name.as_str().to_ascii_lowercase().into();
                    let span = part.span;
                    first.value = self.add(ExprKind::Literal(Literal::String(part_text)), span);
                }
            }
        }
        let filter = call.filter.as_ref().map(|filter| self.lower_expr(filter));
        let order_by = self.sort_keys(&call.order_by);
        let within_group = self.sort_keys(&call.within_group);
        let over = call.over.as_ref().map(|spec| self.window_spec(spec));
        let kind = if over.is_some() {
            FunctionKind::Window
        } else {
            let written = name.last().map(|part| part.name.as_str()).unwrap_or("");
            self.function_kind(written)
        };
        FunctionCall {
            name,
            args,
            distinct: call.distinct,
            filter,
            order_by,
            within_group,
            ignore_nulls: call.ignore_nulls,
            over,
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_texts_decode() {
        assert_eq!(unquote("'it''s'"), "it's");
        assert_eq!(unquote("\"a\"\"b\""), "a\"b");
        assert_eq!(unquote("'open"), "open");
        assert_eq!(unescape_backslashes("E'a\\nb\\''"), "a\nb'");
        assert_eq!(dollar_body("$tag$x$y$tag$"), "x$y");
        assert_eq!(dollar_body("$$z$$"), "z");
        assert_eq!(unicode_escaped("U&'d\\0061t'"), "dat");
        assert_eq!(unicode_escaped("U&'d!0061t!+000061' UESCAPE '!'"), "data");
        assert_eq!(unicode_escaped("U&'can''t !!'  uescape '!'"), "can't !");
    }
}
