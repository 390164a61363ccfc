//! The commands: `parse`, `compile`, `ls`. Each loads the project, does its
//! work, reports diagnostics and returns the exit code.

use crate::cli::{exit_code, ListArgs, ListOutput, LogFormat, Output, ProjectArgs, SelectionArgs};
use crate::diagnostics::{DiagnosticContext, RenderedOrigin};
use crate::select::{parse_selector, SelectableNode, SelectionGraph};
use fusion_dialects::Dialect;
use fusion_frontend::{LoadOptions, LoadResult, Project};
use fusion_ir::diagnostic::{Diagnostic, Severity};
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::schema::RelationSchema;
use rayon::prelude::*;
use std::borrow::Cow;
use std::path::Path;
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

pub(crate) fn load(arguments: &ProjectArgs, output: &mut Output<'_>) -> Result<Session, i32> {
    let options = LoadOptions {
        project_dir: arguments.project_dir.clone(),
        profiles_dir: arguments.profiles_dir.clone(),
        target: arguments.target.clone(),
        vars: arguments.vars.clone(),
        adapter_naming: crate::adapter::naming::naming_for_adapter,
    };
    let load = fusion_frontend::load_project(&options);
    let Some(project) = &load.project else {
        report(&load, &load.diagnostics, arguments.log_format, output);
        return Err(exit_code::USAGE_ERROR);
    };
    let Some(dialect) = fusion_dialects::dialect_for_adapter(&project.target.adapter_type) else {
        let diagnostic = Diagnostic::new(
            fusion_ir::codes::Code::UnsupportedAdapter,
            format!(
                "the profile's adapter type `{}` is not supported",
                project.target.adapter_type
            ),
        )
        .with_help("fusionc supports: duckdb");
        report(&load, &[diagnostic], arguments.log_format, output);
        return Err(exit_code::USAGE_ERROR);
    };
    Ok(Session { load, dialect })
}

/// Prints diagnostics, errors last so that they stay on screen.
pub(crate) fn report(
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

fn summary_line(project: &Project, selected: &[bool], diagnostics: &[Diagnostic]) -> String {
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
            let noun = kind.resource_type();
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
    }
}

/// Errors in how fusionc was called or configured, rather than in the project.
pub(crate) fn is_usage_error(diagnostic: &Diagnostic) -> bool {
    use fusion_ir::codes::Code;
    diagnostic.is_error()
        && matches!(
            diagnostic.code,
            Code::ProjectFileMissing
                | Code::ProfileNotFound
                | Code::UnsupportedAdapter
                | Code::InvalidVarsArgument
        )
}

fn exit_for(diagnostics: &[Diagnostic]) -> i32 {
    if diagnostics.iter().any(is_usage_error) {
        exit_code::USAGE_ERROR
    } else if diagnostics.iter().any(Diagnostic::is_error) {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    }
}

/// `fusionc parse`: load, render, build the graph.
pub fn parse(arguments: &ProjectArgs, output: &mut Output<'_>) -> i32 {
    let started = Instant::now();
    let session = match load(arguments, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let project = session.project();
    report(
        &session.load,
        &session.load.diagnostics,
        arguments.log_format,
        output,
    );
    let everything = vec![true; project.nodes.len()];
    let line = summary_line(project, &everything, &session.load.diagnostics);
    print_summary(output, arguments.log_format, "parsed", &line, started);
    let code = exit_for(&session.load.diagnostics);
    // The process ends after this command: the loaded project is left to
    // the operating system rather than freed one allocation at a time.
    std::mem::forget(session);
    code
}

fn print_summary(
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

/// `--timings`: one line per phase, on stderr.
fn print_timings(output: &mut Output<'_>, timings: &[(&'static str, std::time::Duration)]) {
    for (phase, duration) in timings {
        let _ = writeln!(
            output.stderr,
            "timing {phase:<24} {:>9.1} ms",
            duration.as_secs_f64() * 1000.0
        );
    }
}

fn selection_graph(project: &Project) -> SelectionGraph {
    let nodes = project
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
        })
        .collect();
    let ids = (0..project.nodes.len()).map(|index| NodeId(index as u32));
    let parents = ids
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
    let children = ids
        .map(|id| {
            project
                .graph
                .children(id)
                .iter()
                .map(|child| child.index())
                .collect()
        })
        .collect();
    SelectionGraph {
        nodes,
        parents,
        children,
    }
}

/// The selection flags, or a usage error already reported.
pub(crate) fn select(
    project: &Project,
    arguments: &SelectionArgs,
    output: &mut Output<'_>,
) -> Result<Vec<bool>, i32> {
    let parse = |values: &[String]| -> Result<Option<crate::select::Selector>, String> {
        if values.is_empty() {
            Ok(None)
        } else {
            parse_selector(values).map(Some)
        }
    };
    let (include, exclude) = match (parse(&arguments.select), parse(&arguments.exclude)) {
        (Ok(include), Ok(exclude)) => (include, exclude),
        (Err(message), _) | (_, Err(message)) => {
            let _ = writeln!(output.stderr, "error: {message}");
            return Err(exit_code::USAGE_ERROR);
        }
    };
    if include.is_none() && exclude.is_none() {
        // Everything is selected: no need to build the selection graph,
        // which copies every node's name, path and config.
        return Ok(vec![true; project.nodes.len()]);
    }
    Ok(selection_graph(project).select(include.as_ref(), exclude.as_ref()))
}

/// `fusionc compile`: also parse and analyse the SQL, write the artifacts.
pub fn compile(arguments: &SelectionArgs, output: &mut Output<'_>) -> i32 {
    let started = Instant::now();
    let session = match load(&arguments.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let project = session.project();
    let selected = match select(project, arguments, output) {
        Ok(selected) => selected,
        Err(code) => return code,
    };
    let mut diagnostics = session.load.diagnostics.clone();
    let mut timings = session.load.phase_timings.clone();
    let mut compiled_sql: Vec<Option<Cow<'_, str>>> = vec![None; project.nodes.len()];
    let mut lineage = None;
    let mut analysis = None;
    let mut output_schemas: Vec<RelationSchema> =
        vec![RelationSchema::Unknown; project.nodes.len()];
    if let Ok(order) = project.graph.topological_order() {
        let mut analysed = crate::pipeline::analyse(
            project,
            session.dialect,
            &order,
            &selected,
            &session.load.diagnostics,
        );
        let lineage_started = Instant::now();
        lineage = Some(crate::lineage_artifact::lineage_of_project(
            project, &order, &analysed,
        ));
        let lineage_time = lineage_started.elapsed();
        timings.extend(analysed.phase_timings.iter().copied());
        timings.push(("column lineage", lineage_time));
        output_schemas = analysed
            .schemas
            .iter()
            .map(|schema| schema.output.clone())
            .collect();
        diagnostics.append(&mut analysed.diagnostics);
        analysis = Some(analysed);
        let compiled_started = Instant::now();
        compiled_sql = (0..project.nodes.len())
            .into_par_iter()
            .map(|index| {
                let details = &project.nodes[index];
                let wanted = selected[index]
                    && details.rendered.is_some()
                    && details.kind != NodeKind::Source;
                wanted
                    .then(|| crate::compiled::compiled_sql(project, NodeId(index as u32)))
                    .flatten()
            })
            .collect();
        timings.push(("compiled SQL", compiled_started.elapsed()));
    }
    let artifacts_started = Instant::now();
    // lineage.json is written while the other artifacts are.
    let (written, lineage_written) = rayon::join(
        || {
            write_artifacts(
                project,
                &compiled_sql,
                &output_schemas,
                session.dialect.semantics(),
            )
        },
        || {
            let started = Instant::now();
            lineage
                .as_ref()
                .map_or(Ok(()), |lineage| {
                    crate::lineage_artifact::write_lineage_artifact(project, lineage)
                })
                .map(|()| started.elapsed())
        },
    );
    let written = written
        .map(|artifact_timings| timings.extend(artifact_timings))
        .and(lineage_written)
        .map(|lineage_time| timings.push(("lineage.json", lineage_time)));
    timings.push(("artifacts (wall)", artifacts_started.elapsed()));
    // The process ends after this command: freeing the project, its syntax
    // trees, bindings and lineage one allocation at a time would only delay
    // the exit (about a twentieth of a large compile), so they are left to
    // the operating system.
    std::mem::forget((analysis, lineage, compiled_sql, output_schemas));
    if arguments.project.timings {
        print_timings(output, &timings);
    }
    if let Err(error) = written {
        let _ = writeln!(
            output.stderr,
            "error: could not write the artifacts: {error}"
        );
        report(
            &session.load,
            &diagnostics,
            arguments.project.log_format,
            output,
        );
        return exit_code::PROJECT_ERROR;
    }
    report(
        &session.load,
        &diagnostics,
        arguments.project.log_format,
        output,
    );
    let line = summary_line(project, &selected, &diagnostics);
    print_summary(
        output,
        arguments.project.log_format,
        "compiled",
        &line,
        started,
    );
    let code = exit_for(&diagnostics);
    // As above (and in `parse`): the loaded project is left to the
    // operating system.
    std::mem::forget(session);
    code
}

/// Writes the compiled SQL, `manifest.json` and `catalog.json`. The manifest
/// is the largest and goes to its file from one thread (its node entries are
/// serialised in parallel batches), so it is written while the other two
/// are; returns how long each took.
pub(crate) fn write_artifacts(
    project: &Project,
    compiled_sql: &[Option<Cow<'_, str>>],
    schemas: &[RelationSchema],
    semantics: &dyn fusion_ir::semantics::DialectSemantics,
) -> std::io::Result<Vec<(&'static str, std::time::Duration)>> {
    use rayon::prelude::*;
    let target_dir = project.root_dir.join(&project.settings.target_path);
    let (generated_at, invocation_id) = crate::compiled::run_stamp();
    let inputs = crate::manifest::ManifestInputs {
        project,
        schemas,
        semantics,
        compiled_sql,
        generated_at,
        invocation_id,
    };
    let write_manifest = || {
        let started = Instant::now();
        write_file_with(&target_dir.join("manifest.json"), |writer| {
            crate::manifest::write_manifest(&inputs, writer).map_err(std::io::Error::other)
        })
        .map(|()| started.elapsed())
    };
    let write_the_rest = || -> std::io::Result<(std::time::Duration, std::time::Duration)> {
        let started = Instant::now();
        let compiled_files: Vec<(std::path::PathBuf, &str)> = compiled_sql
            .par_iter()
            .enumerate()
            .filter_map(|(index, sql)| {
                let path = target_dir.join(crate::compiled::compiled_relative_path(
                    &project.nodes[index],
                ));
                Some((path, sql.as_deref()?))
            })
            .collect();
        // Each folder once, then the files in parallel: tens of thousands
        // of compiled files are common and each is independent. A folder
        // made just now holds no earlier file to compare with.
        let folders: rustc_hash::FxHashSet<&Path> = compiled_files
            .iter()
            .filter_map(|(path, _)| path.parent())
            .collect();
        let mut new_folders = rustc_hash::FxHashSet::default();
        for folder in folders {
            if !folder.is_dir() {
                std::fs::create_dir_all(folder)?;
                new_folders.insert(folder);
            }
        }
        compiled_files.par_iter().try_for_each(|(path, sql)| {
            if path
                .parent()
                .is_some_and(|folder| new_folders.contains(folder))
            {
                std::fs::write(path, sql.as_bytes())
            } else {
                write_if_changed(path, sql.as_bytes())
            }
        })?;
        let compiled_time = started.elapsed();
        let started = Instant::now();
        let run = crate::catalog_artifact::CatalogRun {
            dbt_version: concat!("fusionc-", env!("CARGO_PKG_VERSION")),
            generated_at: &inputs.generated_at,
            invocation_id: &inputs.invocation_id,
        };
        crate::catalog_artifact::write_catalog(
            &target_dir.join("catalog.json"),
            project,
            schemas,
            semantics,
            &run,
        )?;
        Ok((compiled_time, started.elapsed()))
    };
    std::fs::create_dir_all(&target_dir)?;
    let (manifest_time, rest) = rayon::join(write_manifest, write_the_rest);
    let manifest_time = manifest_time?;
    let (compiled_time, catalog_time) = rest?;
    Ok(vec![
        ("compiled SQL files", compiled_time),
        ("manifest.json", manifest_time),
        ("catalog.json", catalog_time),
    ])
}

/// Writes a file through a temporary file and a rename, so a reader never
/// sees a half-written artifact.
/// Writes `contents` to `path` unless the file already holds exactly that:
/// on a re-compile most compiled files are unchanged, and reading a small
/// file costs less than truncating and rewriting it (and keeps its mtime,
/// so tools watching `target/` see only real changes).
fn write_if_changed(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Read;
    if let Ok(mut file) = std::fs::File::open(path) {
        let same_length = file
            .metadata()
            .is_ok_and(|metadata| metadata.len() == contents.len() as u64);
        if same_length {
            let mut existing = Vec::with_capacity(contents.len());
            if file.read_to_end(&mut existing).is_ok() && existing == contents {
                return Ok(());
            }
        }
    }
    std::fs::write(path, contents)
}

fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = path.with_extension("tmp-fusionc");
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&temporary)?);
    write(&mut writer)?;
    std::io::Write::flush(&mut writer)?;
    drop(writer);
    std::fs::rename(&temporary, path)
}

/// `fusionc ls`: the selected nodes, one per line.
pub fn list(arguments: &ListArgs, output: &mut Output<'_>) -> i32 {
    let session = match load(&arguments.selection.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let project = session.project();
    report(
        &session.load,
        &session.load.diagnostics,
        arguments.selection.project.log_format,
        output,
    );
    let selected = match select(project, &arguments.selection, output) {
        Ok(selected) => selected,
        Err(code) => return code,
    };
    let mut listed: Vec<(NodeId, &fusion_frontend::NodeDetails)> = project
        .nodes
        .iter()
        .enumerate()
        .map(|(index, details)| (NodeId(index as u32), details))
        .filter(|(id, details)| {
            selected[id.index()]
                && (arguments.resource_type.is_empty()
                    || arguments
                        .resource_type
                        .iter()
                        .any(|kind| kind == details.kind.resource_type()))
        })
        .collect();
    listed.sort_by(|(_, left), (_, right)| left.unique_id.cmp(&right.unique_id));
    for (id, details) in listed {
        let line = match arguments.output {
            ListOutput::Selector => match details.kind {
                NodeKind::Source => format!("source:{}", details.fqn.join(".")),
                _ => details.fqn.join("."),
            },
            ListOutput::Name => details.name.clone(),
            ListOutput::Path => details.original_file_path.clone(),
            ListOutput::Json => serde_json::json!({
                "name": details.name,
                "resource_type": details.kind.resource_type(),
                "package_name": details.package_name,
                "original_file_path": details.original_file_path,
                "unique_id": details.unique_id,
                "alias": details.alias,
                "config": details.config.values,
                "tags": details.config.tags(),
                "depends_on": {
                    "nodes": project
                        .graph
                        .parents(id)
                        .iter()
                        .map(|id| project.details(*id).unique_id.clone())
                        .collect::<Vec<_>>(),
                },
            })
            .to_string(),
        };
        let _ = writeln!(output.stdout, "{line}");
    }
    exit_for(&session.load.diagnostics)
}
