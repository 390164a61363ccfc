//! `fusion-ir`: the reusable core of fusionc.
//!
//! Another tool can depend on this crate alone to read, build and walk typed
//! relational plans. Architecture invariant: no I/O, no CLI, no Jinja and no
//! warehouse client live here; only data structures and the traits through
//! which dialects describe their semantics.
//!
//! `ir/README.md` shows how to build, walk and print a plan, read types and
//! schemas, and read column lineage; `ir/examples/` holds runnable programs.

#![warn(missing_docs)]

/// The code blocks of `ir/README.md`, compiled and run as doctests so that
/// the README stays true to the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod codes;
pub mod diagnostic;
pub mod graph;
pub mod lineage;
pub mod name;
pub mod print;
pub mod query;
pub mod schema;
pub mod semantics;
pub mod severity;
pub mod span;
pub mod types;
pub mod walk;
