//! What every project command shares: loading the project and its dialect
//! (the session), opening the target's warehouse, selecting nodes, reporting
//! diagnostics, the summary line and the exit code they imply.

use crate::adapter::{Adapter, Connection};
use crate::cli::{exit_code, LogFormat, Output, ProjectArgs, SelectionArgs};
use crate::diagnostics::{DiagnosticContext, RenderedOrigin};
use crate::select::{
    command_line_spec, parse_definitions, parse_selector, IndirectSelection, SelectableNode,
    SelectionGraph, Selector,
};
use fusion_dialects::Dialect;
use fusion_frontend::{LoadOptions, LoadResult, Project};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::severity::Severity;
use std::time::Instant;

/// A loaded project with the dialect its profile selects.
pub(crate) struct Session {
    pub(crate) load: LoadResult,
    pub(crate) dialect: &'static dyn Dialect,
}

impl Session {
    pub(crate) fn project(&self) -> &Project {
        self.load
            .project
            .as_ref()
            .expect("a session always holds a project")
    }
}

/// Loads the project the arguments name and picks its dialect; a usage
/// error (no project, no profile, an unsupported adapter) is reported here
/// and returned as the exit code.
pub(crate) fn load_session(
    arguments: &ProjectArgs,
    output: &mut Output<'_>,
) -> Result<Session, i32> {
    let options = LoadOptions {
        project_dir: arguments.project_dir.clone(),
        profiles_dir: arguments.profiles_dir.clone(),
        target: arguments.target.clone(),
        vars: arguments.vars.clone(),
        adapter_naming: crate::adapter::naming::naming_for_adapter,
    };
    let load = fusion_frontend::load_project(&options);
    let Some(project) = &load.project else {
        report_diagnostics(&load, &load.diagnostics, arguments.log_format, output);
        return Err(exit_code::USAGE_ERROR);
    };
    // dbt refuses the project when selectors.yml is malformed, whatever the
    // command selects.
    if load
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.code == Code::InvalidSelectors && diagnostic.is_error())
    {
        report_diagnostics(&load, &load.diagnostics, arguments.log_format, output);
        return Err(exit_code::USAGE_ERROR);
    }
    let Some(dialect) = fusion_dialects::dialect_for_adapter(&project.target.adapter_type) else {
        let diagnostic = Diagnostic::new(
            Code::UnsupportedAdapter,
            format!(
                "the profile's adapter type `{}` is not supported",
                project.target.adapter_type
            ),
        )
        .with_help("fusionc supports: duckdb");
        report_diagnostics(&load, &[diagnostic], arguments.log_format, output);
        return Err(exit_code::USAGE_ERROR);
    };
    Ok(Session { load, dialect })
}

/// Prints diagnostics, errors last so that they stay on screen.
pub(crate) fn report_diagnostics(
    load: &LoadResult,
    diagnostics: &[Diagnostic],
    format: LogFormat,
    output: &mut Output<'_>,
) {
    let mut context = DiagnosticContext::new(&load.files);
    if let Some(project) = &load.project {
        for details in &project.nodes {
            if let (Some(rendered), Some(template)) = (&details.rendered, details.file) {
                context.add_origin(
                    rendered.file,
                    RenderedOrigin {
                        template,
                        source_map: &rendered.source_map,
                    },
                );
            }
        }
    }
    let mut ordered: Vec<&Diagnostic> = diagnostics.iter().collect();
    ordered.sort_by_key(|diagnostic| diagnostic.severity);
    for diagnostic in ordered {
        match format {
            LogFormat::Text => {
                let _ = write!(output.stderr, "{}", context.render_plain(diagnostic));
            }
            LogFormat::Json => {
                let _ = writeln!(output.stdout, "{}", context.render_json(diagnostic));
            }
        }
    }
}

fn count_severity(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == severity)
        .count()
}

/// `3 models, 1 seed: 0 errors, 1 warning`: the selected nodes by kind, and
/// how many errors and warnings were found.
pub(crate) fn summary_line(
    project: &Project,
    selected: &[bool],
    diagnostics: &[Diagnostic],
) -> String {
    let mut counts: Vec<(NodeKind, usize)> = Vec::new();
    for (index, details) in project.nodes.iter().enumerate() {
        if !selected[index] {
            continue;
        }
        match counts.iter_mut().find(|(kind, _)| *kind == details.kind) {
            Some((_, count)) => *count += 1,
            None => counts.push((details.kind, 1)),
        }
    }
    counts.sort_by_key(|(kind, _)| kind_order(*kind));
    let nodes: Vec<String> = counts
        .iter()
        .map(|(kind, count)| {
            let noun = match kind {
                NodeKind::UnitTest => "unit test",
                other => other.resource_type(),
            };
            format!("{count} {noun}{}", if *count == 1 { "" } else { "s" })
        })
        .collect();
    let errors = count_severity(diagnostics, Severity::Error);
    let warnings = count_severity(diagnostics, Severity::Warning);
    format!(
        "{}: {} error{}, {} warning{}",
        if nodes.is_empty() {
            "no nodes".to_string()
        } else {
            nodes.join(", ")
        },
        errors,
        if errors == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" },
    )
}

fn kind_order(kind: NodeKind) -> u8 {
    match kind {
        NodeKind::Model => 0,
        NodeKind::Seed => 1,
        NodeKind::Source => 2,
        NodeKind::Snapshot => 3,
        NodeKind::Test => 4,
        NodeKind::Analysis => 5,
        NodeKind::UnitTest => 6,
    }
}

/// Errors in how fusionc was called or configured, rather than in the project.
pub(crate) fn is_usage_error(diagnostic: &Diagnostic) -> bool {
    diagnostic.is_error()
        && matches!(
            diagnostic.code,
            Code::ProjectFileMissing
                | Code::ProfileNotFound
                | Code::UnsupportedAdapter
                | Code::InvalidVarsArgument
                | Code::InvalidSelectors
        )
}

/// The exit code these diagnostics call for.
pub(crate) fn exit_code_for(diagnostics: &[Diagnostic]) -> i32 {
    if diagnostics.iter().any(is_usage_error) {
        exit_code::USAGE_ERROR
    } else if diagnostics.iter().any(Diagnostic::is_error) {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    }
}

/// The last line of `parse` and `compile`: what was done, to what, and how
/// long it took.
pub(crate) fn print_summary(
    output: &mut Output<'_>,
    format: LogFormat,
    verb: &str,
    line: &str,
    started: Instant,
) {
    let seconds = started.elapsed().as_secs_f64();
    match format {
        LogFormat::Text => {
            let _ = writeln!(output.stdout, "{verb} {line} in {seconds:.2}s");
        }
        LogFormat::Json => {
            let _ = writeln!(
                output.stdout,
                "{}",
                serde_json::json!({"summary": format!("{verb} {line}"), "elapsed_seconds": seconds})
            );
        }
    }
}

/// The project as the selector language sees it: its nodes, then the
/// resources that never run (exposures, metrics, semantic models, saved
/// queries; not groups, which dbt does not select), each with its edges.
fn selection_graph(project: &Project) -> SelectionGraph {
    let mut nodes: Vec<SelectableNode> = project
        .nodes
        .iter()
        .map(|details| SelectableNode {
            unique_id: details.unique_id.clone(),
            name: details.name.clone(),
            resource_type: details.kind.resource_type().to_string(),
            package_name: details.package_name.clone(),
            original_file_path: details.original_file_path.clone(),
            fqn: details.fqn.clone(),
            tags: details.config.tags(),
            config: details.config.values.clone(),
            source_name: details
                .source
                .as_ref()
                .map(|source| source.source_name.clone()),
            is_versioned: details.version.is_some(),
            test_type: match details.kind {
                NodeKind::UnitTest => Some("unit"),
                NodeKind::Test if details.test.is_some() => Some("generic"),
                NodeKind::Test => Some("singular"),
                _ => None,
            },
        })
        .collect();
    let ids = (0..project.nodes.len()).map(|index| NodeId(index as u32));
    let mut parents: Vec<Vec<usize>> = ids
        .clone()
        .map(|id| {
            project
                .graph
                .parents(id)
                .iter()
                .map(|parent| parent.index())
                .collect()
        })
        .collect();
    let mut children: Vec<Vec<usize>> = ids
        .map(|id| {
            project
                .graph
                .children(id)
                .iter()
                .map(|child| child.index())
                .collect()
        })
        .collect();
    let listed = project.listed_declared();
    let mut positions: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    if listed.clone().next().is_some() {
        positions.extend(
            project
                .nodes
                .iter()
                .enumerate()
                .map(|(index, details)| (details.unique_id.clone(), index)),
        );
    }
    for resource in listed.clone() {
        positions.insert(resource.unique_id.clone(), nodes.len());
        nodes.push(SelectableNode {
            unique_id: resource.unique_id.clone(),
            name: resource.name.clone(),
            resource_type: resource.kind.resource_type().to_string(),
            package_name: resource.package_name.clone(),
            original_file_path: resource.original_file_path.clone(),
            fqn: resource.fqn.clone(),
            tags: resource.tags(),
            config: resource.config.clone(),
            source_name: None,
            is_versioned: false,
            test_type: None,
        });
        parents.push(Vec::new());
        children.push(Vec::new());
    }
    for resource in listed {
        let child = positions[&resource.unique_id];
        for parent in &resource.depends_on {
            if let Some(&parent) = positions.get(parent) {
                parents[child].push(parent);
                children[parent].push(child);
            }
        }
    }
    SelectionGraph {
        nodes,
        parents,
        children,
    }
}

/// The selection flags, or a usage error already reported. As dbt's
/// `get_selection_spec`: `--selector` names a selector of selectors.yml;
/// without it, `--select`/`--exclude`; with neither, the selector marked
/// `default: true` if there is one, else every node.
pub(crate) fn select_nodes(
    session: &Session,
    arguments: &SelectionArgs,
    output: &mut Output<'_>,
) -> Result<Vec<bool>, i32> {
    let project = session.project();
    let (mut nodes, _) = select_nodes_and_declared(session, arguments, output)?;
    nodes.truncate(project.nodes.len());
    Ok(nodes)
}

/// The selection over the nodes and over the listed resources that never
/// run (those of [`Project::declared`] but groups, in order).
pub(crate) fn select_nodes_and_declared(
    session: &Session,
    arguments: &SelectionArgs,
    output: &mut Output<'_>,
) -> Result<(Vec<bool>, Vec<bool>), i32> {
    let project = session.project();
    let from_environment = std::env::var("DBT_INDIRECT_SELECTION").ok();
    let indirect = arguments
        .indirect_selection
        .as_deref()
        .or(from_environment.as_deref())
        .and_then(IndirectSelection::parse)
        .unwrap_or_default();
    let (selectors, definitions) = match &project.selectors {
        Some(selectors) => match parse_definitions(&selectors.selectors, indirect) {
            Ok(specs) => (Some(selectors), specs),
            Err((index, message)) => {
                let diagnostic = Diagnostic::new(Code::InvalidSelectors, message).with_primary(
                    selectors.file,
                    selectors.selectors[index].name_span,
                    "this selector",
                );
                return Err(usage_error(session, arguments, diagnostic, output));
            }
        },
        None => (None, Vec::new()),
    };
    let named = |name: &str| {
        selectors.and_then(|selectors| {
            selectors
                .selectors
                .iter()
                .position(|selector| selector.name == name)
        })
    };
    let spec = if let Some(name) = &arguments.selector {
        let Some(index) = named(name) else {
            let known: Vec<&str> = selectors
                .map(|selectors| {
                    selectors
                        .selectors
                        .iter()
                        .map(|selector| selector.name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let mut diagnostic = Diagnostic::new(
                Code::InvalidSelectors,
                format!("--selector names `{name}`, which selectors.yml does not define"),
            );
            diagnostic = if known.is_empty() {
                diagnostic.with_help("the project has no selectors.yml, or it defines no selector")
            } else {
                diagnostic.with_help(format!("the selectors are: {}", known.join(", ")))
            };
            return Err(usage_error(session, arguments, diagnostic, output));
        };
        definitions[index].clone()
    } else if arguments.select.is_empty() && arguments.exclude.is_empty() {
        let default = selectors.and_then(|selectors| {
            selectors
                .selectors
                .iter()
                .position(|selector| selector.default)
        });
        match default {
            Some(index) => definitions[index].clone(),
            // Everything is selected: no need to build the selection graph,
            // which copies every node's name, path and config.
            None => {
                let listed = project.listed_declared().count();
                let mut selected = vec![true; project.nodes.len()];
                exclude_resource_types(project, arguments, &mut selected);
                return Ok((selected, vec![true; listed]));
            }
        }
    } else {
        let parse = |values: &[String]| -> Result<Option<Selector>, String> {
            if values.is_empty() {
                Ok(None)
            } else {
                parse_selector(values).map(Some)
            }
        };
        match (parse(&arguments.select), parse(&arguments.exclude)) {
            (Ok(include), Ok(exclude)) => {
                command_line_spec(include.as_ref(), exclude.as_ref(), indirect)
            }
            (Err(message), _) | (_, Err(message)) => {
                let _ = writeln!(output.stderr, "error: {message}");
                return Err(exit_code::USAGE_ERROR);
            }
        }
    };
    let mut selected = selection_graph(project).select(&spec);
    let declared = selected.split_off(project.nodes.len());
    exclude_resource_types(project, arguments, &mut selected);
    Ok((selected, declared))
}

/// Reports a usage error of the selection and gives its exit code.
fn usage_error(
    session: &Session,
    arguments: &SelectionArgs,
    diagnostic: Diagnostic,
    output: &mut Output<'_>,
) -> i32 {
    report_diagnostics(
        &session.load,
        &[diagnostic],
        arguments.project.log_format,
        output,
    );
    exit_code::USAGE_ERROR
}

/// `--exclude-resource-type`: drops the selected nodes of those types.
fn exclude_resource_types(project: &Project, arguments: &SelectionArgs, selected: &mut [bool]) {
    if arguments.exclude_resource_type.is_empty() {
        return;
    }
    for (flag, details) in selected.iter_mut().zip(&project.nodes) {
        let kind = details.kind.resource_type();
        if arguments
            .exclude_resource_type
            .iter()
            .any(|excluded| excluded == kind)
        {
            *flag = false;
        }
    }
}

/// Opens the warehouse the profile's target names. The error's flag says
/// the warehouse is only busy: another process holds it (see
/// [`AdapterError::busy`]).
///
/// [`AdapterError::busy`]: crate::adapter::AdapterError::busy
#[expect(
    clippy::result_large_err,
    reason = "one diagnostic, made once per command when the warehouse does not open"
)]
fn open_adapter(project: &Project) -> Result<Box<dyn Adapter>, (Diagnostic, bool)> {
    let target = &project.target;
    match target.adapter_type.as_str() {
        "duckdb" => {
            let path = target
                .path
                .clone()
                .unwrap_or_else(|| ":memory:".to_string());
            let options = crate::adapter::duckdb::DuckDbSessionOptions::from_target(&target.extra);
            crate::adapter::duckdb::DuckDbAdapter::open_with(&path, &options)
                .map(|adapter| Box::new(adapter) as Box<dyn Adapter>)
                .map_err(|error| {
                    let diagnostic = Diagnostic::new(Code::WarehouseUnavailable, error.message)
                        .with_help(format!(
                            "check `path` of target `{}` in profile `{}`",
                            target.target_name, target.profile_name
                        ));
                    (diagnostic, error.busy)
                })
        }
        "postgres" => open_postgres(project).map_err(|diagnostic| (diagnostic, false)),
        other => Err((
            Diagnostic::new(
                Code::UnsupportedAdapter,
                format!(
                    "fusionc cannot run projects on `{other}` yet: it runs them on duckdb and postgres"
                ),
            )
            .with_help("`fusionc compile` analyses the project for any supported dialect"),
            false,
        )),
    }
}

/// Opens a Postgres target: its profile keys checked (FC0040), then one
/// connection tried, so that a wrong password, an unknown database or a
/// server that is down stops the command before anything runs, with a code
/// of its own (FC5100-FC5103). No message names the password.
#[expect(
    clippy::result_large_err,
    reason = "a Diagnostic is the one error of opening the warehouse, reported at once"
)]
fn open_postgres(project: &Project) -> Result<Box<dyn Adapter>, Diagnostic> {
    use crate::adapter::postgres::{ConnectFailure, PostgresAdapter, PostgresSettings};
    let target = &project.target;
    let where_set = format!(
        "target `{}` of profile `{}`",
        target.target_name, target.profile_name
    );
    let settings = PostgresSettings::from_target(target).map_err(|problem| {
        Diagnostic::new(
            Code::PostgresProfileInvalid,
            format!("{}: {}", where_set, problem.message),
        )
        .with_help(format!(
            "set `{}` in {where_set} as dbt-postgres reads it",
            problem.key
        ))
    })?;
    let described = settings.describe();
    let user = settings.user.clone();
    let failure_diagnostic = |failure: ConnectFailure| {
        let (code, help) = match &failure {
            ConnectFailure::Authentication(_) => (
                Code::PostgresAuthenticationFailed,
                format!("check `user` and `password` of {where_set} (user `{user}`)"),
            ),
            ConnectFailure::UnknownDatabase(_) => (
                Code::PostgresUnknownDatabase,
                format!("check `dbname` of {where_set}, or create the database on the server"),
            ),
            ConnectFailure::Unreachable(_) => (
                Code::PostgresUnreachable,
                format!(
                    "check that a Postgres server runs at {described} and that `host`, `port` and `sslmode` of {where_set} are right"
                ),
            ),
            ConnectFailure::Refused(_) => (
                Code::PostgresConnectionRefused,
                format!("check `role` and `search_path` of {where_set}"),
            ),
        };
        Diagnostic::new(code, failure.message().to_string()).with_help(help)
    };
    let adapter = PostgresAdapter::new(settings).map_err(&failure_diagnostic)?;
    // The first connection proves the profile right; the run opens its own.
    adapter.open_connection().map_err(&failure_diagnostic)?;
    Ok(Box::new(adapter))
}

/// The profile's warehouse and a first connection to it.
pub(crate) struct ConnectedWarehouse {
    pub(crate) adapter: Box<dyn Adapter>,
    pub(crate) connection: Box<dyn Connection>,
}

/// Opens the profile's warehouse and one connection to it. A failure is
/// reported, and returned as the exit code.
pub(crate) fn connect_to_warehouse(
    session: &Session,
    log_format: LogFormat,
    output: &mut Output<'_>,
) -> Result<ConnectedWarehouse, i32> {
    try_connect_to_warehouse(session).map_err(|(diagnostic, _)| {
        report_diagnostics(&session.load, &[diagnostic], log_format, output);
        exit_code::USAGE_ERROR
    })
}

/// [`connect_to_warehouse`] without reporting: the error, and whether the
/// warehouse is only busy (held by another process).
#[expect(
    clippy::result_large_err,
    reason = "one diagnostic, made once per command when the warehouse does not open"
)]
pub(crate) fn try_connect_to_warehouse(
    session: &Session,
) -> Result<ConnectedWarehouse, (Diagnostic, bool)> {
    let adapter = open_adapter(session.project())?;
    match adapter.connect() {
        Ok(connection) => Ok(ConnectedWarehouse {
            adapter,
            connection,
        }),
        Err(error) => Err((
            Diagnostic::new(Code::WarehouseUnavailable, error.message),
            error.busy,
        )),
    }
}
