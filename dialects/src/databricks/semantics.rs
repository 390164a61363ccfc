//! Databricks's semantics. Interim: name and identifier folding are Databricks's, types
//! and functions still DuckDB's, until this file holds Databricks's own type names,
//! coercions and function catalog.

use crate::interim::{IdentifierFolding, InterimSemantics};

pub static SEMANTICS: InterimSemantics = InterimSemantics {
    name: "databricks",
    folding: IdentifierFolding::CaseInsensitive,
};
