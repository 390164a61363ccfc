//! BigQuery's semantics. Interim: name and identifier folding are BigQuery's, types
//! and functions still DuckDB's, until this file holds BigQuery's own type names,
//! coercions and function catalog.

use crate::interim::{IdentifierFolding, InterimSemantics};

pub static SEMANTICS: InterimSemantics = InterimSemantics {
    name: "bigquery",
    folding: IdentifierFolding::CaseInsensitive,
};
