//! The command line's vocabulary: the arguments of every command (clap), the
//! output streams and the exit codes. It imports nothing else of the driver,
//! so every command can import it; `crate::run_command_line` dispatches.

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;
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
    Lineage(LineageArgs),
    /// Work on single SQL texts without a project: parse, check.
    Sql(SqlArgs),
    /// Load the seeds (CSV files) into the warehouse.
    Seed(RunArgs),
    /// Build the selected models in the warehouse, in DAG order.
    Run(RunArgs),
    /// Record the selected snapshots' history.
    Snapshot(RunArgs),
    /// Run the selected data tests.
    Test(RunArgs),
    /// Seeds, models, snapshots and tests in DAG order; a node's tests run right after it.
    Build(RunArgs),
    /// Run a query (a model, or inline SQL with Jinja) and print its rows.
    Show(ShowArgs),
    /// Install the packages of packages.yml (or dependencies.yml) into the packages folder.
    Deps(DepsArgs),
    /// The state store of state-aware runs: show what it holds, or clear it.
    State(StateArgs),
    /// Sources: `fusionc source freshness` checks how recent their data is.
    Source(SourceArgs),
    /// Documentation: `fusionc docs generate` writes target/catalog.json from the warehouse.
    Docs(DocsArgs),
}

/// `fusionc docs <subcommand>`.
#[derive(Debug, Args)]
pub struct DocsArgs {
    #[command(subcommand)]
    pub command: DocsCommand,
}

/// The subcommands of `fusionc docs`.
#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// Compile the project, then write target/catalog.json from the
    /// warehouse's catalog (the relations that exist, their columns and
    /// types as the warehouse reports them), as `dbt docs generate` does.
    Generate(DocsGenerateArgs),
}

#[derive(Debug, Args)]
pub struct DocsGenerateArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Do not compile first: read the catalog only.
    #[arg(long)]
    pub no_compile: bool,
    /// Write a catalog without querying the warehouse (no nodes, no sources).
    #[arg(long)]
    pub empty_catalog: bool,
}

/// `fusionc source <subcommand>`.
#[derive(Debug, Args)]
pub struct SourceArgs {
    #[command(subcommand)]
    pub command: SourceCommand,
}

/// The subcommands of `fusionc source`.
#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Check the selected sources' latest `loaded_at_field` (or
    /// `loaded_at_query`) against their `warn_after` and `error_after`, and
    /// write target/sources.json as dbt does.
    Freshness(SourceFreshnessArgs),
}

#[derive(Debug, Args)]
pub struct SourceFreshnessArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Where to write the results (else target/sources.json).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

/// `fusionc state <subcommand>`.
#[derive(Debug, Args)]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
}

/// The subcommands of `fusionc state`.
#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the target's nodes with their last build, status and markers.
    Show(StateStoreArgs),
    /// Forget every recorded build of the target: the next run builds everything.
    Clear(StateStoreArgs),
}

#[derive(Debug, Args)]
pub struct StateStoreArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// The schema of the state store (else the project's
    /// `fusionc_state_schema` var, else `fusionc_state`).
    #[arg(long, env = "FUSIONC_STATE_SCHEMA")]
    pub state_schema: Option<String>,
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
    Parse(SqlInputArgs),
    /// Parse, bind and type check SQL; prints the output columns and their types.
    Check(SqlCheckArgs),
    /// Column lineage of SQL: for each output column, the table columns it reads and how.
    Lineage(SqlCheckArgs),
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
    /// A selector of the project's selectors.yml, instead of --select and
    /// --exclude.
    #[arg(long)]
    pub selector: Option<String>,
    /// Which tests come along with the selected nodes: eager (any node
    /// they test is selected), cautious (all of them), buildable (all of
    /// them or their ancestors) or empty (none). Default: the environment
    /// variable DBT_INDIRECT_SELECTION, else eager.
    #[arg(long, value_parser = ["eager", "cautious", "buildable", "empty"])]
    pub indirect_selection: Option<String>,
    /// Leave out nodes of these resource types (`unit_test`, `test`, ...).
    #[arg(long, num_args = 1..)]
    pub exclude_resource_type: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// What to print for each node.
    #[arg(long, short = 'o', value_enum, default_value_t = ListOutput::Selector)]
    pub output: ListOutput,
    /// Only nodes of these resource types (model, seed, source, test, snapshot, analysis,
    /// exposure, metric, semantic_model, saved_query; `all` for every one).
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

// ---- `fusionc lineage` ----

#[derive(Debug, Args)]
pub struct LineageArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// A model, seed, snapshot or source (`name`, `source_name.table` or a
    /// unique id), optionally followed by `.column`.
    #[arg(value_name = "NODE[.COLUMN]")]
    pub node_or_column: String,
    /// Which way to walk: to the columns read (up), to the readers (down), or both.
    #[arg(long, value_enum, default_value_t = LineageDirection::Up)]
    pub direction: LineageDirection,
    /// How many edges to follow (all when absent).
    #[arg(long)]
    pub depth: Option<usize>,
    /// How to print the lineage.
    #[arg(long, short = 'o', value_enum, default_value_t = LineageOutput::Tree)]
    pub output: LineageOutput,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineageDirection {
    Up,
    Down,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LineageOutput {
    /// An indented tree, for people.
    Tree,
    /// One JSON object: every column reached, with the edge that reached it.
    Json,
    /// A Graphviz digraph.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

// ---- `fusionc sql` ----

/// How `fusionc sql` prints its results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SqlOutput {
    /// For people: a summary, columns as `name type`, rendered diagnostics.
    Text,
    /// For tools: one JSON object.
    Json,
}

/// What every `fusionc sql` subcommand reads.
#[derive(Debug, Args)]
pub struct SqlInputArgs {
    /// The dialect: duckdb, snowflake, bigquery, databricks (or spark), redshift, postgres.
    #[arg(long, short = 'd')]
    pub dialect: String,
    /// The SQL file to read; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// How to print results.
    #[arg(long, short = 'o', value_enum, default_value_t = SqlOutput::Text)]
    pub output: SqlOutput,
}

/// Arguments of `fusionc sql check`.
#[derive(Debug, Args)]
pub struct SqlCheckArgs {
    #[command(flatten)]
    pub input: SqlInputArgs,
    /// A JSON file mapping table names (optionally `schema.table`) to
    /// `{column: type}`.
    #[arg(long)]
    pub schema: Option<PathBuf>,
}

// ---- `fusionc show` ----

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// SQL to run instead of a model; Jinja (ref, source, macros) is rendered.
    #[arg(long)]
    pub inline: Option<String>,
    /// At most this many rows (a negative number shows them all).
    #[arg(long, default_value_t = 5, allow_negative_numbers = true)]
    pub limit: i64,
    /// How to print the rows.
    #[arg(long, value_enum, default_value_t = ShowOutput::Text)]
    pub output: ShowOutput,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowOutput {
    /// A Markdown-style table.
    Text,
    /// `{"node": ..., "show": [{column: value}, ...]}`.
    Json,
}

// ---- `fusionc seed | run | snapshot | test | build` ----

/// The static analysis modes a flag can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StaticAnalysisFlag {
    /// Analyse everything ahead of time; any error stops the command before it writes.
    On,
    /// Same as `on`.
    Strict,
    /// Analyse, but report findings as warnings.
    Baseline,
    /// Analyse just in time, after the node's parents ran.
    Unsafe,
    /// No analysis.
    Off,
}

/// Options of the commands that execute.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Worker threads (else the profile's `threads`).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Rebuild incremental models from scratch, and reload seeds.
    #[arg(long)]
    pub full_refresh: bool,
    /// Override every node's `static_analysis` config.
    #[arg(long, value_enum)]
    pub static_analysis: Option<StaticAnalysisFlag>,
    /// Only nodes of these resource types (`unit_test`, `test`, `model`, ...).
    #[arg(long, num_args = 1..)]
    pub resource_type: Vec<String>,
    /// Build every selected node, even those with neither new code nor new
    /// data (`build` and `run` reuse them by default); state is still recorded.
    #[arg(long)]
    pub force_node_selection: bool,
    /// Print what each selected node would do and why (build or reuse),
    /// without building anything; `--log-format json` prints it as JSON.
    #[arg(long)]
    pub explain: bool,
    /// The schema of the state store in the target's database (else the
    /// project's `fusionc_state_schema` var, else `fusionc_state`).
    #[arg(long, env = "FUSIONC_STATE_SCHEMA")]
    pub state_schema: Option<String>,
    /// When another process holds the warehouse (a DuckDB file lets one
    /// process write), wait for it instead of stopping at once.
    #[arg(long)]
    pub wait: bool,
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
