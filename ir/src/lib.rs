//! `fusion-ir`: the reusable core of fusionc.
//!
//! Another tool can depend on this crate alone to read, build and walk typed
//! relational plans. Architecture invariant: no I/O, no CLI, no Jinja and no
//! warehouse client live here; only data structures and the traits through
//! which dialects describe their semantics.

pub mod codes;
pub mod diagnostic;
pub mod graph;
pub mod lineage;
pub mod name;
pub mod query;
pub mod schema;
pub mod semantics;
pub mod span;
pub mod types;
pub mod walk;
