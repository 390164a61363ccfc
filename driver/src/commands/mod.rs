//! One module per subcommand of `fusionc`. Each loads what it needs through
//! `crate::session`, does its work, reports diagnostics and returns the
//! exit code; `crate::run_command_line` dispatches to them.

pub(crate) mod compile;
pub(crate) mod deps;
pub(crate) mod docs;
pub(crate) mod lineage;
pub(crate) mod ls;
pub(crate) mod parse;
pub(crate) mod run;
pub(crate) mod show;
pub(crate) mod source_freshness;
pub(crate) mod sql;
pub(crate) mod state;
