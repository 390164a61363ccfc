//! `fusion-passes`: analysis passes over the IR. Never names a dialect: all
//! dialect knowledge comes through `DialectSemantics`.
//!
//! The passes, in the order the driver runs them:
//! 1. [`bind::bind_query`] per query: names, types, output schema. Needs the
//!    output schemas of the relations the query reads, hence
//! 2. [`infer::infer_schemas`] over the project graph, which runs binding in
//!    dependency order so each model sees its parents' inferred schemas.
//! 3. [`contracts::check_contract`] per model with an enforced contract,
//!    on the schema inference produced.
//! 4. [`unknown_schemas::unknown_schema_reads`] per query: which relations
//!    it read without knowing their columns (sources declared without
//!    columns), so that the checks binding skipped are reported.

pub mod bind;
pub mod contracts;
pub mod infer;
pub mod lineage;
pub mod lookup;
pub mod unknown_schemas;
