//! Expressions: the precedence-climbing (Pratt) loop and its infix and
//! postfix operators.

use super::cursor::CLAUSE_KEYWORDS;
use super::{precedence, NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, TokenKind};
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, UnaryOp};

impl Parser<'_, '_> {
    pub(super) fn parse_expr(&mut self) -> Expr {
        self.parse_expr_bp(0)
    }

    pub(super) fn parse_expr_list_until_close(&mut self) -> Vec<Expr> {
        let mut list = Vec::new();
        if !self.at(TokenKind::RightParen) {
            loop {
                list.push(self.parse_expr());
                if !self.eat(TokenKind::Comma) || self.at(TokenKind::RightParen) {
                    break;
                }
            }
        }
        self.expect_close_paren();
        list
    }

    pub(super) fn parse_expr_bp(&mut self, min_precedence: u8) -> Expr {
        let start = self.start();
        if !self.enter() {
            return self.error_expr(start);
        }
        let depth_on_entry = self.depth;
        let mut left = self.parse_prefix();
        loop {
            left = match self.parse_infix(left, min_precedence, start) {
                Ok(expr) => expr,
                Err(unchanged) => {
                    left = unchanged;
                    break;
                }
            };
            // Each operator in a chain nests the tree one level deeper.
            if !self.enter_chain_link() {
                self.depth = depth_on_entry;
                self.leave();
                return left;
            }
        }
        self.depth = depth_on_entry;
        self.leave();
        left
    }

    /// One infix or postfix step on `left`, if the next token is an operator
    /// binding at least `min_precedence`. `Ok` continues the loop; `Err`
    /// hands `left` back unchanged because no operator applies.
    pub(super) fn parse_infix(
        &mut self,
        left: Expr,
        min_precedence: u8,
        start: u32,
    ) -> Result<Expr, Expr> {
        let token = self.peek();
        use precedence::*;
        let binary = |operator: BinaryOp, precedence: u8| Some((operator, precedence));
        let simple = match token.kind {
            TokenKind::Plus => binary(BinaryOp::Add, ADDITIVE),
            TokenKind::Minus => binary(BinaryOp::Subtract, ADDITIVE),
            TokenKind::Star => binary(BinaryOp::Multiply, MULTIPLICATIVE),
            TokenKind::Slash => binary(BinaryOp::Divide, MULTIPLICATIVE),
            TokenKind::Percent => binary(BinaryOp::Modulo, MULTIPLICATIVE),
            TokenKind::Concat => binary(BinaryOp::Concat, OTHER),
            TokenKind::Equals | TokenKind::DoubleEquals => binary(BinaryOp::Eq, COMPARISON),
            TokenKind::NotEquals => binary(BinaryOp::NotEq, COMPARISON),
            TokenKind::Less => binary(BinaryOp::Lt, COMPARISON),
            TokenKind::LessEquals => binary(BinaryOp::LtEq, COMPARISON),
            TokenKind::Greater => binary(BinaryOp::Gt, COMPARISON),
            TokenKind::GreaterEquals => binary(BinaryOp::GtEq, COMPARISON),
            TokenKind::Ampersand => binary(BinaryOp::BitwiseAnd, OTHER),
            TokenKind::Pipe => binary(BinaryOp::BitwiseOr, OTHER),
            TokenKind::ShiftLeft => binary(BinaryOp::ShiftLeft, OTHER),
            TokenKind::ShiftRight => binary(BinaryOp::ShiftRight, OTHER),
            TokenKind::Word if token.keyword == Keyword::And => binary(BinaryOp::And, AND),
            TokenKind::Word if token.keyword == Keyword::Or => binary(BinaryOp::Or, OR),
            // `a rlike b`, `(a, b) overlaps (c, d)`: word operators of a dialect.
            TokenKind::Word if token.keyword == Keyword::None => self
                .hooks
                .extra_binary_operator(token.kind, self.text(token.span)),
            TokenKind::Caret
            | TokenKind::DoubleStar
            | TokenKind::DoubleSlash
            | TokenKind::Tilde
            | TokenKind::OtherOperator
            | TokenKind::LongArrow => self
                .hooks
                .extra_binary_operator(token.kind, self.text(token.span))
                .or_else(|| match token.kind {
                    TokenKind::Caret => binary(BinaryOp::Power, POWER),
                    TokenKind::LongArrow | TokenKind::Tilde | TokenKind::OtherOperator => {
                        binary(BinaryOp::Other(Name::new(self.text(token.span))), OTHER)
                    }
                    _ => None,
                }),
            _ => None,
        };
        if let Some((operator, precedence)) = simple {
            if precedence < min_precedence {
                return Err(left);
            }
            // `LIMIT 10%`: a `%` with nothing after it is no modulo.
            if token.kind == TokenKind::Percent && self.operand_cannot_follow(1) {
                return Err(left);
            }
            self.advance();
            let right = self.parse_expr_bp(precedence + 1);
            return Ok(Expr {
                kind: ExprKind::Binary {
                    operator,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span: self.span_from(start),
            });
        }
        match token.kind {
            TokenKind::Arrow => {
                let is_lambda = self.hooks.supports_arrow_lambda()
                    && self.in_call_arguments
                    && lambda_params(&left).is_some();
                if is_lambda {
                    if LAMBDA < min_precedence {
                        return Err(left);
                    }
                    self.advance();
                    let params = lambda_params(&left).unwrap_or_default();
                    let body = self.parse_expr_bp(LAMBDA);
                    return Ok(Expr {
                        kind: ExprKind::Lambda {
                            params,
                            body: Box::new(body),
                        },
                        span: self.span_from(start),
                    });
                }
                if OTHER < min_precedence {
                    return Err(left);
                }
                self.advance();
                let right = self.parse_expr_bp(OTHER + 1);
                Ok(Expr {
                    kind: ExprKind::Binary {
                        operator: BinaryOp::Other(Name::new("->")),
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    span: self.span_from(start),
                })
            }
            // `raw:['price']` (Databricks): a key written in brackets.
            TokenKind::Colon
                if self.hooks.supports_colon_bracket_path()
                    && INDEX >= min_precedence
                    && can_have_path(&left)
                    && self.peek_nth(1).kind == TokenKind::LeftBracket
                    && matches!(
                        self.peek_nth(2).kind,
                        TokenKind::String | TokenKind::QuotedIdent
                    )
                    && self.peek_nth(3).kind == TokenKind::RightBracket =>
            {
                self.advance();
                self.advance();
                let key = Self::ident_from(self.advance());
                self.advance();
                Ok(Expr {
                    kind: ExprKind::ColonPath {
                        expr: Box::new(left),
                        key,
                    },
                    span: self.span_from(start),
                })
            }
            // A clause keyword glued to the colon is a key too: `v:from`.
            TokenKind::Colon
                if self.hooks.supports_colon_path()
                    && INDEX >= min_precedence
                    && can_have_path(&left)
                    && matches!(
                        self.peek_nth(1).kind,
                        TokenKind::Word | TokenKind::QuotedIdent | TokenKind::String
                    )
                    && (!CLAUSE_KEYWORDS.contains(self.peek_nth(1).keyword)
                        || self.peek_nth(1).span.start == token.span.end) =>
            {
                self.advance();
                let key = Self::ident_from(self.advance());
                Ok(Expr {
                    kind: ExprKind::ColonPath {
                        expr: Box::new(left),
                        key,
                    },
                    span: self.span_from(start),
                })
            }
            TokenKind::DoubleColon => {
                if CAST < min_precedence {
                    return Err(left);
                }
                // `x ?:: int` (Databricks): a cast that yields NULL on failure.
                let syntax = if self.text(token.span).starts_with('?') {
                    CastSyntax::TryDoubleColon
                } else {
                    CastSyntax::DoubleColon
                };
                self.advance();
                let type_name = self.parse_type_name();
                Ok(Expr {
                    kind: ExprKind::Cast {
                        expr: Box::new(left),
                        type_name,
                        syntax,
                    },
                    span: self.span_from(start),
                })
            }
            TokenKind::LeftBracket => {
                if INDEX < min_precedence {
                    return Err(left);
                }
                self.advance();
                Ok(self.parse_index_or_slice(left, start))
            }
            TokenKind::Dot => {
                // `(expr).field`, `f(x).field`, `x[1].field`: field access on a value.
                if INDEX < min_precedence || !self.name_allowed(self.peek_nth(1), NameUsage::Label)
                {
                    if self.peek_nth(1).kind == TokenKind::Star {
                        return Err(left);
                    }
                    return Err(left);
                }
                self.advance();
                let field = Self::ident_from(self.advance());
                Ok(Expr {
                    kind: ExprKind::Field {
                        expr: Box::new(left),
                        field,
                    },
                    span: self.span_from(start),
                })
            }
            TokenKind::Word => self.parse_keyword_infix(left, min_precedence, start),
            _ => Err(left),
        }
    }

    /// Whether the token at `offset` ends an expression rather than starting one.
    pub(super) fn operand_cannot_follow(&self, offset: usize) -> bool {
        let token = self.peek_nth(offset);
        match token.kind {
            TokenKind::EndOfInput
            | TokenKind::Semicolon
            | TokenKind::RightParen
            | TokenKind::Comma => true,
            TokenKind::Word => CLAUSE_KEYWORDS.contains(token.keyword),
            _ => false,
        }
    }

    pub(super) fn parse_keyword_infix(
        &mut self,
        left: Expr,
        min_precedence: u8,
        start: u32,
    ) -> Result<Expr, Expr> {
        use precedence::*;
        let token = self.peek();
        match token.keyword {
            Keyword::Is => {
                if IS < min_precedence {
                    return Err(left);
                }
                self.advance();
                let negated = self.eat_keyword(Keyword::Not);
                let kind = if self.eat_keyword(Keyword::Null) {
                    ExprKind::IsNull {
                        expr: Box::new(left),
                        negated,
                    }
                } else if self.eat_keyword(Keyword::True) {
                    ExprKind::IsBoolean {
                        expr: Box::new(left),
                        value: true,
                        negated,
                    }
                } else if self.eat_keyword(Keyword::False) {
                    ExprKind::IsBoolean {
                        expr: Box::new(left),
                        value: false,
                        negated,
                    }
                } else if self.hooks.supports_is_json() && self.at_contextual_keyword("JSON") {
                    self.advance();
                    let kind = self
                        .nth_is_any_contextual_keyword(0, &["VALUE", "SCALAR", "OBJECT", "ARRAY"])
                        .then(|| self.advance().span);
                    // `WITH UNIQUE [KEYS]`, `WITHOUT UNIQUE [KEYS]`, `UNIQUE [KEYS]`.
                    let with = self.at_keyword(Keyword::With) || self.at_keyword(Keyword::Without);
                    let offset = usize::from(with);
                    let unique_follows = self.nth_is_contextual_keyword(offset, "UNIQUE");
                    let mut unique_keys = false;
                    if unique_follows {
                        unique_keys = !self.at_keyword(Keyword::Without);
                        for _ in 0..=offset {
                            self.advance();
                        }
                        self.eat_contextual_keyword("KEYS");
                    }
                    ExprKind::IsJson {
                        expr: Box::new(left),
                        kind,
                        unique_keys,
                        negated,
                    }
                } else if self.at_keyword(Keyword::Distinct) {
                    self.advance();
                    self.expect_keyword(Keyword::From);
                    let right = self.parse_expr_bp(IS + 1);
                    ExprKind::IsDistinctFrom {
                        left: Box::new(left),
                        right: Box::new(right),
                        negated,
                    }
                } else {
                    self.error_expected("NULL, TRUE, FALSE or DISTINCT FROM");
                    return Ok(Expr {
                        kind: ExprKind::Error,
                        span: self.span_from(start),
                    });
                };
                Ok(Expr {
                    kind,
                    span: self.span_from(start),
                })
            }
            Keyword::Isnull | Keyword::Notnull => {
                if IS < min_precedence {
                    return Err(left);
                }
                self.advance();
                Ok(Expr {
                    kind: ExprKind::IsNull {
                        expr: Box::new(left),
                        negated: token.keyword == Keyword::Notnull,
                    },
                    span: self.span_from(start),
                })
            }
            Keyword::Not => {
                let next = self.peek_nth(1);
                let negatable = next.kind == TokenKind::Word
                    && matches!(
                        next.keyword,
                        Keyword::In
                            | Keyword::Between
                            | Keyword::Like
                            | Keyword::Ilike
                            | Keyword::Similar
                            | Keyword::Glob
                    );
                if !negatable || PATTERN < min_precedence {
                    return Err(left);
                }
                self.advance();
                self.parse_pattern_infix(left, true, start)
            }
            Keyword::In | Keyword::Between | Keyword::Like | Keyword::Ilike | Keyword::Glob => {
                if PATTERN < min_precedence {
                    return Err(left);
                }
                self.parse_pattern_infix(left, false, start)
            }
            Keyword::Similar if self.nth_is_keyword(1, Keyword::To) => {
                if PATTERN < min_precedence {
                    return Err(left);
                }
                self.parse_pattern_infix(left, false, start)
            }
            Keyword::At
                if self.nth_is_keyword(1, Keyword::Time)
                    && self.nth_is_keyword(2, Keyword::Zone) =>
            {
                if AT_TIME_ZONE < min_precedence {
                    return Err(left);
                }
                self.advance();
                self.advance();
                self.advance();
                let zone = self.parse_expr_bp(AT_TIME_ZONE + 1);
                Ok(Expr {
                    kind: ExprKind::AtTimeZone {
                        expr: Box::new(left),
                        zone: Box::new(zone),
                    },
                    span: self.span_from(start),
                })
            }
            Keyword::Collate => {
                if COLLATE < min_precedence {
                    return Err(left);
                }
                self.advance();
                let Some(collation) = self.parse_ident(NameUsage::Label) else {
                    return Ok(self.error_expr(start));
                };
                Ok(Expr {
                    kind: ExprKind::Collate {
                        expr: Box::new(left),
                        collation,
                    },
                    span: self.span_from(start),
                })
            }
            _ => Err(left),
        }
    }

    /// `IN`, `BETWEEN`, `LIKE`, `ILIKE`, `GLOB`, `SIMILAR TO`, after an
    /// optional `NOT` already consumed.
    pub(super) fn parse_pattern_infix(
        &mut self,
        left: Expr,
        negated: bool,
        start: u32,
    ) -> Result<Expr, Expr> {
        use precedence::*;
        let keyword = self.advance().keyword;
        let kind = match keyword {
            // `x IN UNNEST(array)` (BigQuery): membership in an array value.
            Keyword::In
                if self.hooks.supports_in_unnest()
                    && self.at_keyword(Keyword::Unnest)
                    && self.peek_nth(1).kind == TokenKind::LeftParen =>
            {
                let call_start = self.start();
                let name = ObjectName {
                    parts: vec![Self::ident_from(self.advance())],
                };
                let array = self.parse_function_call(name, call_start);
                self.membership(left, array, negated, start)
            }
            // `'red' IN tags` (DuckDB): membership in a list value.
            Keyword::In
                if !self.at(TokenKind::LeftParen)
                    && self.hooks.supports_bracket_and_brace_literals() =>
            {
                let collection = self.parse_expr_bp(PATTERN + 1);
                self.membership(left, collection, negated, start)
            }
            Keyword::In => {
                if !self.expect(TokenKind::LeftParen, "`(` after IN") {
                    return Ok(self.error_expr(start));
                }
                if self.paren_starts_query() {
                    let query = self.parse_query();
                    self.expect_close_paren();
                    ExprKind::InSubquery {
                        expr: Box::new(left),
                        query: Box::new(query),
                        negated,
                    }
                } else {
                    let list = self.parse_expr_list_until_close();
                    ExprKind::InList {
                        expr: Box::new(left),
                        list,
                        negated,
                    }
                }
            }
            Keyword::Between => {
                let low = self.parse_expr_bp(PATTERN + 1);
                self.expect_keyword(Keyword::And);
                let high = self.parse_expr_bp(PATTERN + 1);
                ExprKind::Between {
                    expr: Box::new(left),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated,
                }
            }
            _ => {
                let operator = match keyword {
                    Keyword::Like => PatternOperator::Like,
                    Keyword::Ilike => PatternOperator::Ilike,
                    Keyword::Glob => PatternOperator::Glob,
                    _ => {
                        self.expect_keyword(Keyword::To);
                        PatternOperator::SimilarTo
                    }
                };
                let pattern = self.parse_expr_bp(PATTERN + 1);
                let escape = if self.eat_keyword(Keyword::Escape) {
                    Some(Box::new(self.parse_expr_bp(PATTERN + 1)))
                } else {
                    None
                };
                ExprKind::Pattern {
                    operator,
                    expr: Box::new(left),
                    pattern: Box::new(pattern),
                    escape,
                    negated,
                }
            }
        };
        Ok(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    pub(super) fn parse_index_or_slice(&mut self, left: Expr, start: u32) -> Expr {
        let lower = if self.at(TokenKind::Colon) {
            None
        } else {
            Some(Box::new(self.parse_expr()))
        };
        let kind = if self.eat(TokenKind::Colon) {
            let upper = if self.at(TokenKind::RightBracket) || self.at(TokenKind::Colon) {
                None
            } else {
                Some(Box::new(self.parse_expr()))
            };
            // `x[a:b:step]`: the step is read and kept out of the IR.
            if self.eat(TokenKind::Colon) && !self.at(TokenKind::RightBracket) {
                self.parse_expr();
            }
            ExprKind::Slice {
                expr: Box::new(left),
                start: lower,
                end: upper,
            }
        } else {
            match lower {
                Some(index) => ExprKind::Index {
                    expr: Box::new(left),
                    index,
                },
                None => ExprKind::Error,
            }
        };
        self.expect(TokenKind::RightBracket, "`]`");
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    /// `left [NOT] IN collection` where the collection is one value (an
    /// array or list), not a parenthesised list: a binary `IN`, negated by
    /// an outer NOT.
    pub(super) fn membership(
        &self,
        left: Expr,
        collection: Expr,
        negated: bool,
        start: u32,
    ) -> ExprKind {
        let membership = Expr {
            kind: ExprKind::Binary {
                operator: BinaryOp::Other(Name::new("IN")),
                left: Box::new(left),
                right: Box::new(collection),
            },
            span: self.span_from(start),
        };
        if negated {
            ExprKind::Unary {
                operator: UnaryOp::Not,
                operand: Box::new(membership),
            }
        } else {
            membership.kind
        }
    }
}

/// The parameters of a lambda, when `left` can be its parameter list: a
/// single name or a parenthesised list of names.
fn lambda_params(left: &Expr) -> Option<Vec<Ident>> {
    match &left.kind {
        ExprKind::Identifier(parts) if parts.len() == 1 => Some(parts.clone()),
        ExprKind::Parenthesized(inner) => lambda_params(inner),
        ExprKind::Tuple(items) => items
            .iter()
            .map(|item| match &item.kind {
                ExprKind::Identifier(parts) if parts.len() == 1 => Some(parts[0]),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Whether `left` can be followed by a `:key` path: a value, not a literal
/// (`x[1:2]` in a slice keeps its colon).
fn can_have_path(left: &Expr) -> bool {
    matches!(
        left.kind,
        ExprKind::Identifier(_)
            | ExprKind::Field { .. }
            | ExprKind::Index { .. }
            | ExprKind::ColonPath { .. }
            | ExprKind::Function(_)
            | ExprKind::Parenthesized(_)
            | ExprKind::Parameter
    )
}
