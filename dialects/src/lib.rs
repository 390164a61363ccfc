//! `fusion-dialects`: one SQL front end per warehouse.
//!
//! Each dialect module holds its logos lexer, its hooks into the shared
//! recursive-descent parser, the lowering of its syntax tree into
//! `fusion_ir::query`, and its semantics (type names, coercions, function
//! catalog) behind `fusion_ir::semantics::DialectSemantics`.
//!
//! Architecture invariant: parsing never fails. [`Dialect::parse`] always
//! returns statements (possibly holding `Error` nodes) and the diagnostics
//! that explain them.

pub mod bigquery;
pub mod databricks;
pub mod duckdb;
pub mod postgres;
pub mod redshift;
pub mod signature;
pub mod snowflake;
pub mod syntax;

use crate::syntax::ast::Expr;
use crate::syntax::hooks::SyntaxHooks;
use crate::syntax::parser::{self, ParseOutput};
use crate::syntax::token::Token;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::query::Statement;
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;

/// The result of parsing and lowering one SQL text.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Every statement of the text, lowered into the IR, in order.
    pub statements: Vec<Statement>,
    /// Syntax errors and warnings, with spans into the parsed text.
    pub diagnostics: Vec<Diagnostic>,
}

/// A SQL dialect: how to read it, and what it means.
///
/// A dialect supplies its lexer, its hooks into the shared parser and its
/// semantics; parsing and lowering are the same for all and come as
/// default methods.
pub trait Dialect: Send + Sync {
    /// The adapter type that selects it in a profile (`duckdb`).
    fn name(&self) -> &'static str;

    /// Splits `sql` into tokens, with the dialect's quoting, string and
    /// comment rules (see [`syntax::lexing`]).
    fn lex(&self, sql: &str) -> Vec<Token>;

    /// The dialect's grammar differences, for the shared parser.
    fn syntax_hooks(&self) -> &dyn SyntaxHooks;

    /// The dialect's semantics, for the passes.
    fn semantics(&self) -> &dyn DialectSemantics;

    /// Lexes, parses and lowers `sql`. Spans in the result are byte offsets
    /// into `sql`, and diagnostics point into `file`.
    fn parse(&self, sql: &str, file: FileId) -> Parsed {
        syntax::parse_and_lower(
            sql,
            self.lex(sql),
            self.syntax_hooks(),
            self.semantics(),
            file,
        )
    }

    /// Parses `sql` into syntax trees without lowering them (for printing
    /// the tree, or for tools that work on syntax).
    fn parse_syntax(&self, sql: &str, file: FileId) -> ParseOutput {
        parser::parse_statements(sql, self.lex(sql), self.syntax_hooks(), file)
    }

    /// Parses `sql` as one bare expression (`x::int + 1`).
    fn parse_expression(&self, sql: &str, file: FileId) -> (Expr, Vec<Diagnostic>) {
        parser::parse_expression(sql, self.lex(sql), self.syntax_hooks(), file)
    }
}

/// Every dialect fusionc has, by its canonical name.
pub fn all_dialects() -> [&'static dyn Dialect; 6] {
    [
        &duckdb::DuckDb,
        &snowflake::Snowflake,
        &bigquery::BigQuery,
        &databricks::Databricks,
        &redshift::Redshift,
        &postgres::Postgres,
    ]
}

/// The dialect that a profile's adapter `type` selects, if fusionc has one.
pub fn dialect_for_adapter(adapter_type: &str) -> Option<&'static dyn Dialect> {
    match adapter_type.to_ascii_lowercase().as_str() {
        "duckdb" => Some(&duckdb::DuckDb),
        "snowflake" => Some(&snowflake::Snowflake),
        "bigquery" => Some(&bigquery::BigQuery),
        "databricks" | "spark" => Some(&databricks::Databricks),
        "redshift" => Some(&redshift::Redshift),
        "postgres" | "postgresql" => Some(&postgres::Postgres),
        _ => None,
    }
}
