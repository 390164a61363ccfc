//! DuckDB's semantics: identifier folding, type names, coercions and the
//! function catalog.
