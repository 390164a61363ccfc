//! `fusionc seed | run | snapshot | test | build`: the commands that execute
//! in the warehouse. They differ only in which nodes they run, and share one
//! pipeline, `crate::run::execute`.

use crate::cli::{Output, RunArgs};
use crate::run::context::RunKind;

/// `fusionc seed`: loads the selected seeds (CSV files) into the warehouse.
pub(crate) fn seed(arguments: &RunArgs, output: &mut Output<'_>) -> i32 {
    crate::run::execute(RunKind::Seed, arguments, output)
}

/// `fusionc run`: builds the selected models, in DAG order.
pub(crate) fn run(arguments: &RunArgs, output: &mut Output<'_>) -> i32 {
    crate::run::execute(RunKind::Run, arguments, output)
}

/// `fusionc snapshot`: records the selected snapshots' history.
pub(crate) fn snapshot(arguments: &RunArgs, output: &mut Output<'_>) -> i32 {
    crate::run::execute(RunKind::Snapshot, arguments, output)
}

/// `fusionc test`: runs the selected data tests.
pub(crate) fn test(arguments: &RunArgs, output: &mut Output<'_>) -> i32 {
    crate::run::execute(RunKind::Test, arguments, output)
}

/// `fusionc build`: seeds, models, snapshots and tests in DAG order; a
/// node's tests run right after it.
pub(crate) fn build(arguments: &RunArgs, output: &mut Output<'_>) -> i32 {
    crate::run::execute(RunKind::Build, arguments, output)
}
