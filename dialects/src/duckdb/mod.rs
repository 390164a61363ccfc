//! The DuckDB dialect: its lexer, its syntax hooks into the shared parser,
//! and its semantics.

pub mod lexer;
mod semantics;
pub mod syntax;

use crate::syntax::ast;
use crate::syntax::parser::{self, ParseOutput};
use crate::{Dialect, Parsed};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;

/// DuckDB, the default embedded warehouse.
pub struct DuckDb;

impl DuckDb {
    /// Parses `sql` into syntax trees without lowering them (for printing
    /// the tree, or for tools that work on syntax).
    pub fn parse_syntax(&self, sql: &str, file: FileId) -> ParseOutput {
        parser::parse_statements(sql, lexer::lex(sql), &syntax::DuckDbSyntax, file)
    }

    /// Parses `sql` as one bare expression (`x::int + 1`).
    pub fn parse_expression(&self, sql: &str, file: FileId) -> (ast::Expr, Vec<Diagnostic>) {
        parser::parse_expression(sql, lexer::lex(sql), &syntax::DuckDbSyntax, file)
    }
}

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn parse(&self, sql: &str, file: FileId) -> Parsed {
        crate::syntax::parse_and_lower(
            sql,
            lexer::lex(sql),
            &syntax::DuckDbSyntax,
            self.semantics(),
            file,
        )
    }

    fn parse_syntax(&self, sql: &str, file: FileId) -> ParseOutput {
        DuckDb::parse_syntax(self, sql, file)
    }

    fn parse_expression(&self, sql: &str, file: FileId) -> (ast::Expr, Vec<Diagnostic>) {
        DuckDb::parse_expression(self, sql, file)
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::DUCKDB_SEMANTICS
    }
}
