//! The BigQuery dialect: its lexer, its syntax hooks into the shared parser, and its semantics.

pub mod lexer;
mod semantics;
pub mod syntax;

use crate::syntax::hooks::SyntaxHooks;
use crate::syntax::token::Token;
use crate::Dialect;
use fusion_ir::semantics::DialectSemantics;

/// BigQuery.
pub struct BigQuery;

impl Dialect for BigQuery {
    fn name(&self) -> &'static str {
        "bigquery"
    }

    fn lex(&self, sql: &str) -> Vec<Token> {
        lexer::lex(sql)
    }

    fn syntax_hooks(&self) -> &dyn SyntaxHooks {
        &syntax::BigQuerySyntax
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::SEMANTICS
    }
}
