//! The Snowflake dialect. Interim: parsed with DuckDB's lexer and syntax until
//! Snowflake's own lexer and syntax hooks are written.

mod semantics;

use crate::{Dialect, Parsed};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;

/// Snowflake.
pub struct Snowflake;

impl Dialect for Snowflake {
    fn name(&self) -> &'static str {
        "snowflake"
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
