//! One module per subcommand of `fusionc`. Each loads what it needs through
//! `crate::session`, does its work, reports diagnostics and returns the
//! exit code; `crate::run_command_line` dispatches to them.

pub mod compile;
pub mod deps;
pub mod lineage;
pub mod ls;
pub mod parse;
pub mod run;
pub mod show;
pub mod sql;
