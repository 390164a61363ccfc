//! Snowflake's semantics. Interim: name and identifier folding are Snowflake's, types
//! and functions still DuckDB's, until this file holds Snowflake's own type names,
//! coercions and function catalog.

use crate::interim::{IdentifierFolding, InterimSemantics};

pub static SEMANTICS: InterimSemantics = InterimSemantics {
    name: "snowflake",
    folding: IdentifierFolding::Upper,
};
