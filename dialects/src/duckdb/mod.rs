//! The DuckDB dialect: its lexer, its syntax hooks into the shared parser,
//! and its semantics.

pub mod lexer;
mod semantics;
pub mod syntax;

use crate::syntax::hooks::SyntaxHooks;
use crate::syntax::token::Token;
use crate::Dialect;
use fusion_ir::semantics::DialectSemantics;

/// DuckDB, the default embedded warehouse.
pub struct DuckDb;

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn lex(&self, sql: &str) -> Vec<Token> {
        lexer::lex(sql)
    }

    fn syntax_hooks(&self) -> &dyn SyntaxHooks {
        &syntax::DuckDbSyntax
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::DUCKDB_SEMANTICS
    }
}
