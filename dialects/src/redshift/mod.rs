//! The Redshift dialect: its syntax hooks into the shared parser and its
//! semantics. Redshift's tokens are Postgres's (its SQL is built on
//! Postgres 8), so it lexes with the Postgres lexer.

mod semantics;
pub mod syntax;

use crate::postgres::lexer;
use crate::syntax::ast;
use crate::syntax::parser::{self, ParseOutput};
use crate::{Dialect, Parsed};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;

/// Redshift.
pub struct Redshift;

impl Dialect for Redshift {
    fn name(&self) -> &'static str {
        "redshift"
    }

    fn parse(&self, sql: &str, file: FileId) -> Parsed {
        crate::syntax::parse_and_lower(
            sql,
            lexer::lex(sql),
            &syntax::RedshiftSyntax,
            self.semantics(),
            file,
        )
    }

    fn parse_syntax(&self, sql: &str, file: FileId) -> ParseOutput {
        parser::parse_statements(sql, lexer::lex(sql), &syntax::RedshiftSyntax, file)
    }

    fn parse_expression(&self, sql: &str, file: FileId) -> (ast::Expr, Vec<Diagnostic>) {
        parser::parse_expression(sql, lexer::lex(sql), &syntax::RedshiftSyntax, file)
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::SEMANTICS
    }
}
