//! The DuckDB dialect.

mod semantics;

use crate::{Dialect, Parsed};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;

/// DuckDB, the default embedded warehouse.
pub struct DuckDb;

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn parse(&self, _sql: &str, _file: FileId) -> Parsed {
        // Replaced by the real parser (lexer, parser, lowering).
        Parsed::default()
    }

    fn semantics(&self) -> &dyn DialectSemantics {
        &semantics::DUCKDB_SEMANTICS
    }
}
