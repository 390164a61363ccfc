//! The Databricks dialect (Spark SQL): its lexer, its syntax hooks into the shared parser, and its semantics.

pub mod lexer;
mod semantics;
pub mod syntax;

use crate::syntax::hooks::SyntaxHooks;
use crate::syntax::token::Token;
use crate::Dialect;
use fusion_ir::semantics::DialectSemantics;

/// Databricks (Spark SQL), also selected by the `spark` adapter.
pub struct Databricks;

impl Dialect for Databricks {
    fn name(&self) -> &'static str {
        "databricks"
    }

    fn lex(&self, sql: &str) -> Vec<Token> {
        lexer::lex(sql)
    }

    fn syntax_hooks(&self) -> &dyn SyntaxHooks {
        &syntax::DatabricksSyntax
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::SEMANTICS
    }
}
