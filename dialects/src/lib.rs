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
pub trait Dialect: Send + Sync {
    /// The adapter type that selects it in a profile (`duckdb`).
    fn name(&self) -> &'static str;

    /// Lexes, parses and lowers `sql`. Spans in the result are byte offsets
    /// into `sql`, and diagnostics point into `file`.
    fn parse(&self, sql: &str, file: FileId) -> Parsed;

    /// Parses `sql` into syntax trees without lowering them (for printing
    /// the tree, or for tools that work on syntax).
    fn parse_syntax(&self, sql: &str, file: FileId) -> syntax::parser::ParseOutput;

    /// Parses `sql` as one bare expression (`x::int + 1`).
    fn parse_expression(&self, sql: &str, file: FileId) -> (syntax::ast::Expr, Vec<Diagnostic>);

    /// The dialect's semantics, for the passes.
    fn semantics(&self) -> &dyn DialectSemantics;
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
