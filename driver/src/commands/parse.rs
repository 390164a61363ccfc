//! `fusionc parse`: load the project, render every node's Jinja and build
//! the graph; report what was found.

use crate::cli::{Output, ProjectArgs};
use crate::session::{
    exit_code_for, load_session, print_summary, report_diagnostics, summary_line,
};
use std::time::Instant;

/// `fusionc parse`: load, render, build the graph.
pub(crate) fn parse(arguments: &ProjectArgs, output: &mut Output<'_>) -> i32 {
    let started = Instant::now();
    let session = match load_session(arguments, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let project = session.project();
    report_diagnostics(
        &session.load,
        &session.load.diagnostics,
        arguments.log_format,
        output,
    );
    let everything = vec![true; project.nodes.len()];
    let line = summary_line(project, &everything, &session.load.diagnostics);
    print_summary(output, arguments.log_format, "parsed", &line, started);
    let code = exit_code_for(&session.load.diagnostics);
    // The process ends after this command: the loaded project is left to
    // the operating system rather than freed one allocation at a time.
    std::mem::forget(session);
    code
}
