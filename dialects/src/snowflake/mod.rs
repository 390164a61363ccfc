//! The Snowflake dialect: its lexer, its syntax hooks into the shared parser, and its semantics.

pub mod lexer;
mod semantics;
pub mod syntax;

use crate::syntax::hooks::SyntaxHooks;
use crate::syntax::token::Token;
use crate::Dialect;
use fusion_ir::semantics::DialectSemantics;

/// Snowflake.
pub struct Snowflake;

impl Dialect for Snowflake {
    fn name(&self) -> &'static str {
        "snowflake"
    }

    fn lex(&self, sql: &str) -> Vec<Token> {
        lexer::lex(sql)
    }

    fn syntax_hooks(&self) -> &dyn SyntaxHooks {
        &syntax::SnowflakeSyntax
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::SEMANTICS
    }
}
