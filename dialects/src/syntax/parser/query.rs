//! Queries: `WITH`, set operations (`UNION`...), `VALUES`, and the
//! `ORDER BY`/`LIMIT` tail of a query.

use super::{NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, TokenKind};
use fusion_ir::span::Span;

impl Parser<'_, '_> {
    pub(super) fn parse_query(&mut self) -> Query {
        let start = self.start();
        if !self.enter() {
            let span = self.span_from(start);
            return Query {
                with: None,
                body: SetExpr::Error(span),
                order_by: None,
                limit: None,
                limit_percent: false,
                offset: None,
                distribution: Vec::new(),
                span,
            };
        }
        let with = if self.at_keyword(Keyword::With) {
            Some(self.parse_with())
        } else {
            None
        };
        let body = self.parse_set_expr(0);
        let mut order_by = None;
        let mut limit = None;
        let mut limit_percent = false;
        let mut offset = None;
        let mut distribution = Vec::new();
        loop {
            if self.at_distribution_clause() {
                let clause_start = self.start();
                let keyword = self.advance().span;
                self.advance();
                self.recovering = false;
                let keys = self.parse_order_keys();
                distribution.push(Distribution {
                    keyword,
                    keys,
                    span: self.span_from(clause_start),
                });
            } else if self.at_keyword(Keyword::Order) && order_by.is_none() {
                order_by = Some(self.parse_order_by_clause());
            } else if self.at_keyword(Keyword::Limit) && limit.is_none() {
                self.advance();
                self.recovering = false;
                if self.eat_keyword(Keyword::All) {
                    continue;
                }
                let value = self.parse_expr();
                limit_percent =
                    self.eat(TokenKind::Percent) || self.eat_contextual_keyword("PERCENT");
                limit = Some(value);
            } else if self.at_keyword(Keyword::Offset) && offset.is_none() {
                self.advance();
                self.recovering = false;
                offset = Some(self.parse_expr());
                if self.at_keyword(Keyword::Rows) || self.at_keyword(Keyword::Row) {
                    self.advance();
                }
            } else if self.at_keyword(Keyword::Fetch) && limit.is_none() {
                // `FETCH FIRST|NEXT n ROW|ROWS ONLY|WITH TIES`: the standard LIMIT.
                self.advance();
                self.recovering = false;
                if !self.eat_keyword(Keyword::First) && !self.eat_contextual_keyword("NEXT") {
                    self.error_expected("FIRST or NEXT");
                }
                if !self.at_keyword(Keyword::Row) && !self.at_keyword(Keyword::Rows) {
                    limit = Some(self.parse_expr());
                }
                if !self.eat_keyword(Keyword::Rows) && !self.eat_keyword(Keyword::Row) {
                    self.error_expected("ROW or ROWS");
                }
                if self.at_keyword(Keyword::With) && self.nth_is_keyword(1, Keyword::Ties) {
                    self.advance();
                    self.advance();
                } else {
                    self.expect_keyword(Keyword::Only);
                }
            } else {
                break;
            }
        }
        self.leave();
        Query {
            with,
            body,
            order_by,
            limit,
            limit_percent,
            offset,
            distribution,
            span: self.span_from(start),
        }
    }

    /// `CLUSTER BY`, `DISTRIBUTE BY` or `SORT BY` (Spark) starts here.
    pub(super) fn at_distribution_clause(&self) -> bool {
        self.hooks.supports_distribution_clauses()
            && self.nth_is_keyword(1, Keyword::By)
            && self.nth_is_any_contextual_keyword(0, &["CLUSTER", "DISTRIBUTE", "SORT"])
    }

    pub(super) fn parse_with(&mut self) -> With {
        let start = self.start();
        self.advance();
        let recursive = self.eat_keyword(Keyword::Recursive);
        let mut ctes = Vec::new();
        loop {
            let cte_start = self.start();
            // `WITH 'x' AS (...)`: DuckDB accepts a string as the name.
            let name = if self.at(TokenKind::String) {
                Some(Self::ident_from(self.advance()))
            } else {
                self.parse_ident(NameUsage::Label)
            };
            let Some(name) = name else {
                self.skip_to_clause_boundary();
                break;
            };
            let columns = if self.at(TokenKind::LeftParen) {
                self.parse_ident_list_in_parens()
            } else {
                Vec::new()
            };
            let using_key =
                if self.at_keyword(Keyword::Using) && self.nth_is_contextual_keyword(1, "KEY") {
                    self.advance();
                    self.advance();
                    self.parse_ident_list_in_parens()
                } else {
                    Vec::new()
                };
            self.expect_keyword(Keyword::As);
            let materialized = if self.eat_keyword(Keyword::Materialized) {
                Some(true)
            } else if self.at_keyword(Keyword::Not) && self.nth_is_keyword(1, Keyword::Materialized)
            {
                self.advance();
                self.advance();
                Some(false)
            } else {
                None
            };
            let query_start = self.start();
            let query = if self.expect(TokenKind::LeftParen, "`(` and the CTE's query") {
                let query = self.parse_query();
                self.expect_close_paren();
                query
            } else {
                self.skip_to_clause_boundary();
                let span = self.span_from(query_start);
                Query {
                    with: None,
                    body: SetExpr::Error(span),
                    order_by: None,
                    limit: None,
                    limit_percent: false,
                    offset: None,
                    distribution: Vec::new(),
                    span,
                }
            };
            ctes.push(Cte {
                name,
                columns,
                using_key,
                materialized,
                query: Box::new(query),
                span: self.span_from(cte_start),
            });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        With {
            recursive,
            ctes,
            span: self.span_from(start),
        }
    }

    /// Set operations: `INTERSECT` binds tighter than `UNION` and `EXCEPT`,
    /// all left-associative.
    pub(super) fn parse_set_expr(&mut self, min_precedence: u8) -> SetExpr {
        let start = self.start();
        let depth_on_entry = self.depth;
        let mut left = self.parse_set_operand();
        loop {
            let (operator, precedence) = match self.peek().keyword {
                Keyword::Union if self.peek().kind == TokenKind::Word => (SetOperator::Union, 1),
                Keyword::Except if self.peek().kind == TokenKind::Word => (SetOperator::Except, 1),
                Keyword::Intersect if self.peek().kind == TokenKind::Word => {
                    (SetOperator::Intersect, 2)
                }
                Keyword::None
                    if self.peek().kind == TokenKind::Word
                        && self.hooks.is_except_synonym(
                            &self.text(self.peek().span).to_ascii_uppercase(),
                        ) =>
                {
                    (SetOperator::Except, 1)
                }
                _ => break,
            };
            if precedence < min_precedence {
                break;
            }
            self.advance();
            self.recovering = false;
            let quantifier = if self.eat_keyword(Keyword::All) {
                SetQuantifier::All
            } else if self.eat_keyword(Keyword::Distinct) {
                SetQuantifier::Distinct
            } else {
                SetQuantifier::None
            };
            let by_name = if self.at_keyword(Keyword::By) && self.nth_is_keyword(1, Keyword::Name) {
                self.advance();
                self.advance();
                true
            } else {
                false
            };
            if !self.enter() {
                break;
            }
            let right = self.parse_set_expr(precedence + 1);
            self.leave();
            // Each operation nests the tree one level deeper on the left;
            // past the budget the rest of the statement is skipped and the
            // loop ends at its `;`.
            self.enter_chain_link();
            left = SetExpr::SetOperation {
                operator,
                quantifier,
                by_name,
                left: Box::new(left),
                right: Box::new(right),
                span: self.span_from(start),
            };
        }
        self.depth = depth_on_entry;
        left
    }

    pub(super) fn parse_set_operand(&mut self) -> SetExpr {
        let token = self.peek();
        match (token.kind, token.keyword) {
            (TokenKind::Word, Keyword::Select) => SetExpr::Select(Box::new(self.parse_select())),
            (TokenKind::Word, Keyword::From) if self.hooks.supports_from_first() => {
                SetExpr::Select(Box::new(self.parse_select()))
            }
            (TokenKind::Word, Keyword::Values) => {
                let values = self.parse_values();
                let alias = if self.hooks.values_query_takes_alias() {
                    self.parse_table_alias()
                } else {
                    None
                };
                SetExpr::Values(values, alias)
            }
            (TokenKind::LeftParen, _) => {
                self.advance();
                let query = self.parse_query();
                self.expect_close_paren();
                SetExpr::Parenthesized(Box::new(query))
            }
            _ => {
                self.error_expected("SELECT, VALUES or a parenthesised query");
                let span = Span::new(token.span.start, token.span.start);
                SetExpr::Error(span)
            }
        }
    }

    pub(super) fn parse_values(&mut self) -> Values {
        let start = self.start();
        self.advance();
        let mut rows = Vec::new();
        loop {
            if !self.expect(TokenKind::LeftParen, "`(` and a row of values") {
                break;
            }
            let mut row = Vec::new();
            if !self.at(TokenKind::RightParen) {
                loop {
                    row.push(self.parse_expr());
                    if !self.eat(TokenKind::Comma) || self.at(TokenKind::RightParen) {
                        break;
                    }
                }
            }
            self.expect_close_paren();
            rows.push(row);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        Values {
            rows,
            span: self.span_from(start),
        }
    }

    pub(super) fn at_query_end(&self) -> bool {
        if self.at_distribution_clause() {
            return true;
        }
        let token = self.peek();
        match token.kind {
            TokenKind::EndOfInput | TokenKind::Semicolon | TokenKind::RightParen => true,
            TokenKind::Word => {
                matches!(
                    token.keyword,
                    Keyword::Union
                        | Keyword::Intersect
                        | Keyword::Except
                        | Keyword::Order
                        | Keyword::Limit
                        | Keyword::Offset
                        | Keyword::Fetch
                ) || (token.keyword == Keyword::None
                    && self
                        .hooks
                        .is_except_synonym(&self.text(token.span).to_ascii_uppercase()))
            }
            _ => false,
        }
    }

    /// After `(` in FROM or an expression: does a query follow (possibly
    /// behind more parentheses)?
    pub(super) fn paren_starts_query(&self) -> bool {
        let mut offset = 0;
        while self.peek_nth(offset).kind == TokenKind::LeftParen {
            offset += 1;
        }
        let token = self.peek_nth(offset);
        token.kind == TokenKind::Word
            && match token.keyword {
                Keyword::Select | Keyword::With | Keyword::Values => true,
                Keyword::From => self.hooks.supports_from_first(),
                _ => false,
            }
    }

    pub(super) fn nth_starts_query(&self, offset: usize) -> bool {
        let token = self.peek_nth(offset);
        token.kind == TokenKind::Word
            && matches!(
                token.keyword,
                Keyword::Select | Keyword::With | Keyword::Values
            )
    }
}
