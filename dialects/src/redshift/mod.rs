//! The Redshift dialect: its syntax hooks into the shared parser and its
//! semantics. Redshift's tokens are Postgres's (its SQL is built on
//! Postgres 8), so it lexes with the Postgres lexer, reading `#name` as the
//! name of a temporary table.

mod semantics;
pub mod syntax;

use crate::syntax::hooks::SyntaxHooks;
use crate::syntax::token::{Keyword, Token, TokenKind};
use crate::Dialect;
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::Span;

/// Redshift.
pub struct Redshift;

impl Dialect for Redshift {
    fn name(&self) -> &'static str {
        "redshift"
    }

    fn lex(&self, sql: &str) -> Vec<Token> {
        lex(sql)
    }

    fn syntax_hooks(&self) -> &dyn SyntaxHooks {
        &syntax::RedshiftSyntax
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::SEMANTICS
    }
}

/// Redshift's tokens: Postgres's, except that `#name` where a name may
/// start (after a keyword, `,` or `(`) is a temporary table's name.
pub fn lex(sql: &str) -> Vec<Token> {
    let tokens = crate::postgres::lexer::lex(sql);
    let mut result: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let is_hash = sql.get(token.span.range()) == Some("#");
        let name_may_start = result.last().is_none_or(|previous| match previous.kind {
            TokenKind::Word => previous.keyword != Keyword::None,
            TokenKind::Comma | TokenKind::LeftParen => true,
            _ => false,
        });
        if let (true, true, Some(next)) = (is_hash, name_may_start, tokens.peek()) {
            if next.kind == TokenKind::Word && next.span.start == token.span.end {
                let span = Span::new(token.span.start, next.span.end);
                tokens.next();
                result.push(Token::new(TokenKind::Word, span));
                continue;
            }
        }
        result.push(token);
    }
    result
}
