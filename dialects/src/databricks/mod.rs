//! The Databricks dialect. Interim: parsed with DuckDB's lexer and syntax until
//! Databricks's own lexer and syntax hooks are written.

mod semantics;

use crate::{Dialect, Parsed};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;

/// Databricks.
pub struct Databricks;

impl Dialect for Databricks {
    fn name(&self) -> &'static str {
        "databricks"
    }

    fn parse(&self, sql: &str, file: FileId) -> Parsed {
        crate::syntax::parse_and_lower(
            sql,
            crate::duckdb::lexer::lex(sql),
            &crate::duckdb::syntax::DuckDbSyntax,
            self.semantics(),
            file,
        )
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::SEMANTICS
    }
}
