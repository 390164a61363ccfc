//! Function calls and their arguments: named, variadic, relation
//! arguments, aggregate modifiers (`DISTINCT`, `ORDER BY`, `FILTER`, `OVER`).

use super::{precedence, NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, TokenKind};

impl Parser<'_, '_> {
    /// `name(` has been read up to the name; reads the arguments and what
    /// may follow the call (`WITHIN GROUP`, `FILTER`, `OVER`).
    pub(super) fn parse_function_call(&mut self, name: ObjectName, start: u32) -> Expr {
        self.advance();
        let function_name = name
            .parts
            .last()
            .map(|part| self.text(part.span).to_ascii_lowercase())
            .unwrap_or_default();
        let mut call = FunctionCall {
            name,
            args: Vec::new(),
            distinct: false,
            order_by: Vec::new(),
            within_group: Vec::new(),
            filter: None,
            ignore_nulls: None,
            nulls_inside: false,
            limit: None,
            having_bound: None,
            over: None,
        };
        if self.eat_keyword(Keyword::Distinct) {
            call.distinct = true;
        } else if self.at_keyword(Keyword::All)
            && !matches!(
                self.peek_nth(1).kind,
                TokenKind::RightParen | TokenKind::Comma
            )
        {
            self.advance();
        }
        let outer_in_call = self.in_call_arguments;
        self.in_call_arguments = true;
        if !self.at(TokenKind::RightParen) {
            loop {
                if self.at_keyword(Keyword::Order) && self.nth_is_keyword(1, Keyword::By) {
                    break;
                }
                let argument = self.parse_call_argument(&function_name);
                call.args.push(argument);
                // Keyword-separated arguments: `extract(year from d)`,
                // `substring(s from 2 for 3)`, `trim(both 'x' from s)`.
                let separated = self.eat(TokenKind::Comma)
                    || (self.hooks.has_keyword_separated_arguments(&function_name)
                        && (self.eat_keyword(Keyword::From)
                            || self.eat_keyword(Keyword::For)
                            || self.eat_keyword(Keyword::In)
                            || self.eat_contextual_keyword("PLACING")));
                if !separated || self.at(TokenKind::RightParen) {
                    break;
                }
            }
        }
        // `array_agg(x ignore nulls order by x)`: before or after the order.
        if (self.at_keyword(Keyword::Ignore) || self.at_keyword(Keyword::Respect))
            && self.nth_is_keyword(1, Keyword::Nulls)
        {
            call.ignore_nulls = Some(self.advance().keyword == Keyword::Ignore);
            call.nulls_inside = true;
            self.advance();
        }
        if self.at_keyword(Keyword::Order) && self.nth_is_keyword(1, Keyword::By) {
            self.advance();
            self.advance();
            call.order_by = self.parse_order_keys();
        }
        if (self.at_keyword(Keyword::Ignore) || self.at_keyword(Keyword::Respect))
            && self.nth_is_keyword(1, Keyword::Nulls)
        {
            call.ignore_nulls = Some(self.advance().keyword == Keyword::Ignore);
            call.nulls_inside = true;
            self.advance();
        }
        // BigQuery's aggregate clauses: `array_agg(x limit 10)`,
        // `any_value(x having max y)`. They bound or choose rows but add no
        // column.
        if self.at_keyword(Keyword::Limit) {
            self.advance();
            call.limit = Some(Box::new(self.parse_expr()));
        }
        if self.at_keyword(Keyword::Having)
            && self.nth_is_any_contextual_keyword(1, &["MAX", "MIN"])
        {
            self.advance();
            let word = self.advance().span;
            let max = self.text(word).eq_ignore_ascii_case("max");
            call.having_bound = Some(AggregateHaving {
                max,
                value: Box::new(self.parse_expr()),
            });
        }
        self.in_call_arguments = outer_in_call;
        self.expect_close_paren();
        if self.at_keyword(Keyword::Within) && self.nth_is_keyword(1, Keyword::Group) {
            self.advance();
            self.advance();
            if self.expect(TokenKind::LeftParen, "`(`") {
                self.expect_keyword(Keyword::Order);
                self.expect_keyword(Keyword::By);
                call.within_group = self.parse_order_keys();
                self.expect_close_paren();
            }
        }
        if self.at_keyword(Keyword::Filter) && self.peek_nth(1).kind == TokenKind::LeftParen {
            self.advance();
            self.advance();
            self.eat_keyword(Keyword::Where);
            call.filter = Some(Box::new(self.parse_expr()));
            self.expect_close_paren();
        }
        if (self.at_keyword(Keyword::Ignore) || self.at_keyword(Keyword::Respect))
            && self.nth_is_keyword(1, Keyword::Nulls)
        {
            call.ignore_nulls = Some(self.advance().keyword == Keyword::Ignore);
            self.advance();
        }
        if self.at_keyword(Keyword::Over) {
            self.advance();
            if self.at(TokenKind::LeftParen) {
                call.over = Some(self.parse_window_spec_in_parens());
            } else {
                let window_start = self.start();
                let base = self.parse_ident(NameUsage::Label);
                call.over = Some(WindowSpec {
                    base,
                    partition_by: Vec::new(),
                    order_by: Vec::new(),
                    frame: None,
                    span: self.span_from(window_start),
                });
            }
        }
        self.finish(ExprKind::Function(Box::new(call)), start)
    }

    pub(super) fn parse_call_argument(&mut self, function_name: &str) -> FunctionArg {
        let token = self.peek();
        let next = self.peek_nth(1);
        if self.name_allowed(token, NameUsage::Label)
            && matches!(next.kind, TokenKind::ColonEquals | TokenKind::FatArrow)
        {
            self.advance();
            self.advance();
            return FunctionArg {
                name: Some(Self::ident_from(token)),
                value: self.parse_expr(),
                variadic: false,
            };
        }
        let start = self.start();
        // `ml.predict(model d.m, table d.t)`: a model or a relation by name.
        if self.hooks.supports_relation_arguments()
            && (token.is_keyword(Keyword::Table) || self.at_contextual_keyword("MODEL"))
            && self.name_allowed(next, NameUsage::Column)
        {
            let keyword = self.advance().span;
            let name = self.parse_table_name();
            return FunctionArg {
                name: None,
                value: self.finish(ExprKind::RelationArgument { keyword, name }, start),
                variadic: false,
            };
        }
        // `xmlelement(name item, ...)`: the element's name, not a column.
        if self.hooks.supports_sql_xml()
            && function_name == "xmlelement"
            && self.at_contextual_keyword("NAME")
            && self.name_allowed(next, NameUsage::Label)
        {
            self.advance();
            let element = Self::ident_from(self.advance());
            return FunctionArg {
                name: None,
                value: self.finish(ExprKind::XmlName(element), start),
                variadic: false,
            };
        }
        let variadic = self.hooks.supports_variadic_arguments()
            && self.at_contextual_keyword("VARIADIC")
            && !matches!(next.kind, TokenKind::Comma | TokenKind::RightParen);
        if variadic {
            self.advance();
        }
        // `position(a in b)`: the first argument stops before IN.
        let value = if function_name == "position" {
            self.parse_expr_bp(precedence::PATTERN + 1)
        } else if function_name == "trim"
            && (self.at_keyword(Keyword::Both)
                || self.at_keyword(Keyword::Leading)
                || self.at_keyword(Keyword::Trailing))
        {
            let side = self.advance();
            if self.at_keyword(Keyword::From) {
                Expr {
                    kind: ExprKind::Identifier(vec![Self::ident_from(side)]),
                    span: side.span,
                }
            } else {
                self.parse_expr()
            }
        } else {
            self.parse_expr()
        };
        // `struct(1 as a)`: the alias names the field, like a named argument.
        if self.hooks.allows_aliased_arguments(function_name) && self.at_keyword(Keyword::As) {
            self.advance();
            let name = self.parse_ident(NameUsage::Label);
            return FunctionArg {
                name,
                value,
                variadic,
            };
        }
        FunctionArg {
            name: None,
            value,
            variadic,
        }
    }

    /// Arguments of a table function in FROM, after its `(`: call
    /// arguments, plus `name = value` where the dialect names them so (see
    /// `SyntaxHooks::supports_equals_named_table_arguments`).
    pub(super) fn parse_table_function_arguments_until_close(&mut self) -> Vec<FunctionArg> {
        let equals_named = self.hooks.supports_equals_named_table_arguments();
        self.parse_arguments_until_close(equals_named)
    }

    /// Arguments of a call, after its `(`.
    pub(super) fn parse_call_arguments_until_close(&mut self) -> Vec<FunctionArg> {
        self.parse_arguments_until_close(false)
    }

    pub(super) fn parse_arguments_until_close(&mut self, equals_named: bool) -> Vec<FunctionArg> {
        let mut args = Vec::new();
        let outer_in_call = self.in_call_arguments;
        self.in_call_arguments = true;
        if !self.at(TokenKind::RightParen) {
            loop {
                let token = self.peek();
                if equals_named
                    && self.name_allowed(token, NameUsage::Label)
                    && self.peek_nth(1).kind == TokenKind::Equals
                {
                    self.advance();
                    self.advance();
                    args.push(FunctionArg {
                        name: Some(Self::ident_from(token)),
                        value: self.parse_expr(),
                        variadic: false,
                    });
                } else {
                    args.push(self.parse_call_argument(""));
                }
                if !self.eat(TokenKind::Comma) || self.at(TokenKind::RightParen) {
                    break;
                }
            }
        }
        self.in_call_arguments = outer_in_call;
        self.expect_close_paren();
        args
    }
}
