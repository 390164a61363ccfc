//! Interim semantics for dialects whose own semantics are not written yet:
//! the dialect's name and identifier folding, with every type and function
//! rule taken from DuckDB's. Each dialect's `semantics.rs` replaces its use
//! of this with a real implementation (types, coercions, catalog).

use crate::duckdb::DuckDb;
use crate::Dialect;
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef, TableFunctionColumn};
use fusion_ir::types::SqlType;

/// How a dialect folds unquoted identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentifierFolding {
    /// Unquoted names are upper-cased (Snowflake).
    Upper,
    /// Unquoted names are lower-cased (Postgres, Redshift).
    Lower,
    /// Names compare without regard to case, quoted or not (BigQuery columns, Databricks).
    CaseInsensitive,
}

/// A dialect's name and folding, and DuckDB's rules for everything else.
pub struct InterimSemantics {
    pub name: &'static str,
    pub folding: IdentifierFolding,
}

fn duckdb() -> &'static dyn DialectSemantics {
    DuckDb.semantics()
}

impl DialectSemantics for InterimSemantics {
    fn name(&self) -> &'static str {
        self.name
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
        match (self.folding, ident.quoted) {
            (IdentifierFolding::Upper, false) => ident.name.to_ascii_uppercase(),
            (IdentifierFolding::Upper, true) | (IdentifierFolding::Lower, true) => ident.name,
            (IdentifierFolding::Lower, false) | (IdentifierFolding::CaseInsensitive, _) => {
                ident.name.to_ascii_lowercase()
            }
        }
    }

    fn names_match(&self, left: Name, right: Name) -> bool {
        match self.folding {
            IdentifierFolding::CaseInsensitive => left.eq_ignore_ascii_case(right),
            IdentifierFolding::Upper | IdentifierFolding::Lower => left == right,
        }
    }

    fn type_name(&self, ty: &SqlType) -> String {
        duckdb().type_name(ty)
    }

    fn parse_type_name(&self, text: &str) -> Option<SqlType> {
        duckdb().parse_type_name(text)
    }

    fn function(&self, name: &str) -> Option<&FunctionDef> {
        duckdb().function(name)
    }

    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        duckdb().can_coerce(from, to)
    }

    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        duckdb().can_cast(from, to)
    }

    fn common_supertype(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        duckdb().common_supertype(left, right)
    }

    fn binary_result(&self, op: BinaryOp, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        duckdb().binary_result(op, left, right)
    }

    fn integer_literal_type(&self, text: &str) -> SqlType {
        duckdb().integer_literal_type(text)
    }

    fn decimal_literal_type(&self, text: &str) -> SqlType {
        duckdb().decimal_literal_type(text)
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        duckdb().sum_type(input)
    }

    fn average_type(&self, input: &SqlType) -> SqlType {
        duckdb().average_type(input)
    }

    fn aliases_visible_in_where(&self) -> bool {
        false
    }

    fn comparison_type(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        duckdb().comparison_type(left, right)
    }

    fn string_literal_coerces_to(&self, to: &SqlType) -> bool {
        duckdb().string_literal_coerces_to(to)
    }

    fn date_part_result(&self, function: &str, part: &str, input: &SqlType) -> Option<SqlType> {
        duckdb().date_part_result(function, part, input)
    }

    fn function_names(&self) -> Vec<&str> {
        duckdb().function_names()
    }

    fn table_function_columns(
        &self,
        name: &str,
        argument_types: &[SqlType],
    ) -> Option<Vec<TableFunctionColumn>> {
        duckdb().table_function_columns(name, argument_types)
    }
}
