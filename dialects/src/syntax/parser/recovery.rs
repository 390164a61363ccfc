//! Syntax errors and recovery: reporting what was expected, skipping to a
//! clause or statement boundary, and the nesting budget that keeps deep
//! input off the stack.

use super::cursor::CLAUSE_KEYWORDS;
use super::Parser;
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, Token, TokenKind};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::Span;

/// How deep a statement may nest, in units: a nesting level (parentheses,
/// subqueries, calls, prefix operators) costs [`NESTING_COST`], each link of
/// a left-deep chain (`a + b + c`, `select .. union select ..`) costs
/// [`CHAIN_COST`]. Beyond the budget the statement is reported instead of
/// risking the stack: the tree, its lowering and its printers all recurse.
/// The budget allows about 100 nested levels or about 270 chained operators.
const DEPTH_BUDGET: u32 = 1_100;
const NESTING_COST: u32 = 10;
const CHAIN_COST: u32 = 4;
const TOO_DEEP: &str = "the statement nests too deeply (about 100 levels, or about 270 chained operators); fusionc stops reading it here";

impl Parser<'_, '_> {
    pub(super) fn describe(&self, token: Token) -> String {
        match token.kind {
            TokenKind::EndOfInput => "the end of the input".to_string(),
            TokenKind::Word if token.keyword != Keyword::None => {
                format!("keyword {}", token.keyword.as_str())
            }
            TokenKind::Word | TokenKind::QuotedIdent => {
                format!("identifier `{}`", self.text(token.span))
            }
            TokenKind::String | TokenKind::EscapeString | TokenKind::DollarString => {
                "a string literal".to_string()
            }
            TokenKind::Number => format!("number `{}`", self.text(token.span)),
            _ => format!("`{}`", self.text(token.span)),
        }
    }

    /// Reports that `expected` was wanted at the current token.
    pub(super) fn error_expected(&mut self, expected: &str) {
        if self.recovering {
            return;
        }
        self.recovering = true;
        let token = self.peek();
        let found = self.describe(token);
        let (code, span) = if token.kind == TokenKind::EndOfInput {
            (Code::UnexpectedEnd, token.span)
        } else {
            (Code::UnexpectedToken, token.span)
        };
        self.diagnostics.push(
            Diagnostic::new(code, format!("expected {expected}, found {found}")).with_primary(
                self.file,
                span,
                format!("expected {expected}"),
            ),
        );
    }

    pub(super) fn error_at(&mut self, code: Code, span: Span, message: String) {
        if self.recovering {
            return;
        }
        self.recovering = true;
        self.diagnostics
            .push(Diagnostic::new(code, message).at(self.file, span));
    }

    pub(super) fn expect(&mut self, kind: TokenKind, expected: &str) -> bool {
        if self.eat(kind) {
            true
        } else {
            self.error_expected(expected);
            false
        }
    }

    pub(super) fn expect_keyword(&mut self, keyword: Keyword) -> bool {
        if self.eat_keyword(keyword) {
            true
        } else {
            self.error_expected(&format!("keyword {}", keyword.as_str()));
            false
        }
    }

    /// Expects the `)` that closes a group; if something else stands there,
    /// reports it and skips to the matching `)` so the caller resumes after
    /// the group.
    pub(super) fn expect_close_paren(&mut self) {
        if self.eat(TokenKind::RightParen) {
            return;
        }
        self.error_expected("`)`");
        let mut depth = 0usize;
        loop {
            match self.peek().kind {
                TokenKind::EndOfInput | TokenKind::Semicolon => return,
                TokenKind::LeftParen => depth += 1,
                TokenKind::RightParen => {
                    if depth == 0 {
                        self.advance();
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.advance();
        }
    }

    /// Skips to a token that starts a clause, at this nesting level, or to
    /// the end of the enclosing group or statement.
    pub(super) fn skip_to_clause_boundary(&mut self) {
        let mut depth = 0usize;
        loop {
            let token = self.peek();
            match token.kind {
                TokenKind::EndOfInput | TokenKind::Semicolon => return,
                TokenKind::LeftParen => depth += 1,
                TokenKind::RightParen => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                TokenKind::Word if depth == 0 && CLAUSE_KEYWORDS.contains(token.keyword) => return,
                _ => {}
            }
            self.advance();
        }
    }

    /// Skips to the `;` ending this statement (not consuming it).
    pub(super) fn skip_to_statement_end(&mut self) {
        while !matches!(
            self.peek().kind,
            TokenKind::EndOfInput | TokenKind::Semicolon
        ) {
            self.advance();
        }
    }

    /// Enters one level of nesting; past [`DEPTH_BUDGET`] reports the statement
    /// as too deeply nested and skips it, returning `false`.
    pub(super) fn enter(&mut self) -> bool {
        self.depth += NESTING_COST;
        if self.depth > DEPTH_BUDGET {
            self.depth -= NESTING_COST;
            let span = self.peek().span;
            self.error_at(Code::UnexpectedToken, span, TOO_DEEP.to_string());
            self.skip_to_statement_end();
            return false;
        }
        true
    }

    pub(super) fn leave(&mut self) {
        self.depth -= NESTING_COST;
    }

    /// Counts one more link of a left-deep chain (an operator, a join, a
    /// set operation); past [`DEPTH_BUDGET`] reports the statement as too
    /// deeply nested and skips it, returning `false`. The caller restores
    /// its depth.
    #[inline]
    pub(super) fn enter_chain_link(&mut self) -> bool {
        self.depth += CHAIN_COST;
        if self.depth > DEPTH_BUDGET {
            let span = self.peek().span;
            self.error_at(Code::UnexpectedToken, span, TOO_DEEP.to_string());
            self.skip_to_statement_end();
            return false;
        }
        true
    }

    /// Skips to and past the `)` closing a group whose `(` was consumed.
    pub(super) fn expect_close_paren_skipping(&mut self) {
        let mut depth = 0usize;
        loop {
            match self.peek().kind {
                TokenKind::EndOfInput | TokenKind::Semicolon => {
                    self.error_expected("`)`");
                    return;
                }
                TokenKind::LeftParen => depth += 1,
                TokenKind::RightParen => {
                    if depth == 0 {
                        self.advance();
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.advance();
        }
    }

    pub(super) fn error_expr(&self, start: u32) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: Span::new(start, self.previous_end.max(start)),
        }
    }
}
