//! `fusion-driver`: the fusionc command line. The only crate that writes to
//! the terminal, sets exit codes, or talks to warehouses.
//!
//! Layout: `cli` holds the arguments and exit codes; `session` the helpers
//! every command shares (loading the project, selecting nodes, reporting
//! diagnostics); `commands/` one module per subcommand; `artifacts/` the files
//! written under `target/`; `pipeline` the compile-time analysis; `run/` the
//! commands that execute in the warehouse; `adapter/` the warehouses.
//! [`run_command_line`] parses the arguments and dispatches to a command.

pub mod adapter;
mod artifacts;
pub mod cli;
mod commands;
pub mod diagnostics;
mod pipeline;
pub mod run;
mod secrets;
pub mod select;
mod session;
pub mod state;
mod unit_tests;

use crate::cli::{Cli, Command, DocsCommand, Output, SourceCommand, SqlCommand, StateCommand};
use clap::Parser;
use std::io::Write;

/// Runs fusionc with these arguments (the first is the program name).
/// Returns the process exit code.
pub fn run_command_line<I, T>(arguments: I, output: &mut Output<'_>) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(arguments) {
        Ok(cli) => cli,
        Err(error) => {
            let code = error.exit_code();
            let rendered = if output.color {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            let stream: &mut dyn Write = if error.use_stderr() {
                output.stderr
            } else {
                output.stdout
            };
            let _ = write!(stream, "{rendered}");
            return code;
        }
    };
    // dbt's `DBT_ENV_SECRET_` values never reach the terminal.
    let secrets = secrets::secret_values();
    if secrets.is_empty() {
        return dispatch(cli.command, output);
    }
    let color = output.color;
    let mut stdout = secrets::ScrubbingWriter::new(output.stdout, &secrets);
    let mut stderr = secrets::ScrubbingWriter::new(output.stderr, &secrets);
    let mut scrubbed = Output {
        stdout: &mut stdout,
        stderr: &mut stderr,
        color,
    };
    dispatch(cli.command, &mut scrubbed)
}

/// Runs the parsed command.
fn dispatch(command: Command, output: &mut Output<'_>) -> i32 {
    match command {
        Command::Parse(arguments) => commands::parse::parse(&arguments, output),
        Command::Compile(arguments) => commands::compile::compile(&arguments, output),
        Command::Ls(arguments) => commands::ls::list(&arguments, output),
        Command::Lineage(arguments) => commands::lineage::lineage(&arguments, output),
        Command::Sql(arguments) => match arguments.command {
            SqlCommand::Parse(arguments) => commands::sql::parse(&arguments, output),
            SqlCommand::Check(arguments) => commands::sql::check(&arguments, output),
            SqlCommand::Lineage(arguments) => commands::sql::lineage(&arguments, output),
        },
        Command::Seed(arguments) => commands::run::seed(&arguments, output),
        Command::Run(arguments) => commands::run::run(&arguments, output),
        Command::Snapshot(arguments) => commands::run::snapshot(&arguments, output),
        Command::Test(arguments) => commands::run::test(&arguments, output),
        Command::Build(arguments) => commands::run::build(&arguments, output),
        Command::Show(arguments) => commands::show::show(&arguments, output),
        Command::Deps(arguments) => commands::deps::deps(&arguments, output),
        Command::State(arguments) => match arguments.command {
            StateCommand::Show(arguments) => commands::state::show(&arguments, output),
            StateCommand::Clear(arguments) => commands::state::clear(&arguments, output),
        },
        Command::Source(arguments) => match arguments.command {
            SourceCommand::Freshness(arguments) => {
                commands::source_freshness::freshness(&arguments, output)
            }
        },
        Command::Docs(arguments) => match arguments.command {
            DocsCommand::Generate(arguments) => commands::docs::generate(&arguments, output),
        },
    }
}
