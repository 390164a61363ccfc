//! Redshift's semantics. Interim: name and identifier folding are Redshift's, types
//! and functions still DuckDB's, until this file holds Redshift's own type names,
//! coercions and function catalog.

use crate::interim::{IdentifierFolding, InterimSemantics};

pub static SEMANTICS: InterimSemantics = InterimSemantics {
    name: "redshift",
    folding: IdentifierFolding::Lower,
};
