//! `FROM`: table references, joins, aliases, table functions, `PIVOT`,
//! `LATERAL VIEW`, samples and time travel.

use super::{NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::hooks::KeywordCategory;
use crate::syntax::token::{Keyword, TokenKind};
use fusion_ir::span::Span;

impl Parser<'_, '_> {
    /// A join keyword of the dialect (`ASOF`, `SEMI`...) before `JOIN`,
    /// which is no alias though the word could be one.
    pub(super) fn at_dialect_join(&self) -> bool {
        let token = self.peek();
        token.kind == TokenKind::Word
            && matches!(
                token.keyword,
                Keyword::Asof | Keyword::Semi | Keyword::Anti | Keyword::Positional
            )
            && self.hooks.supports_join_keyword(token.keyword)
            && (self.nth_is_keyword(1, Keyword::Join) || self.nth_is_keyword(1, Keyword::Left))
    }

    /// `[AS] alias [(c1, c2)]` after a relation, if present.
    pub(super) fn parse_table_alias(&mut self) -> Option<TableAlias> {
        let name = if self.eat_keyword(Keyword::As) {
            self.parse_ident(NameUsage::Label)?
        } else if self.at_name(NameUsage::BareAlias)
            && !self.at_distribution_clause()
            && !self.at_dialect_join()
        {
            Self::ident_from(self.advance())
        } else {
            return None;
        };
        let mut column_types = Vec::new();
        let columns = if self.at(TokenKind::LeftParen) {
            if self.hooks.supports_column_definition_lists() {
                self.parse_column_definitions(&mut column_types)
            } else {
                self.parse_ident_list_in_parens()
            }
        } else {
            Vec::new()
        };
        Some(TableAlias {
            name,
            columns,
            column_types,
        })
    }

    /// `(a, b)` or, with types, `(a int, b text)`: the columns of an alias.
    /// The types are kept only when every column has one.
    pub(super) fn parse_column_definitions(
        &mut self,
        column_types: &mut Vec<TypeName>,
    ) -> Vec<Ident> {
        let mut columns = Vec::new();
        let mut types = Vec::new();
        self.advance();
        while let Some(column) = self.parse_ident(NameUsage::Label) {
            columns.push(column);
            if !matches!(self.peek().kind, TokenKind::Comma | TokenKind::RightParen) {
                types.push(self.parse_type_name());
            }
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect_close_paren();
        if types.len() == columns.len() {
            *column_types = types;
        }
        columns
    }

    /// `WITH ORDINALITY` after a table function, where the dialect has it.
    pub(super) fn eat_with_ordinality(&mut self) -> bool {
        if self.hooks.supports_column_definition_lists()
            && self.at_keyword(Keyword::With)
            && self.nth_is_keyword(1, Keyword::Ordinality)
        {
            self.advance();
            self.advance();
            return true;
        }
        false
    }

    /// Skips the body of a `TABLESAMPLE` or `USING SAMPLE` clause: numbers,
    /// `%`, method names, `ROWS`/`PERCENT`, `REPEATABLE` and parenthesised
    /// groups, up to whatever cannot belong to it.
    pub(super) fn skip_sample_spec(&mut self) {
        loop {
            let token = self.peek();
            match token.kind {
                TokenKind::Number | TokenKind::Percent => {
                    self.advance();
                }
                TokenKind::LeftParen => {
                    self.advance();
                    self.expect_close_paren_skipping();
                }
                // `SAMPLE ROW (10)`: ROW names the method, like BERNOULLI.
                TokenKind::Word
                    if token.keyword == Keyword::None
                        || token.keyword == Keyword::Row
                        || self.hooks.keyword_category(token.keyword)
                            == KeywordCategory::Unreserved =>
                {
                    self.advance();
                }
                _ => return,
            }
        }
    }

    pub(super) fn parse_table_expr(&mut self) -> TableExpr {
        let start = self.start();
        let depth_on_entry = self.depth;
        let mut left = self.parse_table_primary();
        loop {
            // Each join nests the tree one level deeper on the left.
            if !self.enter_chain_link() {
                break;
            }
            if self.eat(TokenKind::Comma) {
                let right = self.parse_table_primary();
                left = TableExpr::Join {
                    operator: JoinOperator::Comma,
                    natural: false,
                    left: Box::new(left),
                    right: Box::new(right),
                    constraint: JoinConstraint::None,
                    span: self.span_from(start),
                };
                continue;
            }
            if self.hooks.supports_lateral_view()
                && self.at_keyword(Keyword::Lateral)
                && self.nth_is_contextual_keyword(1, "VIEW")
            {
                left = self.parse_lateral_view(left, start);
                continue;
            }
            let Some((operator, natural)) = self.parse_join_operator() else {
                break;
            };
            let right = self.parse_table_primary();
            let constraint = if matches!(operator, JoinOperator::AsOf | JoinOperator::AsOfLeft)
                && self.hooks.supports_match_condition()
                && self.at_contextual_keyword("MATCH_CONDITION")
                && self.peek_nth(1).kind == TokenKind::LeftParen
            {
                self.advance();
                self.advance();
                self.recovering = false;
                let condition = self.parse_expr();
                self.expect_close_paren();
                let on = self.eat_keyword(Keyword::On).then(|| self.parse_expr());
                JoinConstraint::MatchCondition { condition, on }
            } else if self.eat_keyword(Keyword::On) {
                self.recovering = false;
                JoinConstraint::On(self.parse_expr())
            } else if self.eat_keyword(Keyword::Using) {
                JoinConstraint::Using(self.parse_ident_list_in_parens())
            } else {
                let needs_constraint = !natural
                    && !matches!(
                        operator,
                        JoinOperator::Cross | JoinOperator::Positional | JoinOperator::Comma
                    );
                let may_omit = (operator == JoinOperator::Inner
                    && self.hooks.inner_join_may_omit_constraint())
                    || (matches!(operator, JoinOperator::Inner | JoinOperator::Left)
                        && self.hooks.unnest_join_may_omit_constraint()
                        && (matches!(right, TableExpr::Unnest { .. })
                            || self.is_array_path_of(&left, &right)));
                if needs_constraint
                    && !may_omit
                    && !self.hooks.supports_join_keyword(Keyword::Using)
                {
                    self.error_expected("ON or USING");
                }
                JoinConstraint::None
            };
            left = TableExpr::Join {
                operator,
                natural,
                left: Box::new(left),
                right: Box::new(right),
                constraint,
                span: self.span_from(start),
            };
        }
        self.depth = depth_on_entry;
        left
    }

    /// Whether `right` is a name whose first part names a table of `left`
    /// (`e.items` after `events as e`): an array path, which a dialect that
    /// joins to UNNEST without ON also joins to without one.
    fn is_array_path_of(&self, left: &TableExpr, right: &TableExpr) -> bool {
        let TableExpr::Named { name, alias: _, .. } = right else {
            return false;
        };
        let [first, _, ..] = name.parts.as_slice() else {
            return false;
        };
        let first = self.text(first.span).trim_matches('`');
        let mut names: Vec<&str> = Vec::new();
        self.range_names(left, &mut names);
        names.iter().any(|name| name.eq_ignore_ascii_case(first))
    }

    /// The names the items of a FROM clause answer to: aliases, or a table's
    /// last name part.
    fn range_names<'t>(&'t self, table: &TableExpr, names: &mut Vec<&'t str>) {
        match table {
            TableExpr::Join { left, right, .. } => {
                self.range_names(left, names);
                self.range_names(right, names);
            }
            TableExpr::Named {
                name, alias: None, ..
            } => names.extend(
                name.parts
                    .last()
                    .map(|part| self.text(part.span).trim_matches('`')),
            ),
            other => {
                let mut other = other.clone();
                if let Some(Some(alias)) = other.alias_mut() {
                    names.push(self.text(alias.name.span).trim_matches('`'));
                }
            }
        }
    }

    /// `LATERAL VIEW [OUTER] f(args) [alias] [AS col, ...]` after `left`: a
    /// lateral join to a generator, left-outer when `OUTER`.
    pub(super) fn parse_lateral_view(&mut self, left: TableExpr, start: u32) -> TableExpr {
        let view_start = self.start();
        self.advance();
        self.advance();
        let outer = self.eat_keyword(Keyword::Outer);
        let name = self.parse_object_name(NameUsage::Label);
        let mut args = Vec::new();
        if self.expect(TokenKind::LeftParen, "`(`") {
            args = self.parse_call_arguments_until_close();
        }
        let table_name = if self.at_name(NameUsage::BareAlias) {
            Some(Self::ident_from(self.advance()))
        } else {
            None
        };
        let mut columns = Vec::new();
        if self.eat_keyword(Keyword::As) {
            while let Some(column) = self.parse_ident(NameUsage::Label) {
                columns.push(column);
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
        }
        let alias = match (table_name, columns.first()) {
            (Some(name), _) => Some(TableAlias {
                name,
                columns,
                column_types: Vec::new(),
            }),
            // Without a table alias the generator is named by its first column.
            (None, Some(first)) => Some(TableAlias {
                name: *first,
                columns,
                column_types: Vec::new(),
            }),
            (None, None) => None,
        };
        let right = TableExpr::Function {
            lateral: true,
            name,
            args,
            with_ordinality: false,
            alias,
            span: self.span_from(view_start),
        };
        TableExpr::Join {
            operator: if outer {
                JoinOperator::Left
            } else {
                JoinOperator::Cross
            },
            natural: false,
            left: Box::new(left),
            right: Box::new(right),
            constraint: JoinConstraint::None,
            span: self.span_from(start),
        }
    }

    /// Reads the join keywords up to and including `JOIN`, if a join starts here.
    pub(super) fn parse_join_operator(&mut self) -> Option<(JoinOperator, bool)> {
        let mut offset = 0;
        let natural = self.nth_is_keyword(0, Keyword::Natural);
        if natural {
            offset += 1;
        }
        let first = self.peek_nth(offset);
        if first.kind != TokenKind::Word {
            return None;
        }
        let outer_then_join = |parser: &Self, at: usize| -> Option<usize> {
            if parser.nth_is_keyword(at, Keyword::Outer)
                && parser.nth_is_keyword(at + 1, Keyword::Join)
            {
                Some(at + 2)
            } else if parser.nth_is_keyword(at, Keyword::Join) {
                Some(at + 1)
            } else {
                None
            }
        };
        let (operator, consumed) = match first.keyword {
            Keyword::Join => (JoinOperator::Inner, offset + 1),
            Keyword::Inner if self.nth_is_keyword(offset + 1, Keyword::Join) => {
                (JoinOperator::Inner, offset + 2)
            }
            Keyword::Left => (JoinOperator::Left, outer_then_join(self, offset + 1)?),
            Keyword::Right => (JoinOperator::Right, outer_then_join(self, offset + 1)?),
            Keyword::Full => (JoinOperator::Full, outer_then_join(self, offset + 1)?),
            Keyword::Cross if self.nth_is_keyword(offset + 1, Keyword::Join) => {
                (JoinOperator::Cross, offset + 2)
            }
            Keyword::Semi | Keyword::Anti | Keyword::Positional
                if self.hooks.supports_join_keyword(first.keyword)
                    && self.nth_is_keyword(offset + 1, Keyword::Join) =>
            {
                let operator = match first.keyword {
                    Keyword::Semi => JoinOperator::Semi,
                    Keyword::Anti => JoinOperator::Anti,
                    _ => JoinOperator::Positional,
                };
                (operator, offset + 2)
            }
            Keyword::Asof if self.hooks.supports_join_keyword(Keyword::Asof) => {
                if self.nth_is_keyword(offset + 1, Keyword::Join) {
                    (JoinOperator::AsOf, offset + 2)
                } else if self.nth_is_keyword(offset + 1, Keyword::Left) {
                    (JoinOperator::AsOfLeft, outer_then_join(self, offset + 2)?)
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        for _ in 0..consumed {
            self.advance();
        }
        self.recovering = false;
        Some((operator, natural))
    }

    pub(super) fn parse_table_primary(&mut self) -> TableExpr {
        let start = self.start();
        if !self.enter() {
            return TableExpr::Error(self.span_from(start));
        }
        let prefix_alias = self.parse_prefix_alias();
        let mut table = self.parse_table_primary_inner(start);
        if let (Some(name), Some(slot)) = (prefix_alias, table.alias_mut()) {
            if slot.is_none() {
                *slot = Some(TableAlias {
                    name,
                    columns: Vec::new(),
                    column_types: Vec::new(),
                });
            }
        }
        while self.hooks.supports_pivot()
            && (self.at_keyword(Keyword::Pivot) || self.at_keyword(Keyword::Unpivot))
            && matches!(
                self.peek_nth(1).kind,
                TokenKind::LeftParen | TokenKind::Word
            )
        {
            table = self.parse_pivot(table, start);
        }
        if self.at_keyword(Keyword::Tablesample)
            || (self.hooks.supports_sample_clause()
                && self.at_keyword(Keyword::Sample)
                && matches!(
                    self.peek_nth(1).kind,
                    TokenKind::LeftParen | TokenKind::Word
                ))
        {
            let sample_start = self.start();
            self.advance();
            self.skip_sample_spec();
            table = TableExpr::Sampled {
                inner: Box::new(table),
                sample: self.span_from(sample_start),
                span: self.span_from(start),
            };
        }
        self.leave();
        table
    }

    /// `PIVOT (agg(x) FOR col IN (...))` or `UNPIVOT [INCLUDE NULLS] (v FOR
    /// col IN (...))` after `inner`, with its alias. The body is kept as a
    /// span: its columns are checked by no pass yet.
    pub(super) fn parse_pivot(&mut self, inner: TableExpr, start: u32) -> TableExpr {
        let unpivot = self.advance().keyword == Keyword::Unpivot;
        // `UNPIVOT INCLUDE NULLS (...)`, `EXCLUDE NULLS`.
        while self.peek().kind == TokenKind::Word && !self.at(TokenKind::LeftParen) {
            if self.nth_is_keyword(0, Keyword::Nulls) {
                self.advance();
                break;
            }
            self.advance();
        }
        let body_start = self.start();
        if self.expect(TokenKind::LeftParen, "`(`") {
            self.expect_close_paren_skipping();
        }
        let body = self.span_from(body_start);
        let alias = self.parse_table_alias();
        TableExpr::Pivot {
            inner: Box::new(inner),
            unpivot,
            body,
            alias,
            span: self.span_from(start),
        }
    }

    pub(super) fn parse_table_primary_inner(&mut self, start: u32) -> TableExpr {
        let lateral = self.eat_keyword(Keyword::Lateral);
        let token = self.peek();
        match token.kind {
            TokenKind::LeftParen => {
                if self.paren_starts_query() {
                    // `((values (1)) as v(id) join t on ...)`: what looks like a
                    // query may be the first relation of a parenthesised join;
                    // read it again as one when no `)` follows the query.
                    let checkpoint = self.checkpoint();
                    self.advance();
                    let query = self.parse_query();
                    let reported = self.diagnostics.len() > checkpoint.diagnostics;
                    if self.at(TokenKind::RightParen) || reported {
                        self.expect_close_paren();
                        let alias = self.parse_table_alias();
                        return TableExpr::Derived {
                            lateral,
                            query: Box::new(query),
                            alias,
                            span: self.span_from(start),
                        };
                    }
                    self.restore(checkpoint);
                }
                self.advance();
                let inner = self.parse_table_expr();
                self.expect_close_paren();
                let alias = self.parse_table_alias();
                return TableExpr::Parenthesized {
                    inner: Box::new(inner),
                    alias,
                    span: self.span_from(start),
                };
            }
            TokenKind::String if self.hooks.supports_file_as_table() => {
                let path = self.advance().span;
                let alias = self.parse_table_alias();
                return TableExpr::File {
                    path,
                    alias,
                    span: self.span_from(start),
                };
            }
            _ => {}
        }
        // `TABLE('name')`, `TABLE($var)`, `TABLE(?)`: a table named at run time.
        if self.hooks.supports_table_literal()
            && self.at_keyword(Keyword::Table)
            && self.peek_nth(1).kind == TokenKind::LeftParen
            && matches!(
                self.peek_nth(2).kind,
                TokenKind::String
                    | TokenKind::DollarString
                    | TokenKind::Parameter
                    | TokenKind::Colon
            )
        {
            self.advance();
            self.advance();
            let target = self.parse_expr();
            self.expect_close_paren();
            let alias = self.parse_table_alias();
            return TableExpr::Indirect {
                target: Box::new(target),
                alias,
                span: self.span_from(start),
            };
        }
        // `TABLE(f(...))`: a table function behind the standard's wrapper.
        if self.at_keyword(Keyword::Table)
            && self.peek_nth(1).kind == TokenKind::LeftParen
            && self.name_allowed(self.peek_nth(2), NameUsage::Label)
        {
            self.advance();
            self.advance();
            let name = self.parse_object_name(NameUsage::Label);
            let mut args = Vec::new();
            if self.expect(TokenKind::LeftParen, "`(`") {
                args = self.parse_call_arguments_until_close();
            }
            self.expect_close_paren();
            let alias = self.parse_table_alias();
            return TableExpr::Function {
                lateral,
                name,
                args,
                with_ordinality: false,
                alias,
                span: self.span_from(start),
            };
        }
        if self.at_keyword(Keyword::Values) {
            let values = self.parse_values();
            let alias = self.parse_table_alias();
            return TableExpr::Values {
                values,
                alias,
                span: self.span_from(start),
            };
        }
        if self.at_keyword(Keyword::Unnest) && self.peek_nth(1).kind == TokenKind::LeftParen {
            self.advance();
            self.advance();
            let args = self.parse_expr_list_until_close();
            let with_ordinality = if self.at_keyword(Keyword::With)
                && (self.nth_is_keyword(1, Keyword::Ordinality)
                    || self.nth_is_keyword(1, Keyword::Offset))
            {
                self.advance();
                self.advance();
                true
            } else {
                false
            };
            let mut alias = self.parse_table_alias();
            let mut with_ordinality = with_ordinality;
            // BigQuery: `UNNEST(x) AS v WITH OFFSET [AS] pos`.
            if !with_ordinality
                && self.at_keyword(Keyword::With)
                && self.nth_is_keyword(1, Keyword::Offset)
            {
                self.advance();
                self.advance();
                with_ordinality = true;
                let offset_alias = self.parse_table_alias();
                if let (Some(alias), Some(offset_alias)) = (alias.as_mut(), offset_alias) {
                    alias.columns.push(offset_alias.name);
                }
            }
            return TableExpr::Unnest {
                args,
                alias,
                with_ordinality,
                span: self.span_from(start),
            };
        }
        if !self.at_name(NameUsage::Column) && !self.at_name(NameUsage::Function) {
            self.error_expected("a table name, a subquery or a table function");
            return TableExpr::Error(Span::new(start, start));
        }
        // `ROWS FROM (f(x) AS a(c int), g(y)) WITH ORDINALITY` (Postgres).
        if self.hooks.supports_column_definition_lists()
            && self.at_keyword(Keyword::Rows)
            && self.nth_is_keyword(1, Keyword::From)
            && self.peek_nth(2).kind == TokenKind::LeftParen
        {
            self.advance();
            self.advance();
            self.advance();
            let mut functions = Vec::new();
            loop {
                let function_start = self.start();
                let name = self.parse_object_name(NameUsage::Label);
                let mut args = Vec::new();
                if self.expect(TokenKind::LeftParen, "`(`") {
                    args = self.parse_call_arguments_until_close();
                }
                let alias = self.parse_table_alias();
                functions.push(TableExpr::Function {
                    lateral: false,
                    name,
                    args,
                    with_ordinality: false,
                    alias,
                    span: self.span_from(function_start),
                });
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            self.expect_close_paren();
            let with_ordinality = self.eat_with_ordinality();
            let alias = self.parse_table_alias();
            return TableExpr::RowsFrom {
                functions,
                with_ordinality,
                alias,
                span: self.span_from(start),
            };
        }
        let name = self.parse_table_name();
        if self.at(TokenKind::LeftParen) {
            self.advance();
            let args = self.parse_table_function_arguments_until_close();
            let with_ordinality = self.eat_with_ordinality();
            let alias = self.parse_table_alias();
            return TableExpr::Function {
                lateral,
                name,
                args,
                with_ordinality,
                alias,
                span: self.span_from(start),
            };
        }
        let mut points = Vec::new();
        let mut clause = self.parse_time_travel(&mut points);
        let alias = self.parse_table_alias();
        if clause.is_none() {
            clause = self.parse_time_travel(&mut points);
        }
        let named = TableExpr::Named {
            name,
            alias,
            span: self.span_from(start),
        };
        match clause {
            Some(clause) => TableExpr::TimeTravel {
                inner: Box::new(named),
                clause,
                points,
                span: self.span_from(start),
            },
            None => named,
        }
    }

    /// A table's name in FROM: dotted, and with dashes where the dialect
    /// allows them (`my-project.dataset.table`).
    pub(super) fn parse_table_name(&mut self) -> ObjectName {
        if !self.hooks.supports_dashed_table_names() {
            return self.parse_object_name(NameUsage::Label);
        }
        let mut parts = Vec::new();
        loop {
            if !self.at_name(NameUsage::Label) {
                if parts.is_empty() {
                    self.error_expected("an identifier");
                }
                break;
            }
            let first = self.advance();
            let mut span = first.span;
            let mut ended_by_dot = false;
            // `my-project`, `x-0`: dashes glued to their neighbours, no spaces.
            while first.kind != TokenKind::QuotedIdent
                && self.at(TokenKind::Minus)
                && self.start() == span.end
            {
                let dash = self.peek();
                let piece = self.peek_nth(1);
                if piece.span.start != dash.span.end
                    || !matches!(piece.kind, TokenKind::Word | TokenKind::Number)
                {
                    break;
                }
                self.advance();
                self.advance();
                // `x-0.y`: the number swallowed the dot that separates parts.
                if piece.kind == TokenKind::Number && self.text(piece.span).ends_with('.') {
                    span = Span::new(span.start, piece.span.end - 1);
                    ended_by_dot = true;
                    break;
                }
                span = Span::new(span.start, piece.span.end);
                // `my-2nd`: a number and the word glued to it.
                while self.peek().kind == TokenKind::Word && self.start() == span.end {
                    span = Span::new(span.start, self.advance().span.end);
                }
            }
            parts.push(Ident {
                span,
                quoted: first.kind == TokenKind::QuotedIdent,
            });
            if ended_by_dot {
                continue;
            }
            if self.at(TokenKind::Dot) && self.name_allowed(self.peek_nth(1), NameUsage::Label) {
                self.advance();
                continue;
            }
            break;
        }
        ObjectName { parts }
    }

    /// A time-travel clause after a table's name, if one starts here; its
    /// expressions go to `points`.
    pub(super) fn parse_time_travel(&mut self, points: &mut Vec<Expr>) -> Option<Span> {
        let syntax = self.hooks.time_travel();
        let start = self.start();
        if syntax.at_before {
            // `AT (TIMESTAMP => x)`, `BEFORE (STATEMENT => id)`,
            // `CHANGES (INFORMATION => DEFAULT) AT (...) END (...)`.
            let mut found = false;
            loop {
                let _token = self.peek();
                let is_clause = self.peek_nth(1).kind == TokenKind::LeftParen
                    && self.name_allowed(self.peek_nth(2), NameUsage::Label)
                    && self.peek_nth(3).kind == TokenKind::FatArrow
                    && self.nth_is_any_contextual_keyword(0, &["AT", "BEFORE", "CHANGES", "END"]);
                if !is_clause {
                    break;
                }
                self.advance();
                self.advance();
                self.advance();
                self.advance();
                points.push(self.parse_expr());
                self.expect_close_paren();
                found = true;
            }
            if found {
                return Some(self.span_from(start));
            }
        }
        if syntax.as_of
            && self.nth_is_any_contextual_keyword(0, &["TIMESTAMP", "VERSION"])
            && self.nth_is_keyword(1, Keyword::As)
            && self.nth_is_contextual_keyword(2, "OF")
        {
            self.advance();
            self.advance();
            self.advance();
            points.push(self.parse_expr());
            return Some(self.span_from(start));
        }
        if syntax.for_system_time
            && self.at_keyword(Keyword::For)
            && self.nth_is_contextual_keyword(1, "SYSTEM_TIME")
            && self.nth_is_keyword(2, Keyword::As)
            && self.nth_is_contextual_keyword(3, "OF")
        {
            for _ in 0..4 {
                self.advance();
            }
            points.push(self.parse_expr());
            return Some(self.span_from(start));
        }
        None
    }
}
