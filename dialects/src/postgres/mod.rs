//! The Postgres dialect: its lexer, its syntax hooks into the shared parser, and its semantics.

pub mod lexer;
mod semantics;
pub mod syntax;

use crate::syntax::ast;
use crate::syntax::parser::{self, ParseOutput};
use crate::{Dialect, Parsed};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;

/// Postgres.
pub struct Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn parse(&self, sql: &str, file: FileId) -> Parsed {
        crate::syntax::parse_and_lower(
            sql,
            lexer::lex(sql),
            &syntax::PostgresSyntax,
            self.semantics(),
            file,
        )
    }

    fn parse_syntax(&self, sql: &str, file: FileId) -> ParseOutput {
        parser::parse_statements(sql, lexer::lex(sql), &syntax::PostgresSyntax, file)
    }

    fn parse_expression(&self, sql: &str, file: FileId) -> (ast::Expr, Vec<Diagnostic>) {
        parser::parse_expression(sql, lexer::lex(sql), &syntax::PostgresSyntax, file)
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::SEMANTICS
    }
}
