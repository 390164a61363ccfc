//! Postgres's semantics. Interim: name and identifier folding are Postgres's, types
//! and functions still DuckDB's, until this file holds Postgres's own type names,
//! coercions and function catalog.

use crate::interim::{IdentifierFolding, InterimSemantics};

pub static SEMANTICS: InterimSemantics = InterimSemantics {
    name: "postgres",
    folding: IdentifierFolding::Lower,
};
