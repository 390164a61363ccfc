//! `fusion-driver`: the fusionc command line. The only crate that writes to
//! the terminal, sets exit codes, or (later) talks to warehouses.

pub mod cli;
mod commands;
mod compiled;
mod lineage_artifact;
mod lineage_command;
pub mod diagnostics;
mod manifest;
mod pipeline;
pub mod select;
pub mod sql_command;
