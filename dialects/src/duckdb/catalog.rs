//! DuckDB's function catalog: `dialects/catalogs/duckdb.sigs`, in the
//! signature language of `crate::signature`, read once on first use.

use crate::signature::BuiltinCatalog;
use fusion_ir::semantics::{DialectSemantics, FunctionDef};

static CATALOG: BuiltinCatalog =
    BuiltinCatalog::new(include_str!("../../catalogs/duckdb.sigs"), |text| {
        super::DUCKDB_SEMANTICS.parse_type_name(text)
    });

/// Looks a function up by name, case-insensitively.
pub(super) fn lookup(name: &str) -> Option<&'static FunctionDef> {
    CATALOG.get().lookup(name)
}

pub(super) fn names() -> Vec<&'static str> {
    CATALOG.get().names()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fusion_ir::query::FunctionKind;
    use fusion_ir::semantics::ResultNullability;

    #[test]
    fn catalog_parses_cleanly() {
        let (catalog, errors) = CATALOG.parse_with_errors();
        let report: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(report.is_empty(), "duckdb.sigs:\n{}", report.join("\n"));
        assert!(catalog.len() >= 300, "{} functions", catalog.len());
    }

    #[test]
    fn overloads_accumulate() {
        let trim = lookup("TRIM").map(|def| def.signatures.len());
        assert_eq!(trim, Some(2));
        assert_eq!(
            lookup("count").map(|def| def.nullability),
            Some(ResultNullability::Never)
        );
        assert_eq!(
            lookup("row_number").map(|def| def.kind),
            Some(FunctionKind::Window)
        );
    }
}
