//! The `SELECT` block: the select list and the clauses after `FROM`
//! (`WHERE`, `GROUP BY`, `HAVING`, `QUALIFY`, `ORDER BY`...).

use super::cursor::CLAUSE_KEYWORDS;
use super::{precedence, NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, TokenKind};
use fusion_ir::diagnostic::closest_name;
use fusion_ir::span::Span;

impl Parser<'_, '_> {
    pub(super) fn parse_select(&mut self) -> Select {
        let start = self.start();
        let mut select = Select {
            distinct: None,
            items: Vec::new(),
            from_first: false,
            from: None,
            where_clause: None,
            group_by: None,
            having: None,
            qualify: None,
            windows: Vec::new(),
            sample: None,
            top: None,
            as_value: None,
            exclude: Vec::new(),
            connect_by: None,
            span: Span::EMPTY,
        };
        if self.at_keyword(Keyword::From) {
            self.advance();
            select.from_first = true;
            select.from = Some(self.parse_table_expr());
        }
        if self.eat_keyword(Keyword::Select) {
            self.recovering = false;
            if self.eat_keyword(Keyword::Distinct) {
                if self.eat_keyword(Keyword::On) {
                    let mut on = Vec::new();
                    if self.expect(TokenKind::LeftParen, "`(`") {
                        on = self.parse_expr_list_until_close();
                    }
                    select.distinct = Some(Distinct::On(on));
                } else {
                    select.distinct = Some(Distinct::Distinct);
                }
            } else {
                self.eat_keyword(Keyword::All);
            }
            if self.hooks.supports_select_top()
                && self.at_contextual_keyword("TOP")
                && matches!(
                    self.peek_nth(1).kind,
                    TokenKind::Number | TokenKind::LeftParen | TokenKind::Parameter
                )
            {
                self.advance();
                select.top = Some(self.parse_expr_bp(precedence::UNARY));
            }
            if self.hooks.supports_select_as_value()
                && self.at_keyword(Keyword::As)
                && (self.nth_is_keyword(1, Keyword::Struct)
                    || self.nth_is_contextual_keyword(1, "VALUE"))
            {
                self.advance();
                select.as_value = Some(self.advance().span);
            }
            self.parse_select_items(&mut select.items);
            if self.at_select_list_exclude() {
                self.advance();
                if self.at(TokenKind::LeftParen) {
                    select.exclude = self.parse_ident_list_in_parens();
                } else {
                    while let Some(column) = self.parse_ident(NameUsage::Column) {
                        select.exclude.push(column);
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                }
            }
        }
        self.parse_select_clauses(&mut select);
        select.span = self.span_from(start);
        select
    }

    pub(super) fn parse_select_items(&mut self, items: &mut Vec<SelectItem>) {
        loop {
            if self.at_select_list_end() {
                if items.is_empty() {
                    self.error_expected("a select item");
                }
                break;
            }
            let item_start = self.start();
            let prefix_alias = self.parse_prefix_alias();
            let expr = self.parse_expr();
            let alias = if prefix_alias.is_some() {
                prefix_alias
            } else if self.eat_keyword(Keyword::As) {
                self.parse_ident(NameUsage::Label)
            } else if self.at_name(NameUsage::BareAlias) && !self.at_select_list_exclude() {
                Some(Self::ident_from(self.advance()))
            } else if self.at(TokenKind::String) {
                // `select 1 'one'`: a string as an alias (DuckDB, Postgres).
                Some(Self::ident_from(self.advance()))
            } else {
                None
            };
            items.push(SelectItem {
                expr,
                alias,
                span: self.span_from(item_start),
            });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
    }

    /// `EXCLUDE (a)` or `EXCLUDE a, b` ending a select list (Redshift); a
    /// bare `EXCLUDE` is an alias.
    pub(super) fn at_select_list_exclude(&self) -> bool {
        self.hooks.supports_select_list_exclude()
            && self.at_keyword(Keyword::Exclude)
            && (self.peek_nth(1).kind == TokenKind::LeftParen
                || self.name_allowed(self.peek_nth(1), NameUsage::Column))
    }

    /// `alias: expr` (DuckDB): the alias and its colon, if written.
    pub(super) fn parse_prefix_alias(&mut self) -> Option<Ident> {
        let is_prefix_alias = self.hooks.supports_prefix_alias()
            && self.at_name(NameUsage::Label)
            && self.peek_nth(1).kind == TokenKind::Colon;
        if !is_prefix_alias {
            return None;
        }
        let alias = Self::ident_from(self.advance());
        self.advance();
        Some(alias)
    }

    /// Where a select list ends; a trailing comma before it is accepted (DuckDB).
    pub(super) fn at_select_list_end(&self) -> bool {
        let token = self.peek();
        match token.kind {
            TokenKind::EndOfInput | TokenKind::Semicolon | TokenKind::RightParen => true,
            TokenKind::Word => {
                CLAUSE_KEYWORDS.contains(token.keyword) && token.keyword != Keyword::Window
            }
            _ => false,
        }
    }

    /// At `START WITH` or `CONNECT BY` of a dialect with hierarchical
    /// queries; neither word is then a table's alias.
    pub(super) fn at_connect_by_clause(&self) -> bool {
        self.hooks.supports_connect_by()
            && ((self.at_contextual_keyword("START") && self.nth_is_keyword(1, Keyword::With))
                || (self.at_contextual_keyword("CONNECT") && self.nth_is_keyword(1, Keyword::By)))
    }

    /// `[START WITH p] CONNECT BY [NOCYCLE] q [, q2 ...]`, in either order.
    fn parse_connect_by(&mut self, select: &mut Select) {
        let start = self.start();
        let mut connect_by = ConnectBy {
            start_with: None,
            conditions: Vec::new(),
            nocycle: false,
            span: Span::EMPTY,
        };
        while self.at_connect_by_clause() {
            let is_start = self.at_contextual_keyword("START");
            self.advance();
            self.advance();
            self.recovering = false;
            if is_start {
                connect_by.start_with = Some(self.parse_expr());
                continue;
            }
            if self.at_contextual_keyword("NOCYCLE") {
                self.advance();
                connect_by.nocycle = true;
            }
            loop {
                connect_by.conditions.push(self.parse_expr());
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
        }
        connect_by.span = self.span_from(start);
        select.connect_by = Some(connect_by);
    }

    pub(super) fn parse_select_clauses(&mut self, select: &mut Select) {
        loop {
            let token = self.peek();
            let keyword = if token.kind == TokenKind::Word {
                token.keyword
            } else {
                Keyword::None
            };
            match keyword {
                Keyword::From if select.from.is_none() => {
                    self.advance();
                    self.recovering = false;
                    select.from = Some(self.parse_table_expr());
                }
                Keyword::Where if select.where_clause.is_none() => {
                    self.advance();
                    self.recovering = false;
                    select.where_clause = Some(self.parse_expr());
                }
                Keyword::Group if select.group_by.is_none() => {
                    select.group_by = Some(self.parse_group_by());
                }
                Keyword::Having if select.having.is_none() => {
                    self.advance();
                    self.recovering = false;
                    select.having = Some(self.parse_expr());
                }
                Keyword::Qualify if select.qualify.is_none() && self.hooks.supports_qualify() => {
                    self.advance();
                    self.recovering = false;
                    select.qualify = Some(self.parse_expr());
                }
                Keyword::Using
                    if select.sample.is_none() && self.nth_is_keyword(1, Keyword::Sample) =>
                {
                    let sample_start = self.start();
                    self.advance();
                    self.advance();
                    self.recovering = false;
                    self.skip_sample_spec();
                    select.sample = Some(self.span_from(sample_start));
                }
                _ if select.from.is_some()
                    && select.connect_by.is_none()
                    && self.at_connect_by_clause() =>
                {
                    self.parse_connect_by(select);
                }
                Keyword::Window if select.windows.is_empty() => {
                    self.advance();
                    self.recovering = false;
                    self.parse_named_windows(&mut select.windows);
                }
                _ => {
                    if self.at_query_end() {
                        return;
                    }
                    let expected = if select.from.is_none() {
                        "`,`, FROM, WHERE, GROUP BY or the end of the query"
                    } else {
                        "`,`, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT or the end of the query"
                    };
                    let reported = !self.recovering;
                    self.error_expected(expected);
                    if reported {
                        self.suggest_misspelt_clause();
                    }
                    let before = self.position;
                    self.skip_to_clause_boundary();
                    if self.position == before {
                        // A clause keyword that may not repeat (a second WHERE).
                        self.advance();
                    }
                }
            }
        }
    }

    /// `select a form t`: the misspelt keyword was read as an alias and the
    /// error lands on the next token. When the word before the error is
    /// close to a clause keyword, the diagnostic says so.
    pub(super) fn suggest_misspelt_clause(&mut self) {
        let Some(previous) = self.position.checked_sub(1).map(|index| self.tokens[index]) else {
            return;
        };
        if previous.kind != TokenKind::Word || previous.keyword != Keyword::None {
            return;
        }
        let word = self.text(previous.span);
        let clauses = [
            "FROM", "WHERE", "GROUP", "HAVING", "QUALIFY", "WINDOW", "ORDER", "LIMIT",
        ];
        if let Some(suggestion) = closest_name(word, clauses) {
            if let Some(diagnostic) = self.diagnostics.last_mut() {
                *diagnostic = diagnostic
                    .clone()
                    .with_secondary(
                        self.file,
                        previous.span,
                        format!("read as an alias; did you mean {suggestion}?"),
                    )
                    .with_help(format!("did you mean {suggestion}?"));
            }
        }
    }

    pub(super) fn parse_group_by(&mut self) -> GroupBy {
        let start = self.start();
        self.advance();
        self.recovering = false;
        self.expect_keyword(Keyword::By);
        if self.hooks.supports_group_by_all() && self.at_keyword(Keyword::All) {
            self.advance();
            return GroupBy {
                all: true,
                elements: Vec::new(),
                span: self.span_from(start),
            };
        }
        let mut elements = Vec::new();
        loop {
            elements.push(self.parse_grouping_element());
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        GroupBy {
            all: false,
            elements,
            span: self.span_from(start),
        }
    }

    pub(super) fn parse_grouping_element(&mut self) -> GroupingElement {
        let start = self.start();
        if self.at(TokenKind::LeftParen) && self.peek_nth(1).kind == TokenKind::RightParen {
            self.advance();
            self.advance();
            return GroupingElement::Empty(self.span_from(start));
        }
        let is_call = self.peek_nth(1).kind == TokenKind::LeftParen;
        if is_call && self.at_keyword(Keyword::Rollup) {
            self.advance();
            let sets = self.parse_grouping_sets_list();
            return GroupingElement::Rollup(sets, self.span_from(start));
        }
        if is_call && self.at_keyword(Keyword::Cube) {
            self.advance();
            let sets = self.parse_grouping_sets_list();
            return GroupingElement::Cube(sets, self.span_from(start));
        }
        if self.at_keyword(Keyword::Grouping) && self.nth_is_keyword(1, Keyword::Sets) {
            self.advance();
            self.advance();
            let sets = self.parse_grouping_sets_list();
            return GroupingElement::GroupingSets(sets, self.span_from(start));
        }
        GroupingElement::Expr(self.parse_expr())
    }

    /// `( set, set, ... )` where a set is `expr`, `(expr, ...)` or `()`.
    pub(super) fn parse_grouping_sets_list(&mut self) -> Vec<Vec<Expr>> {
        let mut sets = Vec::new();
        if !self.expect(TokenKind::LeftParen, "`(`") {
            return sets;
        }
        loop {
            if self.at(TokenKind::LeftParen) {
                self.advance();
                if self.eat(TokenKind::RightParen) {
                    sets.push(Vec::new());
                } else {
                    sets.push(self.parse_expr_list_until_close());
                }
            } else if self.at_keyword(Keyword::Rollup)
                || self.at_keyword(Keyword::Cube)
                || self.at_keyword(Keyword::Grouping) && self.nth_is_keyword(1, Keyword::Sets)
            {
                // Nested grouping constructs are flattened into their sets.
                match self.parse_grouping_element() {
                    GroupingElement::Rollup(inner, _)
                    | GroupingElement::Cube(inner, _)
                    | GroupingElement::GroupingSets(inner, _) => sets.extend(inner),
                    GroupingElement::Expr(expr) => sets.push(vec![expr]),
                    GroupingElement::Empty(_) => sets.push(Vec::new()),
                }
            } else {
                sets.push(vec![self.parse_expr()]);
            }
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect_close_paren();
        sets
    }

    pub(super) fn parse_order_by_clause(&mut self) -> OrderBy {
        let start = self.start();
        self.advance();
        self.recovering = false;
        self.expect_keyword(Keyword::By);
        if self.hooks.supports_by_all() && self.at_keyword(Keyword::All) {
            let key_start = self.start();
            let all_span = self.advance().span;
            let (descending, nulls_first) = self.parse_sort_direction();
            let star = Expr {
                kind: ExprKind::Star(Box::new(Star {
                    qualifier: Vec::new(),
                    exclude: Vec::new(),
                    replace: Vec::new(),
                    rename: Vec::new(),
                    ilike: None,
                })),
                span: all_span,
            };
            return OrderBy {
                all: true,
                keys: vec![OrderKey {
                    expr: star,
                    descending,
                    nulls_first,
                    span: self.span_from(key_start),
                }],
                span: self.span_from(start),
            };
        }
        let keys = self.parse_order_keys();
        OrderBy {
            all: false,
            keys,
            span: self.span_from(start),
        }
    }

    pub(super) fn parse_order_keys(&mut self) -> Vec<OrderKey> {
        let mut keys = Vec::new();
        loop {
            let start = self.start();
            let expr = self.parse_expr();
            let (descending, nulls_first) = self.parse_sort_direction();
            keys.push(OrderKey {
                expr,
                descending,
                nulls_first,
                span: self.span_from(start),
            });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        keys
    }

    pub(super) fn parse_sort_direction(&mut self) -> (bool, Option<bool>) {
        let descending = if self.eat_keyword(Keyword::Desc) {
            true
        } else {
            self.eat_keyword(Keyword::Asc);
            false
        };
        let nulls_first = if self.at_keyword(Keyword::Nulls) {
            self.advance();
            if self.eat_keyword(Keyword::First) {
                Some(true)
            } else if self.eat_keyword(Keyword::Last) {
                Some(false)
            } else {
                self.error_expected("FIRST or LAST");
                None
            }
        } else {
            None
        };
        (descending, nulls_first)
    }
}
