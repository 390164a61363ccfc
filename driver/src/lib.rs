//! `fusion-driver`: the fusionc command line. The only crate that writes to
//! the terminal, sets exit codes, or (later) talks to warehouses.

pub mod adapter;
mod catalog_artifact;
pub mod cli;
mod commands;
mod compiled;
mod deps;
pub mod diagnostics;
mod lineage_artifact;
mod lineage_command;
mod manifest;
mod pipeline;
pub mod run;
pub mod select;
mod show;
pub mod sql_command;
