//! Primary expressions: literals, names, parenthesised groups, `CASE`,
//! `INTERVAL`, `*` with its modifiers, and the keyword-led special forms.

use super::{precedence, NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, Token, TokenKind};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::query::{BinaryOp, UnaryOp};
use fusion_ir::span::Span;

impl Parser<'_, '_> {
    pub(super) fn parse_prefix(&mut self) -> Expr {
        let start = self.start();
        let token = self.peek();
        let kind = match token.kind {
            TokenKind::Number => {
                self.advance();
                self.check_number(token.span);
                ExprKind::Number
            }
            TokenKind::String => {
                self.advance();
                // `U&'d!0061t' UESCAPE '!'`: the escape character of a
                // Unicode string, part of the literal.
                let text = self.text(token.span);
                if (text.starts_with("U&") || text.starts_with("u&"))
                    && self.at_contextual_keyword("UESCAPE")
                    && self.peek_nth(1).kind == TokenKind::String
                {
                    self.advance();
                    self.advance();
                }
                ExprKind::String(StringStyle::Plain)
            }
            TokenKind::EscapeString => {
                self.advance();
                ExprKind::String(StringStyle::Escape)
            }
            TokenKind::DollarString => {
                self.advance();
                ExprKind::String(StringStyle::Dollar)
            }
            TokenKind::Parameter => {
                self.advance();
                ExprKind::Parameter
            }
            // `:1`, `:name`: a bind parameter, the colon glued to it.
            TokenKind::Colon
                if self.hooks.supports_colon_parameters()
                    && matches!(self.peek_nth(1).kind, TokenKind::Number | TokenKind::Word)
                    && self.peek_nth(1).span.start == token.span.end =>
            {
                self.advance();
                self.advance();
                ExprKind::Parameter
            }
            TokenKind::OtherOperator
                if self
                    .hooks
                    .prefix_operator_function(self.text(token.span))
                    .is_some() =>
            {
                self.advance();
                let operand = self.parse_expr_bp(precedence::UNARY);
                ExprKind::PrefixCall {
                    operator: token.span,
                    operand: Box::new(operand),
                }
            }
            // `PRIOR x`, `CONNECT_BY_ROOT x` (hierarchical queries): a word
            // followed by its operand.
            TokenKind::Word
                if self.hooks.supports_connect_by()
                    && self
                        .hooks
                        .prefix_operator_function(self.text(token.span))
                        .is_some()
                    && (self.peek_nth(1).kind == TokenKind::LeftParen
                        || self.name_allowed(self.peek_nth(1), NameUsage::Column)) =>
            {
                self.advance();
                let operand = self.parse_expr_bp(precedence::UNARY);
                ExprKind::PrefixCall {
                    operator: token.span,
                    operand: Box::new(operand),
                }
            }
            TokenKind::Minus | TokenKind::Plus | TokenKind::Tilde => {
                self.advance();
                let operand = self.parse_expr_bp(precedence::UNARY);
                let operator = match token.kind {
                    TokenKind::Minus => UnaryOp::Negate,
                    TokenKind::Plus => UnaryOp::Plus,
                    _ => UnaryOp::BitwiseNot,
                };
                ExprKind::Unary {
                    operator,
                    operand: Box::new(operand),
                }
            }
            TokenKind::Star
                if self.nth_is_contextual_keyword(1, "COLUMNS")
                    && self.peek_nth(2).kind == TokenKind::LeftParen =>
            {
                self.advance();
                let columns = self.parse_word_prefix();
                ExprKind::Unpack(Box::new(columns))
            }
            TokenKind::Star => {
                self.advance();
                ExprKind::Star(Box::new(self.parse_star_modifiers(Vec::new())))
            }
            TokenKind::LeftParen => return self.parse_parenthesized_expr(),
            TokenKind::LeftBracket if self.hooks.supports_bracket_and_brace_literals() => {
                self.advance();
                let items = self.parse_bracket_items();
                ExprKind::Array {
                    items,
                    keyword: false,
                }
            }
            TokenKind::LeftBrace if self.hooks.supports_bracket_and_brace_literals() => {
                self.advance();
                if self.hooks.supports_star_object() && self.at_star_object() {
                    let mut qualifier = Vec::new();
                    while !self.at(TokenKind::Star) {
                        qualifier.push(Self::ident_from(self.advance()));
                        self.advance();
                    }
                    self.advance();
                    let star = self.parse_star_modifiers(qualifier);
                    self.expect(TokenKind::RightBrace, "`}`");
                    ExprKind::StarObject(Box::new(star))
                } else {
                    self.parse_struct_literal()
                }
            }
            TokenKind::Word | TokenKind::QuotedIdent => return self.parse_word_prefix(),
            _ => {
                self.error_expected("an expression");
                return Expr {
                    kind: ExprKind::Error,
                    span: Span::new(start, start),
                };
            }
        };
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    /// After `{`: `*` or `t.*`, the columns of an object constant.
    pub(super) fn at_star_object(&self) -> bool {
        let mut offset = 0;
        while self.name_allowed(self.peek_nth(offset), NameUsage::Label)
            && self.peek_nth(offset + 1).kind == TokenKind::Dot
        {
            offset += 2;
        }
        self.peek_nth(offset).kind == TokenKind::Star
    }

    /// Reports numbers whose digit separators are misplaced (`1__0`, `1_`).
    pub(super) fn check_number(&mut self, span: Span) {
        let text = self.text(span);
        let bytes = text.as_bytes();
        let misplaced = bytes.windows(2).any(|pair| {
            (pair[0] == b'_' && !pair[1].is_ascii_hexdigit())
                || (pair[1] == b'_' && !pair[0].is_ascii_hexdigit())
        }) || bytes.last() == Some(&b'_');
        if misplaced {
            // A malformed literal does not derail parsing: report it without
            // entering recovery, so a second one is reported too.
            self.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLiteral,
                    format!("`{text}`: an underscore in a number must stand between two digits"),
                )
                .at(self.file, span),
            );
        }
    }

    pub(super) fn parse_bracket_items(&mut self) -> Vec<Expr> {
        let mut items = Vec::new();
        while !self.at(TokenKind::RightBracket) {
            items.push(self.parse_expr());
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RightBracket, "`]`");
        items
    }

    pub(super) fn parse_struct_literal(&mut self) -> ExprKind {
        let mut entries = Vec::new();
        while !self.at(TokenKind::RightBrace) {
            let key_token = self.peek();
            let key = match key_token.kind {
                TokenKind::String | TokenKind::QuotedIdent => Self::ident_from(self.advance()),
                _ if self.at_name(NameUsage::Label) => Self::ident_from(self.advance()),
                _ => {
                    self.error_expected("a struct key");
                    break;
                }
            };
            self.expect(TokenKind::Colon, "`:`");
            let value = self.parse_expr();
            entries.push((key, value));
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RightBrace, "`}`");
        ExprKind::StructLiteral(entries)
    }

    pub(super) fn parse_parenthesized_expr(&mut self) -> Expr {
        let start = self.start();
        if self.paren_starts_query() {
            self.advance();
            let query = self.parse_query();
            self.expect_close_paren();
            return Expr {
                kind: ExprKind::Subquery(Box::new(query)),
                span: self.span_from(start),
            };
        }
        self.advance();
        if self.at(TokenKind::RightParen) {
            // `()`: an empty tuple, as the parameter list of a lambda.
            self.advance();
            return Expr {
                kind: ExprKind::Tuple(Vec::new()),
                span: self.span_from(start),
            };
        }
        let first = self.parse_expr();
        if self.at(TokenKind::Comma) {
            let mut items = vec![first];
            while self.eat(TokenKind::Comma) {
                if self.at(TokenKind::RightParen) {
                    break;
                }
                items.push(self.parse_expr());
            }
            self.expect_close_paren();
            return Expr {
                kind: ExprKind::Tuple(items),
                span: self.span_from(start),
            };
        }
        self.expect_close_paren();
        Expr {
            kind: ExprKind::Parenthesized(Box::new(first)),
            span: self.span_from(start),
        }
    }

    /// An expression that starts with a word: a keyword-led form (`CASE`,
    /// `CAST(...)`, `ARRAY[...]`...), a typed literal (`DATE '2024-01-01'`),
    /// or a name (a column path, a qualified star, a call).
    pub(super) fn parse_word_prefix(&mut self) -> Expr {
        let start = self.start();
        let token = self.peek();
        let next = self.peek_nth(1);
        if token.kind == TokenKind::Word {
            if let Some(expr) = self.parse_keyword_led_expr(token, next, start) {
                return expr;
            }
            if let Some(expr) = self.parse_typed_literal(token, next, start) {
                return expr;
            }
        }
        self.parse_name_expr(token, next, start)
    }

    /// The forms a keyword starts, when `token` (the current token) is one
    /// and what follows fits; `None`, having consumed nothing, otherwise.
    fn parse_keyword_led_expr(&mut self, token: Token, next: Token, start: u32) -> Option<Expr> {
        let expr = match token.keyword {
            Keyword::Null => {
                self.advance();
                self.finish(ExprKind::Null, start)
            }
            Keyword::True | Keyword::False => {
                self.advance();
                self.finish(ExprKind::Boolean(token.keyword == Keyword::True), start)
            }
            Keyword::Not => {
                self.advance();
                // `NOT EXISTS (...)` reads as one construct.
                if self.at_keyword(Keyword::Exists) && self.peek_nth(1).kind == TokenKind::LeftParen
                {
                    let mut exists = self.parse_word_prefix();
                    if let ExprKind::Exists { negated, .. } = &mut exists.kind {
                        *negated = true;
                    }
                    exists.span = self.span_from(start);
                    return Some(exists);
                }
                let operand = self.parse_expr_bp(precedence::NOT);
                self.finish(
                    ExprKind::Unary {
                        operator: UnaryOp::Not,
                        operand: Box::new(operand),
                    },
                    start,
                )
            }
            Keyword::Case => self.parse_case(),
            Keyword::Cast | Keyword::TryCast | Keyword::None
                if next.kind == TokenKind::LeftParen
                    && (token.keyword != Keyword::None
                        || self.hooks.is_try_cast_word(self.text(token.span))) =>
            {
                self.parse_cast_call(token, start)
            }
            Keyword::Exists if next.kind == TokenKind::LeftParen => {
                self.advance();
                self.advance();
                let query = self.parse_query();
                self.expect_close_paren();
                self.finish(
                    ExprKind::Exists {
                        query: Box::new(query),
                        negated: false,
                    },
                    start,
                )
            }
            Keyword::Interval => self.parse_interval(),
            Keyword::Any | Keyword::Some | Keyword::All if next.kind == TokenKind::LeftParen => {
                // `x = ANY (select ...)`, `x > ALL (array)`.
                self.advance();
                let operand = self.parse_parenthesized_expr();
                self.finish(
                    ExprKind::Quantified {
                        all: token.keyword == Keyword::All,
                        operand: Box::new(operand),
                    },
                    start,
                )
            }
            Keyword::Array | Keyword::Struct | Keyword::Map
                if next.kind == TokenKind::Less && self.hooks.supports_angle_bracket_types() =>
            {
                self.parse_typed_constructor(token, start)
            }
            Keyword::Array if next.kind == TokenKind::LeftBracket => {
                self.advance();
                self.advance();
                let items = self.parse_bracket_items();
                self.finish(
                    ExprKind::Array {
                        items,
                        keyword: true,
                    },
                    start,
                )
            }
            Keyword::Array if next.kind == TokenKind::LeftParen && self.nth_starts_query(2) => {
                self.advance();
                self.advance();
                let query = self.parse_query();
                self.expect_close_paren();
                self.finish(ExprKind::ArraySubquery(Box::new(query)), start)
            }
            Keyword::Array
                if next.kind == TokenKind::LeftParen
                    && self.peek_nth(2).kind == TokenKind::LeftParen =>
            {
                self.parse_array_of_parenthesized(token, start)
            }
            Keyword::Map
                if next.kind == TokenKind::LeftBrace
                    && self.hooks.supports_bracket_and_brace_literals() =>
            {
                self.advance();
                self.advance();
                let mut entries = Vec::new();
                while !self.at(TokenKind::RightBrace) {
                    let key = self.parse_expr();
                    self.expect(TokenKind::Colon, "`:`");
                    let value = self.parse_expr();
                    entries.push((key, value));
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect(TokenKind::RightBrace, "`}`");
                self.finish(ExprKind::MapLiteral(entries), start)
            }
            Keyword::Row if next.kind == TokenKind::LeftParen => {
                self.advance();
                self.advance();
                let items = self.parse_expr_list_until_close();
                self.finish(ExprKind::Row(items), start)
            }
            Keyword::Lambda
                if self.hooks.supports_arrow_lambda()
                    && self.name_allowed(next, NameUsage::Label) =>
            {
                // DuckDB 1.3: `lambda x, y: x + y`.
                self.advance();
                let mut params = Vec::new();
                while let Some(param) = self.parse_ident(NameUsage::Label) {
                    params.push(param);
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect(TokenKind::Colon, "`:`");
                let body = self.parse_expr_bp(precedence::LAMBDA);
                self.finish(
                    ExprKind::Lambda {
                        params,
                        body: Box::new(body),
                    },
                    start,
                )
            }
            _ => return None,
        };
        Some(expr)
    }

    /// `CAST(x AS type)`, `TRY_CAST(...)` or the dialect's other spelling of
    /// a try-cast, at its first word.
    fn parse_cast_call(&mut self, token: Token, start: u32) -> Expr {
        self.advance();
        self.advance();
        let expr = self.parse_expr();
        self.expect_keyword(Keyword::As);
        let type_name = self.parse_type_name();
        // `cast(d as string format 'YYYY' at time zone 'UTC')`
        // (BigQuery): the format and its zone change the text,
        // not the type; they are read and not kept.
        if self.at_contextual_keyword("FORMAT")
            && !matches!(
                self.peek_nth(1).kind,
                TokenKind::RightParen | TokenKind::Comma
            )
        {
            self.advance();
            self.parse_expr_bp(precedence::AT_TIME_ZONE + 1);
            if self.at_keyword(Keyword::At)
                && self.nth_is_keyword(1, Keyword::Time)
                && self.nth_is_keyword(2, Keyword::Zone)
            {
                self.advance();
                self.advance();
                self.advance();
                self.parse_expr();
            }
        }
        self.expect_close_paren();
        let syntax = if token.keyword == Keyword::Cast {
            CastSyntax::Cast
        } else {
            CastSyntax::TryCast
        };
        self.finish(
            ExprKind::Cast {
                expr: Box::new(expr),
                type_name,
                syntax,
            },
            start,
        )
    }

    /// `ARRAY<INT64>[1, 2]`, `STRUCT<a INT64>(1)`: a typed constructor, read
    /// as a cast of the value to the type.
    fn parse_typed_constructor(&mut self, token: Token, start: u32) -> Expr {
        let type_name = self.parse_type_name();
        let value_start = self.start();
        let value = if self.eat(TokenKind::LeftBracket) {
            let items = self.parse_bracket_items();
            self.finish(
                ExprKind::Array {
                    items,
                    keyword: true,
                },
                value_start,
            )
        } else if self.at(TokenKind::LeftParen) {
            let name = ObjectName {
                parts: vec![Self::ident_from(token)],
            };
            self.parse_function_call(name, value_start)
        } else {
            self.error_expected("`[` or `(` after a constructor type");
            self.error_expr(value_start)
        };
        self.finish(
            ExprKind::Cast {
                expr: Box::new(value),
                type_name,
                syntax: CastSyntax::Cast,
            },
            start,
        )
    }

    /// `ARRAY((SELECT ...))`: the subquery sits in extra parentheses; any
    /// other parenthesised value makes a call of `array`.
    fn parse_array_of_parenthesized(&mut self, token: Token, start: u32) -> Expr {
        self.advance();
        let inner = self.parse_parenthesized_expr();
        let mut unwrapped = &inner;
        while let ExprKind::Parenthesized(nested) = &unwrapped.kind {
            unwrapped = nested;
        }
        if let ExprKind::Subquery(query) = &unwrapped.kind {
            let query = query.clone();
            return self.finish(ExprKind::ArraySubquery(query), start);
        }
        let call = FunctionCall {
            name: ObjectName {
                parts: vec![Self::ident_from(token)],
            },
            args: vec![FunctionArg {
                name: None,
                value: inner,
                variadic: false,
            }],
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
        self.finish(ExprKind::Function(Box::new(call)), start)
    }

    /// A literal a type name introduces (`DATE '2024-01-01'`, `TIMESTAMP
    /// WITH TIME ZONE '...'`), when `token` starts one.
    fn parse_typed_literal(&mut self, token: Token, next: Token, start: u32) -> Option<Expr> {
        if next.kind == TokenKind::String || next.kind == TokenKind::EscapeString {
            let upper = self.text(token.span).to_ascii_uppercase();
            if self.hooks.is_typed_literal_prefix(&upper) {
                let type_name = self.parse_type_name();
                let style = if self.peek().kind == TokenKind::EscapeString {
                    StringStyle::Escape
                } else {
                    StringStyle::Plain
                };
                let value = self.advance().span;
                return Some(self.finish(
                    ExprKind::TypedString {
                        type_name,
                        value,
                        style,
                    },
                    start,
                ));
            }
        }
        // `TIMESTAMP WITH TIME ZONE '...'`.
        if token.keyword == Keyword::Timestamp
            && next.is_keyword(Keyword::With)
            && self.peek_nth(4).kind == TokenKind::String
        {
            let type_name = self.parse_type_name();
            let value = self.advance().span;
            return Some(self.finish(
                ExprKind::TypedString {
                    type_name,
                    value,
                    style: StringStyle::Plain,
                },
                start,
            ));
        }
        None
    }

    /// A name: a column path, a qualified star, or a function call (with or
    /// without parentheses).
    fn parse_name_expr(&mut self, token: Token, next: Token, start: u32) -> Expr {
        if next.kind == TokenKind::LeftParen && self.name_allowed(token, NameUsage::Function) {
            let name = ObjectName {
                parts: vec![Self::ident_from(self.advance())],
            };
            return self.parse_function_call(name, start);
        }
        if !self.name_allowed(token, NameUsage::Column) {
            self.error_expected("an expression");
            return Expr {
                kind: ExprKind::Error,
                span: Span::new(start, start),
            };
        }
        let mut parts = vec![Self::ident_from(self.advance())];
        while self.at(TokenKind::Dot) {
            let after = self.peek_nth(1);
            if after.kind == TokenKind::Star {
                self.advance();
                self.advance();
                let star = self.parse_star_modifiers(parts);
                return self.finish(ExprKind::Star(Box::new(star)), start);
            }
            if !self.name_allowed(after, NameUsage::Label) {
                break;
            }
            self.advance();
            parts.push(Self::ident_from(self.advance()));
        }
        if self.at(TokenKind::LeftParen) && parts.len() > 1 {
            return self.parse_function_call(ObjectName { parts }, start);
        }
        // `current_date`: a function called without parentheses.
        if parts.len() == 1 && !parts[0].quoted {
            let upper = self.text(parts[0].span).to_ascii_uppercase();
            if self.hooks.is_niladic_function(&upper) {
                let call = FunctionCall {
                    name: ObjectName { parts },
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
                return self.finish(ExprKind::Function(Box::new(call)), start);
            }
        }
        self.finish(ExprKind::Identifier(parts), start)
    }

    pub(super) fn parse_star_modifiers(&mut self, qualifier: Vec<Ident>) -> Star {
        let modifiers = self.hooks.star_modifiers();
        let mut star = Star {
            qualifier,
            exclude: Vec::new(),
            replace: Vec::new(),
            rename: Vec::new(),
            ilike: None,
        };
        loop {
            if modifiers.ilike
                && self.at_keyword(Keyword::Ilike)
                && self.peek_nth(1).kind == TokenKind::String
            {
                self.advance();
                star.ilike = Some(self.advance().span);
                continue;
            }
            if (modifiers.exclude && self.at_keyword(Keyword::Exclude))
                || (modifiers.except && self.at_keyword(Keyword::Except))
            {
                self.advance();
                if self.at(TokenKind::LeftParen) {
                    self.advance();
                    loop {
                        let name = self.parse_object_name(NameUsage::Label);
                        if let Some(last) = name.parts.last() {
                            star.exclude.push(*last);
                        } else {
                            break;
                        }
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                    self.expect_close_paren();
                } else if modifiers.unparenthesized_list {
                    let name = self.parse_object_name(NameUsage::Label);
                    star.exclude.extend(name.parts.last().copied());
                } else {
                    self.error_expected("`(`");
                }
            } else if modifiers.replace
                && self.at_keyword(Keyword::Replace)
                && self.peek_nth(1).kind == TokenKind::LeftParen
            {
                self.advance();
                self.advance();
                loop {
                    let expr = self.parse_expr();
                    self.expect_keyword(Keyword::As);
                    match self.parse_ident(NameUsage::Label) {
                        Some(name) => star.replace.push((expr, name)),
                        None => break,
                    }
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect_close_paren();
            } else if modifiers.rename
                && self.at_keyword(Keyword::Rename)
                && self.peek_nth(1).kind == TokenKind::LeftParen
            {
                self.advance();
                self.advance();
                while let Some(old) = self
                    .parse_object_name(NameUsage::Label)
                    .parts
                    .last()
                    .copied()
                {
                    self.expect_keyword(Keyword::As);
                    match self.parse_ident(NameUsage::Label) {
                        Some(new) => star.rename.push((old, new)),
                        None => break,
                    }
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect_close_paren();
            } else if modifiers.unparenthesized_rename
                && self.at_keyword(Keyword::Rename)
                && self.name_allowed(self.peek_nth(1), NameUsage::Column)
            {
                // `* RENAME a AS b` (Snowflake): one column, no parentheses.
                self.advance();
                let old = self
                    .parse_object_name(NameUsage::Label)
                    .parts
                    .last()
                    .copied();
                self.expect_keyword(Keyword::As);
                if let (Some(old), Some(new)) = (old, self.parse_ident(NameUsage::Label)) {
                    star.rename.push((old, new));
                }
            } else {
                break;
            }
        }
        star
    }

    pub(super) fn parse_case(&mut self) -> Expr {
        let start = self.start();
        self.advance();
        let operand = if self.at_keyword(Keyword::When) {
            None
        } else {
            Some(Box::new(self.parse_expr()))
        };
        let mut branches = Vec::new();
        while self.eat_keyword(Keyword::When) {
            let condition = self.parse_expr();
            self.expect_keyword(Keyword::Then);
            let result = self.parse_expr();
            branches.push((condition, result));
        }
        if branches.is_empty() {
            self.error_expected("WHEN");
        }
        let else_result = if self.eat_keyword(Keyword::Else) {
            Some(Box::new(self.parse_expr()))
        } else {
            None
        };
        self.expect_keyword(Keyword::End);
        self.finish(
            ExprKind::Case {
                operand,
                branches,
                else_result,
            },
            start,
        )
    }

    pub(super) fn parse_interval(&mut self) -> Expr {
        let start = self.start();
        self.advance();
        let value = match self.peek().kind {
            TokenKind::String | TokenKind::EscapeString | TokenKind::Number => {
                let token = self.advance();
                let kind = if token.kind == TokenKind::Number {
                    ExprKind::Number
                } else {
                    ExprKind::String(StringStyle::Plain)
                };
                Expr {
                    kind,
                    span: token.span,
                }
            }
            TokenKind::LeftParen => self.parse_parenthesized_expr(),
            TokenKind::Minus => self.parse_expr_bp(precedence::UNARY),
            // `interval n day`, `interval n * 7 day` (BigQuery): any integer
            // expression; arithmetic binds into it, the unit ends it.
            _ if self.hooks.interval_value_is_expression() => {
                self.parse_expr_bp(precedence::ADDITIVE)
            }
            _ => {
                self.error_expected("an interval value");
                self.error_expr(start)
            }
        };
        let unit = if self.peek().kind == TokenKind::Word {
            let upper = self.text(self.peek().span).to_ascii_uppercase();
            let singular = upper.strip_suffix('S').unwrap_or(&upper);
            if self.hooks.is_interval_unit(&upper) || self.hooks.is_interval_unit(singular) {
                Some(self.advance().span)
            } else {
                None
            }
        } else {
            None
        };
        if unit.is_none() && !matches!(value.kind, ExprKind::String(_) | ExprKind::Error) {
            self.error_expected("an interval unit such as DAY or MONTH");
        }
        let mut interval = self.finish(
            ExprKind::Interval {
                value: Box::new(value),
                unit,
            },
            start,
        );
        // `interval 5 hours 30 minutes` (Spark): the sum of its parts.
        while unit.is_some()
            && self.hooks.supports_multi_unit_intervals()
            && matches!(self.peek().kind, TokenKind::String | TokenKind::Number)
            && self.nth_is_interval_unit(1)
        {
            let part_start = self.start();
            let value_token = self.advance();
            let kind = if value_token.kind == TokenKind::Number {
                ExprKind::Number
            } else {
                ExprKind::String(StringStyle::Plain)
            };
            let value = Expr {
                kind,
                span: value_token.span,
            };
            let part_unit = Some(self.advance().span);
            let part = self.finish(
                ExprKind::Interval {
                    value: Box::new(value),
                    unit: part_unit,
                },
                part_start,
            );
            interval = self.finish(
                ExprKind::Binary {
                    operator: BinaryOp::Add,
                    left: Box::new(interval),
                    right: Box::new(part),
                },
                start,
            );
        }
        interval
    }

    /// Whether the token at `offset` is an interval unit, singular or plural.
    pub(super) fn nth_is_interval_unit(&self, offset: usize) -> bool {
        let token = self.peek_nth(offset);
        if token.kind != TokenKind::Word {
            return false;
        }
        let upper = self.text(token.span).to_ascii_uppercase();
        let singular = upper.strip_suffix('S').unwrap_or(&upper);
        self.hooks.is_interval_unit(&upper) || self.hooks.is_interval_unit(singular)
    }
}
