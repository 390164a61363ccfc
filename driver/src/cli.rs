//! The command line: arguments (clap) and dispatch to the commands.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

/// fusionc: a compiler for dbt projects.
#[derive(Debug, Parser)]
#[command(name = "fusionc", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load the project, render every node's Jinja and build the graph.
    Parse(ProjectArgs),
    /// Also parse and analyse the SQL; write target/compiled and target/manifest.json.
    Compile(SelectionArgs),
    /// List the project's nodes, one per line.
    Ls(ListArgs),
    /// Column-level lineage of a model or one of its columns: what it reads (up) or what reads it (down).
    Lineage(crate::lineage_command::LineageArgs),
    /// Work on single SQL texts without a project: parse, check.
    Sql(SqlArgs),
    /// Load the seeds (CSV files) into the warehouse.
    Seed(crate::run::RunArgs),
    /// Build the selected models in the warehouse, in DAG order.
    Run(crate::run::RunArgs),
    /// Record the selected snapshots' history.
    Snapshot(crate::run::RunArgs),
    /// Run the selected data tests.
    Test(crate::run::RunArgs),
    /// Seeds, models, snapshots and tests in DAG order; a node's tests run right after it.
    Build(crate::run::RunArgs),
    /// Run a query (a model, or inline SQL with Jinja) and print its rows.
    Show(crate::show::ShowArgs),
    /// Install the packages of packages.yml (or dependencies.yml) into the packages folder.
    Deps(DepsArgs),
}

/// `fusionc deps`.
#[derive(Debug, Args)]
pub struct DepsArgs {
    /// The folder holding dbt_project.yml.
    #[arg(long, default_value = ".")]
    pub project_dir: PathBuf,
    /// Variables for var() in packages.yml, as a YAML mapping: '{key: value}'.
    #[arg(long)]
    pub vars: Option<String>,
    /// Resolve the packages again instead of installing the lock's revisions.
    #[arg(long)]
    pub upgrade: bool,
    /// Only resolve and write package-lock.yml; install nothing.
    #[arg(long)]
    pub lock: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// `fusionc sql <subcommand>`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    #[command(subcommand)]
    pub command: SqlCommand,
}

/// The subcommands of `fusionc sql`.
#[derive(Debug, Subcommand)]
pub enum SqlCommand {
    /// Check the syntax of SQL in one dialect; prints the syntax tree.
    Parse(crate::sql_command::SqlInputArgs),
    /// Parse, bind and type check SQL; prints the output columns and their types.
    Check(crate::sql_command::SqlCheckArgs),
    /// Column lineage of SQL: for each output column, the table columns it reads and how.
    Lineage(crate::sql_command::SqlCheckArgs),
}

/// Options every project command takes.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// The folder holding dbt_project.yml.
    #[arg(long, default_value = ".")]
    pub project_dir: PathBuf,
    /// The folder holding profiles.yml (else the project folder, then ~/.dbt).
    #[arg(long)]
    pub profiles_dir: Option<PathBuf>,
    /// The profile target to use instead of the profile's default.
    #[arg(long, short = 't')]
    pub target: Option<String>,
    /// Variables as a YAML mapping, overriding the project's: '{key: value}'.
    #[arg(long)]
    pub vars: Option<String>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Print how long each phase took, on stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct SelectionArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Nodes to include (dbt selector syntax); all nodes when absent.
    #[arg(long, short = 's', num_args = 1.., alias = "models", short_alias = 'm')]
    pub select: Vec<String>,
    /// Nodes to leave out (dbt selector syntax).
    #[arg(long, num_args = 1..)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// What to print for each node.
    #[arg(long, short = 'o', value_enum, default_value_t = ListOutput::Selector)]
    pub output: ListOutput,
    /// Only nodes of these resource types (model, seed, source, test, snapshot, analysis).
    #[arg(long, num_args = 1..)]
    pub resource_type: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// For people: codespan-style reports, in colour on a terminal.
    Text,
    /// For tools: one JSON object per diagnostic, one per line.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListOutput {
    /// The dotted fqn, as `dbt ls` prints by default.
    Selector,
    /// The node's name.
    Name,
    /// The defining file.
    Path,
    /// One JSON object per node.
    Json,
}

/// Process exit codes.
pub mod exit_code {
    /// No error was found.
    pub const SUCCESS: i32 = 0;
    /// The project holds an error (SQL, Jinja, graph, YAML of a model...).
    pub const PROJECT_ERROR: i32 = 1;
    /// Usage or configuration problem: bad arguments, no project, no profile.
    pub const USAGE_ERROR: i32 = 2;
}

/// Where a command writes: stdout for results, stderr for diagnostics and
/// progress. Tests pass buffers; the binary passes the process streams.
pub struct Output<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Whether stderr is a terminal that understands colours.
    pub color: bool,
}

/// Runs fusionc with these arguments (the first is the program name).
/// Returns the process exit code.
pub fn run<I, T>(arguments: I, output: &mut Output<'_>) -> i32
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
    match cli.command {
        Command::Parse(arguments) => crate::commands::parse(&arguments, output),
        Command::Compile(arguments) => crate::commands::compile(&arguments, output),
        Command::Ls(arguments) => crate::commands::list(&arguments, output),
        Command::Lineage(arguments) => crate::lineage_command::lineage(&arguments, output),
        Command::Sql(arguments) => match arguments.command {
            SqlCommand::Parse(arguments) => crate::sql_command::parse(&arguments, output),
            SqlCommand::Check(arguments) => crate::sql_command::check(&arguments, output),
            SqlCommand::Lineage(arguments) => crate::sql_command::lineage(&arguments, output),
        },
        Command::Seed(arguments) => {
            crate::run::execute(crate::run::RunKind::Seed, &arguments, output)
        }
        Command::Run(arguments) => {
            crate::run::execute(crate::run::RunKind::Run, &arguments, output)
        }
        Command::Snapshot(arguments) => {
            crate::run::execute(crate::run::RunKind::Snapshot, &arguments, output)
        }
        Command::Test(arguments) => {
            crate::run::execute(crate::run::RunKind::Test, &arguments, output)
        }
        Command::Build(arguments) => {
            crate::run::execute(crate::run::RunKind::Build, &arguments, output)
        }
        Command::Show(arguments) => crate::show::show(&arguments, output),
        Command::Deps(arguments) => crate::deps::deps(&arguments, output),
    }
}
