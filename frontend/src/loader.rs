//! The load pipeline: project file, profile, discovery, schema YAML, macros,
//! the parse render (collects `config()`, `ref()`, `source()`), relation
//! naming, the compile render (with real relations), and the graph.

use crate::builtin::config_and_vars::compile_flags;
use crate::checksum::{file_checksum, generic_test_hash};
use crate::config::{project_tree_configs, NodeConfig};
use crate::docs::{docs_blocks, resolve_description, DocBlock};
use crate::jinja::{error_message, failure_of};
use crate::profiles::load_target;
use crate::project_file::{render_strings_in, ProjectSettings};
use crate::relation::RelationParts;
use crate::render::{
    build_environment, compile_node_template, prepare_macro_file, render_template, RenderInput,
    RenderOutput,
};
use crate::render_state::{MacroEntry, NodeRenderState, Recorded, RefTable, RenderShared};
use crate::schema_yaml::{read_schema_file, NodePatch, SchemaFile, SourceDecl, TestSpec};
use crate::seeds::{duckdb_type_name, infer_column_type, parse_csv};
use crate::source_map::LazySourceMap;
use crate::tests_generic::{
    referenced_model_name, referenced_source, test_node_name, test_short_name, test_sql,
};
use crate::yaml::parse_yaml;
use crate::{
    LoadOptions, LoadResult, MacroInfo, NodeDetails, Project, RefCall, Rendered, SeedColumn,
    SourceDetails, TestDetails,
};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic};
use fusion_ir::graph::{Dependency, Node, NodeId, NodeKind, ProjectGraph};
use fusion_ir::name::Name;
use fusion_ir::schema::RelationName;
use fusion_ir::span::{FileId, SourceFiles, Span};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file found under one of the project's resource folders.
struct FoundFile {
    /// Path from the project root, with `/` separators.
    original_file_path: String,
    /// Path relative to its resource folder.
    path: String,
    absolute: PathBuf,
}

/// Lists files with one of `extensions` under `root_dir/folder`, sorted so
/// loads are deterministic.
fn discover(root_dir: &Path, folders: &[String], extensions: &[&str]) -> Vec<FoundFile> {
    let mut found = Vec::new();
    for folder in folders {
        let base = root_dir.join(folder);
        let mut stack = vec![base.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let file_name = entry.file_name().to_string_lossy().into_owned();
                if file_name.starts_with('.') {
                    continue;
                }
                // `file_type` comes with the directory entry: no extra stat per file.
                let is_dir = entry.file_type().map(|kind| kind.is_dir()).unwrap_or(false);
                if is_dir {
                    stack.push(path);
                } else if extensions
                    .iter()
                    .any(|extension| path.extension().is_some_and(|found| found == *extension))
                {
                    let relative = |from: &Path| {
                        path.strip_prefix(from)
                            .map(|relative| {
                                relative
                                    .components()
                                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                                    .collect::<Vec<_>>()
                                    .join("/")
                            })
                            .unwrap_or_else(|_| file_name.clone())
                    };
                    found.push(FoundFile {
                        original_file_path: relative(root_dir),
                        path: relative(&base),
                        absolute: path.clone(),
                    });
                }
            }
        }
    }
    found.sort_by(|left, right| left.original_file_path.cmp(&right.original_file_path));
    found
}

/// Reads a file into the source table, or reports FC0010.
fn read_file(
    found: &FoundFile,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(FileId, Arc<str>)> {
    register_file(found, read_text(&found.absolute), files, diagnostics)
}

/// A file's text (invalid UTF-8 replaced).
fn read_text(path: &Path) -> std::io::Result<Arc<str>> {
    std::fs::read(path).map(text_of)
}

/// A file's bytes as text, invalid UTF-8 replaced.
fn text_of(bytes: Vec<u8>) -> Arc<str> {
    match String::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(error) => String::from_utf8_lossy(error.as_bytes())
            .into_owned()
            .into(),
    }
}

/// Adds a file read with [`read_text`] to the source table, or reports
/// FC0010.
fn register_file(
    found: &FoundFile,
    read: std::io::Result<Arc<str>>,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(FileId, Arc<str>)> {
    match read {
        Ok(text) => Some((
            files.add(found.original_file_path.clone(), text.clone()),
            text,
        )),
        Err(error) => {
            diagnostics.push(unreadable(found, &error));
            None
        }
    }
}

/// FC0010 for a project file that could not be read.
fn unreadable(found: &FoundFile, error: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        Code::FileUnreadable,
        format!("cannot read {}: {error}", found.original_file_path),
    )
}

/// A node that is rendered from a SQL template.
struct TemplateNode {
    kind: NodeKind,
    name: String,
    fqn: Vec<String>,
    original_file_path: String,
    path: String,
    file: FileId,
    raw: Arc<str>,
    /// A snapshot's block body in `raw` (the rest of its file is blanked).
    body: Option<std::ops::Range<usize>>,
    checksum: String,
}

/// One line of a file as a span (for errors that only know their line).
fn line_span(text: &str, line: usize) -> Span {
    let mut offset = 0usize;
    for (index, line_text) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let trimmed = line_text.trim_end_matches(['\n', '\r']);
            return Span::from_range(offset..offset + trimmed.len());
        }
        offset += line_text.len();
    }
    Span::from_range(text.len()..text.len())
}

/// The span of the first call `function('name'` (either quote) in `text`.
fn call_span(text: &str, function: &str, first_argument: &str) -> Option<Span> {
    let mut search_from = 0usize;
    while let Some(found) = text[search_from..].find(function) {
        let start = search_from + found;
        let after = text[start + function.len()..].trim_start();
        let preceded_ok = start == 0
            || !text.as_bytes()[start - 1].is_ascii_alphanumeric()
                && text.as_bytes()[start - 1] != b'_';
        if preceded_ok {
            if let Some(arguments) = after.strip_prefix('(') {
                let arguments = arguments.trim_start();
                for quote in ['\'', '"'] {
                    let needle = format!("{quote}{first_argument}{quote}");
                    if arguments.starts_with(&needle) {
                        let end = text[start..]
                            .find(')')
                            .map_or(text.len(), |close| start + close + 1);
                        return Some(Span::from_range(start..end));
                    }
                }
            }
        }
        search_from = start + function.len();
    }
    None
}

struct JinjaContext<'a> {
    template_files: &'a FxHashMap<String, FileId>,
    macro_templates: &'a FxHashMap<String, FileId>,
    known_callables: &'a [String],
}

/// Turns a minijinja error into a diagnostic pointing into the right file.
fn jinja_diagnostic(
    error: &minijinja::Error,
    context: &JinjaContext,
    files: &SourceFiles,
    fallback_file: FileId,
) -> Diagnostic {
    let (code, mut message) = match failure_of(error) {
        Some(failure) => (failure.code, failure.message.clone()),
        None => match error.kind() {
            minijinja::ErrorKind::SyntaxError => (
                Code::JinjaSyntax,
                format!(
                    "Jinja syntax error: {}",
                    error.detail().unwrap_or("invalid syntax")
                ),
            ),
            minijinja::ErrorKind::UnknownFunction => (Code::UndefinedMacro, error_message(error)),
            _ => (
                Code::JinjaRender,
                format!("rendering failed: {}", error_message(error)),
            ),
        },
    };
    let template_name = error.name().unwrap_or_default();
    let macro_file = macro_file_of_template(template_name);
    let (file, span) = if let Some(&file) = context.macro_templates.get(macro_file) {
        // Macro files are rewritten before compiling; their lines still match.
        let span = error
            .line()
            .map_or(Span::EMPTY, |line| line_span(&files.get(file).text, line));
        (file, span)
    } else {
        let file = context
            .template_files
            .get(template_name)
            .copied()
            .unwrap_or(fallback_file);
        let text = &files.get(file).text;
        let span = match (error.range(), error.line()) {
            (Some(range), _) if range.end <= text.len() => Span::from_range(range),
            (_, Some(line)) => line_span(text, line),
            _ => Span::EMPTY,
        };
        (file, span)
    };
    let mut diagnostic = Diagnostic::new(code, String::new()).with_primary(file, span, "");
    if code == Code::UndefinedMacro && failure_of(error).is_none() {
        // minijinja's message is "unknown function: <name> is unknown".
        let detail = error.detail().unwrap_or_default();
        let called = detail
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_matches('`')
            .to_string();
        message = format!("`{called}` is not a macro or function of this project");
        let suffix = format!(".{called}");
        let in_package = context.known_callables.iter().find(|known| {
            known.ends_with(&suffix) && !known[..known.len() - suffix.len()].contains('.')
        });
        if let Some(qualified) = in_package {
            diagnostic = diagnostic.with_help(format!(
                "a package defines it: call it as `{qualified}` (package macros are not in scope unqualified)"
            ));
        } else if let Some(close) =
            closest_name(&called, context.known_callables.iter().map(String::as_str))
        {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
        }
    }
    diagnostic.message = message;
    diagnostic
}

const BUILTIN_CALLABLES: &[&str] = &[
    "ref",
    "source",
    "config",
    "var",
    "env_var",
    "is_incremental",
    "return",
    "log",
    "run_query",
    "statement",
    "load_result",
    "adapter",
    "exceptions",
    "fromjson",
    "zip",
    "range",
    "dict",
    "namespace",
    "debug",
];

pub fn load(options: &LoadOptions) -> LoadResult {
    let mut files = SourceFiles::default();
    let mut diagnostics = Vec::new();
    let mut timer = PhaseTimer::new();
    let project = load_inner(options, &mut files, &mut diagnostics, &mut timer);
    LoadResult {
        project,
        files,
        diagnostics,
        phase_timings: timer.phases,
    }
}

/// Records how long each phase of loading takes.
struct PhaseTimer {
    phases: Vec<(&'static str, std::time::Duration)>,
    phase_started: std::time::Instant,
}

impl PhaseTimer {
    fn new() -> PhaseTimer {
        PhaseTimer {
            phases: Vec::new(),
            phase_started: std::time::Instant::now(),
        }
    }

    /// Ends the current phase under `name` and starts the next one.
    fn finish(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.phases.push((name, now - self.phase_started));
        self.phase_started = now;
    }
}

#[expect(
    clippy::result_large_err,
    reason = "YAML errors are rare and become diagnostics at once"
)]
fn load_inner(
    options: &LoadOptions,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
    timer: &mut PhaseTimer,
) -> Option<Project> {
    let root_dir = options.project_dir.clone();
    let project_path = root_dir.join("dbt_project.yml");
    if !project_path.is_file() {
        diagnostics.push(
            Diagnostic::new(
                Code::ProjectFileMissing,
                format!("no dbt_project.yml in {}", root_dir.display()),
            )
            .with_help("run fusionc from a dbt project folder, or pass --project-dir"),
        );
        return None;
    }
    let project_found = FoundFile {
        original_file_path: "dbt_project.yml".into(),
        path: "dbt_project.yml".into(),
        absolute: project_path,
    };
    let (project_file, project_text) = read_file(&project_found, files, diagnostics)?;
    let mut project_value = match parse_yaml(&project_text, project_file) {
        Ok(value) => value,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return None;
        }
    };
    let cli_vars = match options
        .vars
        .as_deref()
        .map(|text| parse_yaml(text, project_file))
    {
        None => Map::new(),
        Some(Ok(Value::Object(vars))) => vars,
        Some(Ok(Value::Null)) => Map::new(),
        Some(_) => {
            diagnostics.push(
                Diagnostic::new(Code::InvalidVarsArgument, "--vars must be a YAML mapping")
                    .with_help("pass --vars '{key: value}'"),
            );
            Map::new()
        }
    };
    // Render env_var()/var() in the project file; hooks stay as written.
    let mut raw_vars = project_value
        .get("vars")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    raw_vars.extend(cli_vars.clone());
    let mut render_errors = Vec::new();
    render_strings_in(
        &mut project_value,
        &raw_vars,
        &[
            "on-run-start",
            "on-run-end",
            "pre-hook",
            "post-hook",
            "vars",
        ],
        &mut render_errors,
    );
    for error in render_errors {
        diagnostics.push(Diagnostic::new(error.code, error.message).at(project_file, Span::EMPTY));
    }
    let settings =
        ProjectSettings::from_yaml(&project_value, &project_text, project_file, diagnostics);
    if settings.name.is_empty() {
        return None;
    }
    let project_name = settings.name.clone();
    let vars = settings.effective_vars(&project_name, &cli_vars);
    let Some(profile_name) = settings.profile.clone() else {
        diagnostics.push(
            Diagnostic::new(Code::ProfileNotFound, "dbt_project.yml names no `profile`")
                .at(project_file, Span::EMPTY)
                .with_help(format!("add `profile: {project_name}` to dbt_project.yml")),
        );
        return None;
    };
    let target = load_target(
        &root_dir,
        options.profiles_dir.as_deref(),
        &profile_name,
        options.target.as_deref(),
        &vars,
        files,
        diagnostics,
    )?;

    timer.finish("project and profile");
    // ---- discovery ----
    let mut schema_files: Vec<SchemaFile> = Vec::new();
    let mut yaml_folders = settings.model_paths.clone();
    yaml_folders.extend(settings.seed_paths.iter().cloned());
    yaml_folders.extend(settings.snapshot_paths.iter().cloned());
    yaml_folders.extend(settings.macro_paths.iter().cloned());
    yaml_folders.extend(settings.test_paths.iter().cloned());
    yaml_folders.extend(settings.analysis_paths.iter().cloned());
    // The docs blocks' `.md` files are found in the same walk when the docs
    // paths are these folders (dbt's default), in a walk of their own else.
    let docs_with_yaml = {
        let mut docs_folders = settings.docs_paths.clone();
        docs_folders.sort_unstable();
        docs_folders.dedup();
        let mut folders = yaml_folders.clone();
        folders.sort_unstable();
        folders.dedup();
        docs_folders == folders
    };
    let extensions: &[&str] = if docs_with_yaml {
        &["yml", "yaml", "md"]
    } else {
        &["yml", "yaml"]
    };
    let mut seen_yaml = rustc_hash::FxHashSet::default();
    let (mut md_found, yaml_found): (Vec<FoundFile>, Vec<FoundFile>) =
        discover(&root_dir, &yaml_folders, extensions)
            .into_iter()
            .filter(|found| seen_yaml.insert(found.original_file_path.clone()))
            .partition(|found| found.original_file_path.ends_with(".md"));
    if !docs_with_yaml {
        let mut seen_md = rustc_hash::FxHashSet::default();
        md_found = discover(&root_dir, &settings.docs_paths, &["md"])
            .into_iter()
            .filter(|found| seen_md.insert(found.original_file_path.clone()))
            .collect();
    }
    // Read in parallel, registered in order.
    let yaml_read: Vec<std::io::Result<Arc<str>>> = yaml_found
        .par_iter()
        .map(|found| read_text(&found.absolute))
        .collect();
    let mut yaml_texts = Vec::new();
    for (found, read) in yaml_found.into_iter().zip(yaml_read) {
        if let Some((file, text)) = register_file(&found, read, files, diagnostics) {
            yaml_texts.push((found, file, text));
        }
    }
    // Parsing is the costly part and each file stands alone: in parallel,
    // each file with its own diagnostics, merged back in discovery order.
    // The largest files are started first: one large file (all of a
    // project's sources, say) parsed last would leave the other cores idle.
    let mut largest_first: Vec<usize> = (0..yaml_texts.len()).collect();
    largest_first.sort_by_key(|&index| std::cmp::Reverse(yaml_texts[index].2.len()));
    // Docs blocks first (a few small files, if any): each schema file's
    // descriptions are resolved against them as it is parsed.
    let (docs, docs_diagnostics) = read_docs_blocks(&md_found, &project_name);
    diagnostics.extend(docs_diagnostics);
    let docs_by_name: FxHashMap<&str, &DocBlock> = docs
        .iter()
        .rev()
        .map(|block| (block.name.as_str(), block))
        .collect();
    let mut parsed_yaml: Vec<(usize, Option<SchemaFile>, Vec<Diagnostic>)> = largest_first
        .par_iter()
        .map(|&index| {
            let (found, file, text) = &yaml_texts[index];
            let mut file_diagnostics = Vec::new();
            let schema_file = match parse_yaml(text, *file) {
                Ok(value) => {
                    let mut schema_file = read_schema_file(
                        &value,
                        text,
                        *file,
                        &found.original_file_path,
                        &mut file_diagnostics,
                    );
                    resolve_docs_in(&mut schema_file, &docs_by_name, &mut file_diagnostics);
                    Some(schema_file)
                }
                Err(diagnostic) => {
                    file_diagnostics.push(diagnostic);
                    None
                }
            };
            (index, schema_file, file_diagnostics)
        })
        .collect();
    parsed_yaml.sort_unstable_by_key(|(index, ..)| *index);
    for (_, schema_file, file_diagnostics) in parsed_yaml {
        schema_files.extend(schema_file);
        diagnostics.extend(file_diagnostics);
    }
    let mut model_patches: FxHashMap<String, NodePatch> = FxHashMap::default();
    let mut seed_patches: FxHashMap<String, NodePatch> = FxHashMap::default();
    let mut source_decls: Vec<SourceDecl> = Vec::new();
    let mut function_declarations = Vec::new();
    for schema_file in schema_files {
        function_declarations.extend(schema_file.functions);
        // As in dbt, a node is described once; the first entry (in file
        // order) is kept, and every later one is an error.
        for patch in schema_file.models.into_iter().chain(schema_file.snapshots) {
            add_patch(&mut model_patches, patch, diagnostics);
        }
        for patch in schema_file.seeds {
            add_patch(&mut seed_patches, patch, diagnostics);
        }
        source_decls.extend(schema_file.sources);
    }

    timer.finish("schema YAML");
    // ---- macros ----
    let mut macros: Vec<MacroInfo> = Vec::new();
    let mut macro_sources: Vec<(String, String)> = Vec::new();
    let mut macro_templates: FxHashMap<String, FileId> = FxHashMap::default();
    let mut macro_entries: FxHashMap<String, MacroEntry> = FxHashMap::default();
    // dbt's built-in macros first: a project macro of the same name replaces
    // the unprefixed one, while `dbt.<name>` keeps reaching the built-in.
    let mut builtin_macro_entries: FxHashMap<String, MacroEntry> = FxHashMap::default();
    {
        let text = crate::builtin::DBT_MACROS;
        let template_name = crate::builtin::DBT_MACROS_PATH.to_string();
        let file = files.add(template_name.clone(), text);
        let (templates, scanned) = per_macro_templates(&template_name, text);
        macro_sources.extend(templates);
        for scanned_macro in scanned {
            let unique_id = format!("macro.dbt.{}", scanned_macro.name);
            let entry = MacroEntry {
                template_name: macro_template_name(&template_name, &scanned_macro.name),
                internal_name: format!("__fusion_macro__{}", scanned_macro.name),
                unique_id: unique_id.clone(),
            };
            macro_entries.insert(scanned_macro.name.clone(), entry.clone());
            builtin_macro_entries.insert(scanned_macro.name.clone(), entry);
            macros.push(MacroInfo {
                name: scanned_macro.name.clone(),
                unique_id,
                package_name: "dbt".to_string(),
                original_file_path: template_name.clone(),
                path: template_name.clone(),
                file,
                macro_sql: text[scanned_macro.start..scanned_macro.end].to_string(),
                arguments: scanned_macro.arguments,
            });
        }
        macro_templates.insert(template_name, file);
    }
    // Installed packages (`dbt deps` put them in `packages-install-path`):
    // their macros, reached as `<package>.<macro>`. As in dbt, a model of
    // the project does not see them unqualified, not even through a package
    // macro it calls (package models, which would, are not loaded yet).
    let mut package_names: Vec<String> = Vec::new();
    let installed = installed_packages(
        &root_dir,
        &settings.packages_install_path,
        files,
        diagnostics,
    );
    if installed.is_empty() {
        warn_if_packages_missing(
            &root_dir,
            &settings.packages_install_path,
            files,
            diagnostics,
        );
    }
    // Installed packages' macros answer to `<package>.<macro>`; the
    // project's also to their bare name (as in dbt, a package's macros are
    // not found unqualified).
    package_names.extend(installed.iter().map(|package| package.name.clone()));
    let macro_owners = installed
        .iter()
        .map(|package| (&package.name, &package.macro_paths, false))
        .chain(std::iter::once((
            &project_name,
            &settings.macro_paths,
            true,
        )));
    for (owner, macro_paths, callable_unqualified) in macro_owners {
        for found in discover(&root_dir, macro_paths, &["sql", "jinja", "j2"]) {
            let Some((file, text)) = read_file(&found, files, diagnostics) else {
                continue;
            };
            let (templates, scanned) = per_macro_templates(&found.original_file_path, &text);
            macro_sources.extend(templates);
            for scanned_macro in scanned {
                let unique_id = format!("macro.{owner}.{}", scanned_macro.name);
                let entry = MacroEntry {
                    template_name: macro_template_name(
                        &found.original_file_path,
                        &scanned_macro.name,
                    ),
                    internal_name: format!("__fusion_macro__{}", scanned_macro.name),
                    unique_id: unique_id.clone(),
                };
                if callable_unqualified {
                    macro_entries.insert(scanned_macro.name.clone(), entry.clone());
                }
                macro_entries.insert(format!("{owner}.{}", scanned_macro.name), entry);
                macros.push(MacroInfo {
                    name: scanned_macro.name.clone(),
                    unique_id,
                    package_name: owner.clone(),
                    original_file_path: found.original_file_path.clone(),
                    path: found.path.clone(),
                    file,
                    macro_sql: text[scanned_macro.start..scanned_macro.end].to_string(),
                    arguments: scanned_macro.arguments,
                });
            }
            macro_templates.insert(found.original_file_path.clone(), file);
        }
    }

    timer.finish("macros");
    // ---- sources ----
    let mut source_relations: FxHashMap<(String, String), RelationParts> = FxHashMap::default();
    for source in &source_decls {
        for table in &source.tables {
            if target.adapter_type == "duckdb" {
                match external_source_text(source, table, &target) {
                    Ok(None) => {}
                    Ok(Some(text)) => {
                        source_relations.insert(
                            (source.name.clone(), table.name.clone()),
                            RelationParts {
                                database: None,
                                schema: None,
                                identifier: text,
                                ephemeral_cte: true,
                            },
                        );
                        continue;
                    }
                    Err(message) => diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidConfig,
                            format!(
                                "source `{}.{}`: external_location {message}",
                                source.name, table.name
                            ),
                        )
                        .at(source.file, source.name_span),
                    ),
                }
            }
            source_relations.insert(
                (source.name.clone(), table.name.clone()),
                RelationParts {
                    database: Some(
                        source
                            .database
                            .clone()
                            .unwrap_or_else(|| target.database.clone()),
                    ),
                    schema: Some(source.schema.clone()),
                    identifier: table.identifier.clone(),
                    ephemeral_cte: false,
                },
            );
        }
    }

    let shared = Arc::new(RenderShared {
        project_name: project_name.clone(),
        packages: package_names,
        adapter_type: target.adapter_type.clone(),
        target: crate::jinja::to_value(target.to_context_value()),
        target_database: target.database.clone(),
        target_schema: target.schema.clone(),
        vars: vars.clone(),
        macros: macro_entries,
        builtin_macros: builtin_macro_entries,
        sources: source_relations,
        predicted_refs: std::sync::OnceLock::new(),
        refs: std::sync::OnceLock::new(),
    });
    let (environment, macro_failures) = build_environment(&shared, macro_sources);
    let mut known_callables: Vec<String> = shared.macros.keys().cloned().collect();
    known_callables.sort();
    known_callables.extend(BUILTIN_CALLABLES.iter().map(|name| name.to_string()));
    let mut template_files: FxHashMap<String, FileId> = FxHashMap::default();

    timer.finish("sources");
    // ---- template nodes: models, analyses, singular tests ----
    let mut template_nodes: Vec<TemplateNode> = Vec::new();
    for (kind, folders) in [
        (NodeKind::Model, &settings.model_paths),
        (NodeKind::Analysis, &settings.analysis_paths),
        (NodeKind::Test, &settings.test_paths),
        (NodeKind::Snapshot, &settings.snapshot_paths),
    ] {
        // Reading and hashing are parallel; registering files stays in order.
        let found_files = discover(&root_dir, folders, &["sql"]);
        let contents: Vec<std::io::Result<(Arc<str>, String)>> = found_files
            .par_iter()
            .map(|found| {
                std::fs::read(&found.absolute).map(|bytes| {
                    let text = text_of(bytes);
                    let checksum = file_checksum(&text);
                    (text, checksum)
                })
            })
            .collect();
        for (found, content) in found_files.into_iter().zip(contents) {
            let (text, checksum) = match content {
                Ok(content) => content,
                Err(error) => {
                    diagnostics.push(unreadable(&found, &error));
                    continue;
                }
            };
            let file = files.add(found.original_file_path.clone(), text.clone());
            let name = found
                .path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .trim_end_matches(".sql")
                .to_string();
            if kind == NodeKind::Snapshot {
                // A snapshot file holds `{% snapshot name %}` blocks: one
                // node each, named by its block, not by its file.
                let folders_of_path: Vec<&str> = found.path.split('/').collect();
                for block in snapshot_blocks(&text) {
                    let mut fqn = vec![project_name.clone()];
                    fqn.extend(
                        folders_of_path[..folders_of_path.len() - 1]
                            .iter()
                            .map(|part| part.to_string()),
                    );
                    fqn.push(name.clone());
                    fqn.push(block.name.clone());
                    template_nodes.push(TemplateNode {
                        kind,
                        name: block.name,
                        fqn,
                        original_file_path: found.original_file_path.clone(),
                        path: found.path.clone(),
                        file,
                        checksum: checksum.clone(),
                        raw: block.template.into(),
                        body: Some(block.body),
                    });
                }
                template_files.insert(found.original_file_path.clone(), file);
                continue;
            }
            let mut fqn = vec![project_name.clone()];
            if kind == NodeKind::Analysis {
                fqn.push("analysis".into());
            }
            let folders_of_path: Vec<&str> = found.path.split('/').collect();
            fqn.extend(
                folders_of_path[..folders_of_path.len() - 1]
                    .iter()
                    .map(|part| part.to_string()),
            );
            fqn.push(name.clone());
            template_files.insert(found.original_file_path.clone(), file);
            template_nodes.push(TemplateNode {
                kind,
                name,
                fqn,
                original_file_path: found.original_file_path,
                path: found.path,
                file,
                checksum,
                raw: text,
                body: None,
            });
        }
    }
    let jinja_context = JinjaContext {
        template_files: &template_files,
        macro_templates: &macro_templates,
        known_callables: &known_callables,
    };
    for (name, error) in &macro_failures {
        let fallback = macro_templates
            .get(macro_file_of_template(name))
            .copied()
            .unwrap_or(project_file);
        diagnostics.push(jinja_diagnostic(error, &jinja_context, files, fallback));
    }

    timer.finish("reading templates");
    // ---- seeds ----
    let mut seed_nodes: Vec<NodeDetails> = Vec::new();
    for found in discover(&root_dir, &settings.seed_paths, &["csv"]) {
        let Some((file, text)) = read_file(&found, files, diagnostics) else {
            continue;
        };
        let name = found
            .path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".csv")
            .to_string();
        let mut fqn = vec![project_name.clone()];
        let parts: Vec<&str> = found.path.split('/').collect();
        fqn.extend(parts[..parts.len() - 1].iter().map(|part| part.to_string()));
        fqn.push(name.clone());
        let mut config = NodeConfig::default();
        config
            .values
            .insert("materialized".into(), Value::String("seed".into()));
        for layer in project_tree_configs(&settings.seeds, &fqn) {
            config.apply(&layer);
        }
        let patch = seed_patches.get(&name);
        if let Some(patch) = patch {
            config.apply(&patch.config);
        }
        let column_types = config.column_types();
        let seed_columns = match parse_csv(&text) {
            Ok(table) => table
                .header
                .iter()
                .enumerate()
                .map(
                    |(index, column)| match column_types.get(column).and_then(Value::as_str) {
                        Some(declared) => SeedColumn {
                            name: column.clone(),
                            sql_type: fusion_ir::types::SqlType::Other(Name::new(declared)),
                            type_name: declared.to_string(),
                        },
                        None => {
                            let sql_type =
                                infer_column_type(table.rows.iter().map(|row| row[index].as_str()));
                            SeedColumn {
                                name: column.clone(),
                                type_name: duckdb_type_name(&sql_type).to_string(),
                                sql_type,
                            }
                        }
                    },
                )
                .collect(),
            Err(error) => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::SeedCsv,
                        format!("malformed seed CSV: {}", error.message),
                    )
                    .with_primary(
                        file,
                        Span::from_range(error.offset..error.offset),
                        format!("line {}", error.line),
                    ),
                );
                Vec::new()
            }
        };
        if !config.enabled() {
            continue;
        }
        seed_nodes.push(NodeDetails {
            kind: NodeKind::Seed,
            unique_id: format!("seed.{project_name}.{name}"),
            package_name: project_name.clone(),
            fqn,
            original_file_path: found.original_file_path.clone(),
            path: found.path.clone(),
            file: Some(file),
            checksum: file_checksum(&text),
            raw_code: Arc::from(""),
            raw_code_body: None,
            config,
            description: patch
                .map(|patch| patch.description.clone())
                .unwrap_or_default(),
            doc_blocks: patch
                .map(|patch| patch.doc_blocks.clone())
                .unwrap_or_default(),
            patch_path: patch.map(|patch| format!("{project_name}://{}", patch.yaml_path)),
            columns: patch.map(|patch| patch.columns.clone()).unwrap_or_default(),
            refs: Vec::new(),
            sources: Vec::new(),
            macros_called: Vec::new(),
            rendered: None,
            introspective: false,
            database: None,
            schema: None,
            alias: name.clone(),
            seed_columns,
            source: None,
            test: None,
            name,
        });
    }

    timer.finish("seeds");
    // ---- configs from the project and its YAML ----
    // What dbt_project.yml and the schema YAML say of each node, before the
    // node's own `config()` calls: enough to name most relations before any
    // template renders (see the parse phase).
    let base_configs: Vec<NodeConfig> = template_nodes
        .par_iter()
        .map(|node| {
            let (tree, default_materialized) = match node.kind {
                NodeKind::Test => (&settings.tests, "test"),
                NodeKind::Analysis => (&Value::Null, "view"),
                NodeKind::Snapshot => (&settings.snapshots, "snapshot"),
                _ => (&settings.models, "view"),
            };
            let mut config = NodeConfig::default();
            config.values.insert(
                "materialized".into(),
                Value::String(default_materialized.into()),
            );
            for layer in project_tree_configs(tree, &node.fqn) {
                config.apply(&layer);
            }
            if let Some(patch) = model_patches
                .get(&node.name)
                .filter(|_| node.kind == NodeKind::Model)
            {
                config.apply(&patch.config);
            }
            config
        })
        .collect();
    // ---- predicted relations ----
    // Each node's relation as its project and YAML configs name it. The parse
    // phase renders `ref()` and `this` with these names; a node whose own
    // `config()` calls leave every name it read unchanged, and whose render
    // cannot tell the phases apart otherwise, keeps its parse-phase text as
    // its compiled SQL instead of being rendered a second time.
    let naming = RelationNaming::new(&environment, &shared, &target);
    // A node's relation and what naming it reported (none for tests).
    type Named = Option<(RelationParts, Vec<Diagnostic>)>;
    let name_node = |node: &TemplateNode, config: &NodeConfig| -> Named {
        (node.kind != NodeKind::Test).then(|| {
            let mut naming_diagnostics = Vec::new();
            let relation = naming.relation(
                node.kind,
                &node.name,
                config,
                &node.fqn,
                &mut naming_diagnostics,
                node.file,
            );
            (relation, naming_diagnostics)
        })
    };
    let predicted: Vec<Named> = template_nodes
        .par_iter()
        .zip(&base_configs)
        .map(|(node, config)| name_node(node, config))
        .collect();
    // Seeds have no template: their names are final now.
    let mut seed_relations: Vec<RelationParts> = Vec::with_capacity(seed_nodes.len());
    for seed in &mut seed_nodes {
        let relation = naming.relation(
            NodeKind::Seed,
            &seed.name,
            &seed.config,
            &seed.fqn,
            diagnostics,
            seed.file.unwrap_or(project_file),
        );
        seed.database = relation.database.clone();
        seed.schema = relation.schema.clone();
        seed.alias = relation.identifier.clone();
        seed_relations.push(relation);
    }
    let predicted_refs = ref_table_of(
        &template_nodes,
        &base_configs,
        predicted
            .iter()
            .map(|named| named.as_ref().map(|(relation, _)| relation)),
        &seed_nodes,
        &seed_relations,
    );
    let _ = shared.predicted_refs.set(predicted_refs);
    // What a template (or a macro it calls) must not mention for its
    // parse-phase text to be reused: `execute` differs between the phases,
    // and templates reached by `import`, `include` or `extends` are not
    // recorded as called.
    let phase_dependent_macros: FxHashSet<&str> = macros
        .iter()
        .filter(|info| reads_phase(&info.macro_sql))
        .map(|info| info.unique_id.as_str())
        .collect();

    timer.finish("predicted relations");
    // ---- parse phase: collect config(), ref(), source() ----
    let model_value = |node: &TemplateNode| {
        crate::render::model_value(
            node.kind,
            &node.name,
            &unique_id_of(node.kind, &project_name, &node.name),
            &node.original_file_path,
            &node.path,
            &project_name,
            &node.fqn,
        )
    };
    // A node's `this` when it has no relation (singular tests).
    let unnamed_this = |node: &TemplateNode| RelationParts {
        database: Some(target.database.clone()),
        schema: Some(target.schema.clone()),
        identifier: node.name.clone(),
        ephemeral_cte: false,
    };
    // Each template is compiled once, here, with one `model` value, and kept
    // for the compile phase in case the node is rendered again there.
    let rewritten_sources: Vec<Option<String>> = template_nodes
        .par_iter()
        .map(|node| crate::mutable::rewrite_mutable_literals(&node.raw))
        .collect();
    #[allow(clippy::type_complexity)]
    let (templates, mut parse_outputs): (
        Vec<Option<(minijinja::Template, minijinja::Value)>>,
        Vec<RenderOutput>,
    ) = template_nodes
        .par_iter()
        .zip(&rewritten_sources)
        .zip(&predicted)
        .map(|((node, rewritten), predicted)| {
            let template = match compile_node_template(
                &environment,
                &node.original_file_path,
                &node.raw,
                rewritten.as_deref(),
            ) {
                Ok(template) => template,
                Err(error) => return (None, RenderOutput::failed(error)),
            };
            let model = model_value(node);
            let output = render_template(
                &template,
                &RenderInput {
                    template_name: &node.original_file_path,
                    source: &node.raw,
                    this: predicted
                        .as_ref()
                        .map_or_else(|| unnamed_this(node), |(relation, _)| relation.clone()),
                    model: model.clone(),
                    execute: false,
                },
                NodeRenderState::default(),
                compile_flags(),
            );
            (Some((template, model)), output)
        })
        .unzip();

    timer.finish("render (parse phase)");
    // ---- configs ----
    // The project's and YAML's configs, then the node's own `config()` calls;
    // and whether those calls changed what names the node's relation.
    let (configs, renamed): (Vec<NodeConfig>, Vec<bool>) = base_configs
        .into_par_iter()
        .zip(&parse_outputs)
        .map(|(mut config, output)| {
            if output.recorded.config.is_empty() {
                return (config, false);
            }
            if naming.reads_whole_config() {
                config.apply(&output.recorded.config);
                return (config, true);
            }
            let before = naming_inputs(&config);
            config.apply(&output.recorded.config);
            let renamed = naming_inputs(&config) != before;
            (config, renamed)
        })
        .unzip();

    timer.finish("configs");
    // ---- relation naming ----
    // A node whose `config()` calls changed nothing its name is made of keeps
    // its predicted name; for the others, whether the name stayed what the
    // parse phase used.
    let (named, this_kept): (Vec<Named>, Vec<bool>) = template_nodes
        .par_iter()
        .zip(&configs)
        .zip(&renamed)
        .zip(predicted)
        .map(|(((node, config), &renamed), predicted)| {
            if !renamed {
                return (predicted, true);
            }
            let named = name_node(node, config);
            let kept = match (&named, &predicted) {
                (Some((real, _)), Some((parse_time, _))) => real == parse_time,
                (None, None) => true,
                _ => false,
            };
            (named, kept)
        })
        .unzip();
    let mut template_relations: Vec<Option<RelationParts>> =
        Vec::with_capacity(template_nodes.len());
    for named in named {
        let Some((relation, naming_diagnostics)) = named else {
            template_relations.push(None);
            continue;
        };
        diagnostics.extend(naming_diagnostics);
        template_relations.push(Some(relation));
    }
    let ref_table = ref_table_of(
        &template_nodes,
        &configs,
        template_relations.iter().map(Option::as_ref),
        &seed_nodes,
        &seed_relations,
    );
    drop(seed_relations);
    let refable_names: Vec<String> = {
        let mut names: Vec<String> = ref_table.relations.keys().cloned().collect();
        names.sort();
        names
    };
    let _ = shared.refs.set(ref_table);

    timer.finish("relation naming");
    // ---- compile phase ----
    // A node renders again with the real relations, unless its parse-phase
    // text already is its compiled SQL: the render read nothing that differs
    // between the phases (no `execute`, no warehouse), and every relation it
    // read (`this`, each `ref()`) was named then as it is now. Each compiled
    // template is freed once rendered (`templates` is consumed), so the
    // rendered SQL reuses its memory.
    let predicted_refs = shared.predicted_refs.get();
    let real_refs = shared.refs.get();
    let compile_outputs: Vec<Option<RenderOutput>> = template_nodes
        .par_iter()
        .zip(templates)
        .zip(&mut parse_outputs)
        .enumerate()
        .map(|(index, ((node, template), parse_output))| {
            if !configs[index].enabled() {
                return None;
            }
            let parse_text = parse_output.result.as_mut().ok()?;
            let recorded = &parse_output.recorded;
            let same_relation = |name: &str| {
                let predicted = predicted_refs.and_then(|table| table.relations.get(name));
                let real = real_refs.and_then(|table| table.relations.get(name));
                predicted.is_some() && predicted == real
            };
            let reusable = !recorded.introspective
                && !reads_phase(&node.raw)
                && recorded
                    .macros
                    .iter()
                    .all(|unique_id| !phase_dependent_macros.contains(unique_id.as_str()))
                && this_kept[index]
                && recorded.refs.iter().all(|call| same_relation(&call.name));
            // Either way the parse-phase text leaves `parse_outputs` now.
            let parse_text = std::mem::take(parse_text);
            if reusable {
                // What the compile phase reports of its render: sources
                // resolve alike in both phases, and no ref was missing.
                return Some(RenderOutput {
                    result: Ok(parse_text),
                    recorded: Recorded {
                        missing_sources: std::mem::take(&mut parse_output.recorded.missing_sources),
                        ..Recorded::default()
                    },
                });
            }
            drop(parse_text);
            let (template, model) = template?;
            let this = template_relations[index]
                .clone()
                .unwrap_or_else(|| unnamed_this(node));
            Some(render_template(
                &template,
                &RenderInput {
                    template_name: &node.original_file_path,
                    source: &node.raw,
                    this,
                    model,
                    execute: true,
                },
                NodeRenderState::default(),
                compile_flags(),
            ))
        })
        .collect();
    drop(rewritten_sources);

    timer.finish("render (compile phase)");
    // ---- graph ----
    let mut graph = ProjectGraph::default();
    let mut nodes: Vec<NodeDetails> = Vec::new();
    // Node details are large: growing the list by doubling would copy every
    // node several times (tens of megabytes on a large project).
    // Room for the generic tests too, added last.
    let expected_tests: usize = model_patches
        .values()
        .chain(seed_patches.values())
        .map(|patch| patch.tests.len())
        .chain(
            source_decls
                .iter()
                .flat_map(|source| source.tables.iter().map(|table| table.tests.len())),
        )
        .sum();
    let expected_nodes = source_decls
        .iter()
        .map(|source| source.tables.len())
        .sum::<usize>()
        + seed_nodes.len()
        + template_nodes.len()
        + expected_tests;
    nodes.reserve(expected_nodes);
    graph.reserve_nodes(expected_nodes);
    let mut ids_by_name: FxHashMap<String, NodeId> = FxHashMap::default();
    let mut source_ids: FxHashMap<(String, String), NodeId> = FxHashMap::default();
    let add_node =
        |graph: &mut ProjectGraph, nodes: &mut Vec<NodeDetails>, details: NodeDetails| -> NodeId {
            let id = graph.add_node(graph_node(&details));
            nodes.push(details);
            id
        };
    for source in &mut source_decls {
        for table in &mut source.tables {
            let details = NodeDetails {
                kind: NodeKind::Source,
                name: table.name.clone(),
                unique_id: format!("source.{project_name}.{}.{}", source.name, table.name),
                package_name: project_name.clone(),
                fqn: vec![
                    project_name.clone(),
                    source.name.clone(),
                    table.name.clone(),
                ],
                original_file_path: source.yaml_path.clone(),
                path: source.yaml_path.clone(),
                file: Some(source.file),
                raw_code: Arc::from(""),
                raw_code_body: None,
                checksum: String::new(),
                config: NodeConfig {
                    values: table.config.clone(),
                },
                description: table.description.clone(),
                doc_blocks: std::mem::take(&mut table.doc_blocks),
                patch_path: None,
                // Only the node reads a source table's columns from here on.
                columns: std::mem::take(&mut table.columns),
                refs: Vec::new(),
                sources: Vec::new(),
                macros_called: Vec::new(),
                rendered: None,
                introspective: false,
                database: Some(
                    source
                        .database
                        .clone()
                        .unwrap_or_else(|| target.database.clone()),
                ),
                schema: Some(source.schema.clone()),
                alias: table.identifier.clone(),
                seed_columns: Vec::new(),
                source: Some(SourceDetails {
                    source_name: source.name.clone(),
                    table_name: table.name.clone(),
                    identifier: table.identifier.clone(),
                    loader: source.loader.clone(),
                    source_description: source.description.clone(),
                }),
                test: None,
            };
            let id = add_node(&mut graph, &mut nodes, details);
            source_ids.insert((source.name.clone(), table.name.clone()), id);
        }
    }
    for seed in seed_nodes {
        let name = seed.name.clone();
        let file = seed.file;
        let id = add_node(&mut graph, &mut nodes, seed);
        if let Some(&previous) = ids_by_name.get(&name) {
            diagnostics.push(duplicate_diagnostic(&name, &nodes[previous.index()], file));
        } else {
            ids_by_name.insert(name, id);
        }
    }
    // Template nodes, remembering their id to add edges once all exist.
    // The render outputs, configs and relations are consumed here: nothing
    // after the graph reads them, and moving them saves a copy per node.
    // Each enabled model takes its patch's columns (the tests read below
    // come from the patch's own test list); the rest is built in parallel,
    // and the nodes, compiled files and names are registered after, in
    // order.
    let patch_columns: Vec<Vec<crate::ColumnInfo>> = template_nodes
        .iter()
        .zip(&configs)
        .map(|(node, config)| {
            if node.kind != NodeKind::Model || !config.enabled() {
                return Vec::new();
            }
            model_patches
                .get_mut(&node.name)
                .map(|patch| std::mem::take(&mut patch.columns))
                .unwrap_or_default()
        })
        .collect();
    let built: Vec<Option<BuiltTemplateNode>> = configs
        .into_par_iter()
        .zip(parse_outputs)
        .zip(compile_outputs)
        .zip(template_relations)
        .zip(patch_columns)
        .enumerate()
        .map(
            |(index, ((((config, parse_output), compile_output), relation), columns))| {
                let node = &template_nodes[index];
                if !config.enabled() {
                    return None;
                }
                let mut node_diagnostics = Vec::new();
                let mut refs = parse_output.recorded.refs;
                let mut sources = parse_output.recorded.sources;
                let mut macros_called = parse_output.recorded.macros;
                let mut introspective = parse_output.recorded.introspective;
                let mut rendered = None;
                match (&parse_output.result, compile_output) {
                    (Err(error), _) => node_diagnostics.push(jinja_diagnostic(
                        error,
                        &jinja_context,
                        files,
                        node.file,
                    )),
                    (Ok(_), Some(output)) => {
                        for call in output.recorded.refs {
                            if !refs.contains(&call) {
                                refs.push(call);
                            }
                        }
                        for call in output.recorded.sources {
                            if !sources.contains(&call) {
                                sources.push(call);
                            }
                        }
                        for unique_id in output.recorded.macros {
                            if !macros_called.contains(&unique_id) {
                                macros_called.push(unique_id);
                            }
                        }
                        introspective |= output.recorded.introspective;
                        for missing in &output.recorded.missing_refs {
                            node_diagnostics.push(missing_ref_diagnostic(
                                missing,
                                node,
                                &refable_names,
                            ));
                        }
                        for missing in &output.recorded.missing_sources {
                            node_diagnostics.push(missing_source_diagnostic(
                                missing,
                                node,
                                &source_decls,
                            ));
                        }
                        match output.result {
                            Ok(sql) => {
                                let compiled_path = format!(
                                    "{}/compiled/{project_name}/{}",
                                    settings.target_path, node.original_file_path
                                );
                                let sql = Arc::<str>::from(sql);
                                let source_map = LazySourceMap::new(node.raw.clone(), sql.clone());
                                rendered = Some((sql, compiled_path, source_map));
                            }
                            // A node that reads the warehouse rendered with
                            // empty results here; its failure says nothing
                            // yet. It is rendered again just in time, with
                            // real results.
                            Err(_) if output.recorded.introspective => {}
                            Err(error) => node_diagnostics.push(jinja_diagnostic(
                                &error,
                                &jinja_context,
                                files,
                                node.file,
                            )),
                        }
                    }
                    (Ok(_), None) => {}
                }
                let patch = model_patches
                    .get(&node.name)
                    .filter(|_| node.kind == NodeKind::Model);
                let details = NodeDetails {
                    kind: node.kind,
                    name: node.name.clone(),
                    unique_id: unique_id_of(node.kind, &project_name, &node.name),
                    package_name: project_name.clone(),
                    fqn: node.fqn.clone(),
                    original_file_path: node.original_file_path.clone(),
                    path: node.path.clone(),
                    file: Some(node.file),
                    raw_code: node.raw.clone(),
                    raw_code_body: node.body.clone(),
                    checksum: node.checksum.clone(),
                    config,
                    description: patch
                        .map(|patch| patch.description.clone())
                        .unwrap_or_default(),
                    doc_blocks: patch
                        .map(|patch| patch.doc_blocks.clone())
                        .unwrap_or_default(),
                    patch_path: patch.map(|patch| format!("{project_name}://{}", patch.yaml_path)),
                    columns,
                    refs,
                    sources,
                    macros_called,
                    rendered: None,
                    introspective,
                    database: relation
                        .as_ref()
                        .and_then(|relation| relation.database.clone()),
                    schema: relation
                        .as_ref()
                        .and_then(|relation| relation.schema.clone()),
                    alias: relation
                        .map_or_else(|| node.name.clone(), |relation| relation.identifier),
                    seed_columns: Vec::new(),
                    source: None,
                    test: None,
                };
                Some(BuiltTemplateNode {
                    details,
                    rendered,
                    diagnostics: node_diagnostics,
                })
            },
        )
        .collect();
    let mut template_ids: Vec<Option<NodeId>> = Vec::with_capacity(template_nodes.len());
    for (node, built) in template_nodes.iter().zip(built) {
        let Some(BuiltTemplateNode {
            mut details,
            rendered,
            diagnostics: node_diagnostics,
        }) = built
        else {
            template_ids.push(None);
            continue;
        };
        diagnostics.extend(node_diagnostics);
        details.rendered = rendered.map(|(sql, compiled_path, source_map)| Rendered {
            file: files.add(compiled_path, sql.clone()),
            sql,
            source_map,
        });
        let id = add_node(&mut graph, &mut nodes, details);
        // Models and snapshots are what `ref()` names (seeds are added below).
        if matches!(node.kind, NodeKind::Model | NodeKind::Snapshot) {
            if let Some(&previous) = ids_by_name.get(&node.name) {
                diagnostics.push(duplicate_diagnostic(
                    &node.name,
                    &nodes[previous.index()],
                    Some(node.file),
                ));
            } else {
                ids_by_name.insert(node.name.clone(), id);
            }
        }
        template_ids.push(Some(id));
    }
    // Each template's parents, and where its `ref`/`source` calls are
    // written, are found in parallel; the edges are added in order.
    let template_parents: Vec<Vec<(NodeId, Span)>> = template_nodes
        .par_iter()
        .enumerate()
        .map(|(index, node)| {
            let Some(child) = template_ids[index] else {
                return Vec::new();
            };
            let details = &nodes[child.index()];
            let mut parents = Vec::new();
            for call in &details.refs {
                if let Some(&parent) = ids_by_name.get(&call.name) {
                    let span = call_span(
                        &node.raw,
                        "ref",
                        call.package.as_deref().unwrap_or(&call.name),
                    )
                    .unwrap_or(Span::EMPTY);
                    parents.push((parent, span));
                }
            }
            for call in &details.sources {
                if let Some(&parent) =
                    source_ids.get(&(call.source_name.clone(), call.table_name.clone()))
                {
                    let span =
                        call_span(&node.raw, "source", &call.source_name).unwrap_or(Span::EMPTY);
                    parents.push((parent, span));
                }
            }
            parents
        })
        .collect();
    for (index, parents) in template_parents.into_iter().enumerate() {
        let Some(child) = template_ids[index] else {
            continue;
        };
        for (parent, span) in parents {
            graph.add_dependency(
                parent,
                child,
                Dependency {
                    file: Some(template_nodes[index].file),
                    span,
                },
            );
        }
    }

    timer.finish("graph");
    // ---- generic tests from YAML ----
    // The tests of each attached node, grouped: (YAML path, attached node,
    // attached name, tests, YAML file, the span of the attached node's name
    // in the YAML: where a test's dependency points). The patches and
    // source declarations are not read after this: their test lists are
    // moved out, not copied.
    let mut test_groups: Vec<(String, NodeId, String, Vec<TestSpec>, FileId, Span)> = Vec::new();
    for patch in model_patches.values_mut().chain(seed_patches.values_mut()) {
        if let Some(&attached) = ids_by_name.get(&patch.name) {
            if !patch.tests.is_empty() {
                test_groups.push((
                    patch.yaml_path.clone(),
                    attached,
                    patch.name.clone(),
                    std::mem::take(&mut patch.tests),
                    patch.file,
                    patch.name_span,
                ));
            }
        }
    }
    for source in &mut source_decls {
        for table in &mut source.tables {
            if let Some(&attached) = source_ids.get(&(source.name.clone(), table.name.clone())) {
                if !table.tests.is_empty() {
                    test_groups.push((
                        source.yaml_path.clone(),
                        attached,
                        format!("source_{}_{}", source.name, table.name),
                        std::mem::take(&mut table.tests),
                        source.file,
                        source.name_span,
                    ));
                }
            }
        }
    }
    // Ordered by YAML file, then attached node, each node's tests in their
    // written order: the groups are sorted (a stable sort), not the tests.
    test_groups.sort_by(|left, right| {
        (left.0.as_str(), left.1, &left.2).cmp(&(right.0.as_str(), right.1, &right.2))
    });
    // Names are made in parallel; where two tests get one name, the first
    // in this order is kept.
    let names: Vec<Vec<String>> = test_groups
        .par_iter()
        .map(|(_, _, attached_name, specs, ..)| {
            specs
                .iter()
                .map(|spec| test_node_name(spec, attached_name))
                .collect()
        })
        .collect();
    let mut test_names_seen = rustc_hash::FxHashSet::default();
    let kept: Vec<Vec<bool>> = names
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|name| test_names_seen.insert(name.as_str()))
                .collect()
        })
        .collect();
    drop(test_names_seen);
    let mut test_requests: Vec<TestRequest> =
        Vec::with_capacity(test_groups.iter().map(|group| group.3.len()).sum());
    for ((yaml_path, attached, attached_name, specs, file, name_span), (names, kept)) in
        test_groups.into_iter().zip(names.into_iter().zip(kept))
    {
        for ((spec, name), kept) in specs.into_iter().zip(names).zip(kept) {
            if kept {
                let short_name = test_short_name(&spec, &attached_name, &name);
                test_requests.push(TestRequest {
                    spec,
                    attached,
                    name,
                    short_name,
                    file,
                    yaml_path: yaml_path.clone(),
                    name_span,
                });
            }
        }
    }
    // Each test is prepared on its own, in parallel (SQL, custom test
    // rendering, config, hash); nodes, files and edges are added after, in
    // order.
    let prepared: Vec<PreparedTest> = test_requests
        .into_par_iter()
        .map(|request| {
        let TestRequest {
            spec,
            attached,
            name,
            short_name,
            file,
            yaml_path,
            name_span,
        } = request;
        let mut test_diagnostics: Vec<Diagnostic> = Vec::new();
        let attached_relation = graph
            .node(attached)
            .relation
            .as_ref()
            .map(relation_quoted)
            .unwrap_or_default();
        let mut to_parent = None;
        let to_relation = spec
            .kwargs
            .get("to")
            .and_then(Value::as_str)
            .and_then(|to| {
                let parent = match (referenced_model_name(to), referenced_source(to)) {
                    (Some(model), _) => ids_by_name.get(&model).copied(),
                    (None, Some(source)) => source_ids.get(&source).copied(),
                    (None, None) => ids_by_name.get(to).copied(),
                };
                to_parent = parent;
                parent.and_then(|parent| graph.node(parent).relation.as_ref().map(relation_quoted))
            });
        if spec.test_name == "relationships" && spec.namespace.is_none() && to_parent.is_none() {
            let to = spec
                .kwargs
                .get("to")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let wanted = referenced_model_name(to).unwrap_or_else(|| to.to_string());
            let mut diagnostic = Diagnostic::new(
                Code::RefNotFound,
                format!("relationships test `{name}` refers to `{wanted}`, which does not exist"),
            )
            .with_primary(
                file,
                crate::yaml::find_key_span(&files.get(file).text, "to", 0),
                "",
            );
            if let Some(close) = closest_name(&wanted, refable_names.iter().map(String::as_str)) {
                diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
            }
            test_diagnostics.push(diagnostic);
        }
        let mut sql = test_sql(&spec, &attached_relation, to_relation.as_deref());
        // A test the project defines with `{% test name(model, ...) %}`.
        // A test the project or a package defines with `{% test name(model,
        // ...) %}`: `name` in the project, `package.name` in a package (as
        // in dbt, a package's tests are not found unqualified).
        let test_macro = format!("test_{}", spec.test_name);
        let custom_macro = match &spec.namespace {
            Some(namespace) => format!("{namespace}.{test_macro}"),
            None => test_macro.clone(),
        };
        let custom_macro = Some(custom_macro).filter(|name| shared.macros.contains_key(name));
        let mut custom_refs: Vec<RefCall> = Vec::new();
        if let (None, Some(custom_macro)) = (&sql, &custom_macro) {
            let attached_details = &nodes[attached.index()];
            let model = RelationParts {
                database: attached_details.database.clone(),
                schema: attached_details.schema.clone(),
                identifier: attached_details.source.as_ref().map_or_else(
                    || attached_details.alias.clone(),
                    |source| source.identifier.clone(),
                ),
                ephemeral_cte: false,
            };
            let output = crate::render::render_generic_test(
                &environment,
                custom_macro,
                model,
                spec.column_name.as_deref(),
                &spec.kwargs,
            );
            match output.result {
                Ok(text) => {
                    let text = match spec.config.get("where").and_then(Value::as_str) {
                        // dbt reads the attached relation through the
                        // condition: the same, done on the rendered text.
                        Some(condition) => text.replace(
                            &attached_relation,
                            &format!("(select * from {attached_relation} where {condition}) dbt_subquery"),
                        ),
                        None => text,
                    };
                    sql = Some(text);
                    custom_refs = output.recorded.refs;
                }
                Err(error) => {
                    test_diagnostics.push(jinja_diagnostic(&error, &jinja_context, files, file))
                }
            }
        } else if sql.is_none() {
            test_diagnostics.push(
                Diagnostic::new(
                    Code::UndefinedMacro,
                    format!(
                        "test `{}{}` is not a generic test dbt has or the project or an installed package defines",
                        spec.namespace.as_ref().map(|namespace| format!("{namespace}.")).unwrap_or_default(),
                        spec.test_name
                    ),
                )
                .with_primary(
                    file,
                    crate::yaml::find_key_span(&files.get(file).text, &spec.test_name, 0),
                    "",
                )
                .with_help(
                    match shared
                        .packages
                        .iter()
                        .find(|package| shared.macros.contains_key(&format!("{package}.{test_macro}")))
                    {
                        Some(package) if spec.namespace.is_none() => format!(
                            "package `{package}` defines it: write `{package}.{}`",
                            spec.test_name
                        ),
                        _ => format!(
                            "define it in a macro file with {{% test {}(model, column_name) %}} ... {{% endtest %}}",
                            spec.test_name
                        ),
                    },
                ),
            );
        }
        let hash = generic_test_hash(&name, &spec, &test_target(&nodes[attached.index()]));
        let mut config = NodeConfig::default();
        config
            .values
            .insert("materialized".into(), Value::String("test".into()));
        config
            .values
            .insert("severity".into(), Value::String("ERROR".into()));
        for layer in project_tree_configs(&settings.tests, &[project_name.clone(), name.clone()]) {
            config.apply(&layer);
        }
        config.apply(&spec.config);
        // dbt names a long-named test's file and relation with its short
        // name, set as the test's `alias` config (unless it sets its own).
        if let Some(short_name) = &short_name {
            if !config.values.contains_key("alias") {
                config
                    .values
                    .insert("alias".into(), Value::String(short_name.clone()));
            }
        }
        let alias = config
            .values
            .get("alias")
            .and_then(Value::as_str)
            .map_or_else(|| name.clone(), String::from);
        // The code dbt records for a generic test: a call of its macro.
        let mut raw_code = match &spec.namespace {
            Some(namespace) => format!(
                "{{{{ {namespace}.test_{}(**_dbt_generic_test_kwargs) }}}}",
                spec.test_name
            ),
            None => format!("{{{{ test_{}(**_dbt_generic_test_kwargs) }}}}", spec.test_name),
        };
        if let Some(short_name) = &short_name {
            raw_code.push_str(&format!("{{{{ config(alias=\"{short_name}\") }}}}"));
        }
        let attached_details = &nodes[attached.index()];
        let (mut refs, sources) = match &attached_details.source {
            Some(source) => (
                Vec::new(),
                vec![crate::SourceCall {
                    source_name: source.source_name.clone(),
                    table_name: source.table_name.clone(),
                }],
            ),
            None => (
                vec![RefCall {
                    package: None,
                    name: attached_details.name.clone(),
                    version: None,
                }],
                Vec::new(),
            ),
        };
        let mut extra_parents: Vec<NodeId> = Vec::new();
        for call in custom_refs {
            if let Some(&parent) = ids_by_name.get(&call.name) {
                if parent != attached && Some(parent) != to_parent {
                    extra_parents.push(parent);
                }
            }
            if !refs.contains(&call) {
                refs.push(call);
            }
        }
        let details = NodeDetails {
            kind: NodeKind::Test,
            unique_id: format!("test.{project_name}.{name}.{hash}"),
            package_name: project_name.clone(),
            fqn: generic_test_fqn(&project_name, &settings, &yaml_path, &name),
            original_file_path: yaml_path.clone(),
            path: format!("{alias}.sql"),
            file: Some(file),
            raw_code: Arc::from(raw_code),
            raw_code_body: None,
            checksum: String::new(),
            config,
            description: String::new(),
            doc_blocks: Vec::new(),
            patch_path: None,
            columns: Vec::new(),
            refs,
            sources,
            macros_called: Vec::new(),
            rendered: None,
            introspective: false,
            database: None,
            schema: None,
            alias,
            seed_columns: Vec::new(),
            source: None,
            test: Some(TestDetails {
                test_name: spec.test_name,
                namespace: spec.namespace,
                column_name: spec.column_name,
                attached_node: Some(attached),
                kwargs: spec.kwargs,
            }),
            name,
        };
        // The compiled file's text and path are made here, in parallel;
        // only registering the file is left for the ordered loop below.
        let sql = sql.map(|sql| {
            let path = format!(
                "{}/compiled/{project_name}/{yaml_path}/{}",
                settings.target_path, details.path
            );
            (Arc::<str>::from(sql), path)
        });
        PreparedTest {
            node: graph_node(&details),
            details,
            sql,
            diagnostics: test_diagnostics,
            file,
            name_span,
            attached,
            parents: to_parent.into_iter().chain(extra_parents).collect(),
        }
        })
        .collect();
    for test in prepared {
        let PreparedTest {
            node,
            mut details,
            sql,
            diagnostics: test_diagnostics,
            file,
            name_span,
            attached,
            parents,
        } = test;
        diagnostics.extend(test_diagnostics);
        details.rendered = sql.map(|(sql, path)| Rendered {
            file: files.add(path, sql.clone()),
            sql,
            source_map: LazySourceMap::default(),
        });
        let id = graph.add_node(node);
        nodes.push(details);
        for parent in std::iter::once(attached).chain(parents) {
            graph.add_dependency(
                parent,
                id,
                Dependency {
                    file: Some(file),
                    span: name_span,
                },
            );
        }
    }

    timer.finish("generic tests");
    if let Err(cycles) = graph.topological_order() {
        diagnostics.extend(cycles);
    }
    timer.finish("cycle check");

    Some(Project {
        functions: function_declarations,
        name: project_name,
        root_dir,
        settings,
        target,
        vars,
        graph,
        nodes,
        macros,
        docs,
        renderer: Some(Arc::new(crate::runtime::Renderer { environment })),
    })
}

/// The docs blocks of the project's `.md` files (those under its docs
/// paths), in file order (the first of two blocks with one name is the one `doc()`
/// finds), and a diagnostic for each file that cannot be read.
fn read_docs_blocks(
    md_found: &[FoundFile],
    project_name: &str,
) -> (Vec<DocBlock>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut blocks = Vec::new();
    for found in md_found {
        let text = match read_text(&found.absolute) {
            Ok(text) => text,
            Err(error) => {
                diagnostics.push(unreadable(found, &error));
                continue;
            }
        };
        for (name, contents) in docs_blocks(&text) {
            blocks.push(DocBlock {
                unique_id: format!("doc.{project_name}.{name}"),
                name,
                contents,
                original_file_path: found.original_file_path.clone(),
                path: found.path.clone(),
            });
        }
    }
    (blocks, diagnostics)
}

/// Replaces the `doc()` calls in the descriptions a schema file declares
/// (models, seeds, snapshots, sources, their tables and columns); a call
/// to a block that does not exist is FC0014 and leaves the text as written.
fn resolve_docs_in(
    schema_file: &mut SchemaFile,
    docs: &FxHashMap<&str, &DocBlock>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut resolve = |text: &mut String, file: FileId, span: Span| -> Vec<String> {
        // Most descriptions hold no Jinja: one byte search rules them out.
        if !text.contains('{') || !text.contains("doc(") {
            return Vec::new();
        }
        match resolve_description(text, docs) {
            Ok(resolved) => {
                *text = resolved.text;
                resolved.doc_blocks
            }
            Err(name) => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::DocNotFound,
                        format!(
                            "a description calls doc('{name}'), and no docs block is named `{name}`"
                        ),
                    )
                    .with_primary(file, span, "")
                    .with_help(format!(
                        "define it in a .md file: {{% docs {name} %}} ... {{% enddocs %}}"
                    )),
                );
                Vec::new()
            }
        }
    };
    let patches = schema_file
        .models
        .iter_mut()
        .chain(&mut schema_file.seeds)
        .chain(&mut schema_file.snapshots);
    for patch in patches {
        patch.doc_blocks = resolve(&mut patch.description, patch.file, patch.name_span);
        resolve_columns(
            &mut patch.columns,
            patch.file,
            patch.name_span,
            &mut resolve,
        );
    }
    for source in &mut schema_file.sources {
        resolve(&mut source.description, source.file, source.name_span);
        for table in &mut source.tables {
            table.doc_blocks = resolve(&mut table.description, source.file, source.name_span);
            resolve_columns(
                &mut table.columns,
                source.file,
                source.name_span,
                &mut resolve,
            );
        }
    }
}

/// [`resolve_docs_in`] for the columns of one entry: each diagnostic at the
/// column's name, or at the entry's when the column has no location.
fn resolve_columns(
    columns: &mut [crate::ColumnInfo],
    file: FileId,
    entry_span: Span,
    resolve: &mut impl FnMut(&mut String, FileId, Span) -> Vec<String>,
) {
    for column in columns {
        let span = column.location.map_or(entry_span, |location| location.span);
        column.doc_blocks = resolve(&mut column.description, file, span);
    }
}

/// A template node built on its own (in parallel): its record, its
/// rendered SQL with the path of its compiled file (registered in order
/// after), and its diagnostics.
struct BuiltTemplateNode {
    details: NodeDetails,
    rendered: Option<(Arc<str>, String, LazySourceMap)>,
    diagnostics: Vec<Diagnostic>,
}

/// A generic test made ready in parallel; its compiled SQL becomes a file,
/// and it a node with edges, in order afterwards.
struct PreparedTest {
    /// The graph's record of the node (its interned names made here).
    node: Node,
    details: NodeDetails,
    /// The compiled SQL and the path of its file under `target/compiled`.
    sql: Option<(Arc<str>, String)>,
    diagnostics: Vec<Diagnostic>,
    file: FileId,
    name_span: Span,
    attached: NodeId,
    parents: Vec<NodeId>,
}

/// The relation `ref()` reads for each model, snapshot and seed name, given
/// the nodes' configs and relations (the first of a duplicated name wins,
/// as the graph reports the others).
fn ref_table_of<'a>(
    template_nodes: &[TemplateNode],
    configs: &[NodeConfig],
    relations: impl Iterator<Item = Option<&'a RelationParts>>,
    seeds: &[NodeDetails],
    seed_relations: &[RelationParts],
) -> RefTable {
    let mut table = RefTable::default();
    for ((node, config), relation) in template_nodes.iter().zip(configs).zip(relations) {
        let Some(relation) = relation else {
            continue;
        };
        if matches!(node.kind, NodeKind::Model | NodeKind::Snapshot) && config.enabled() {
            let read_as = if config.materialized() == "ephemeral" {
                RelationParts::ephemeral(&node.name)
            } else {
                relation.clone()
            };
            table.relations.entry(node.name.clone()).or_insert(read_as);
        }
    }
    for (seed, relation) in seeds.iter().zip(seed_relations) {
        table
            .relations
            .entry(seed.name.clone())
            .or_insert_with(|| relation.clone());
    }
    table
}

/// Whether a template or macro text may render differently in the compile
/// phase than in the parse phase for reasons other than relation names:
/// it mentions `execute`, or reaches other templates (`import`, `include`,
/// `extends`) whose macro calls are not recorded. Plain text search, so a
/// mention in a comment counts too: a false alarm costs one render.
fn reads_phase(text: &str) -> bool {
    ["execute", "import", "include", "extends"]
        .iter()
        .any(|word| memchr::memmem::find(text.as_bytes(), word.as_bytes()).is_some())
}

/// The project graph's record of a node.
fn graph_node(details: &NodeDetails) -> Node {
    let relation = match (details.kind, &details.database, &details.schema) {
        (NodeKind::Test, _, _) => None,
        (_, database, schema) => Some(RelationName {
            database: database.as_deref().map(Name::new),
            schema: schema.as_deref().map(Name::new),
            identifier: Name::new(&details.alias),
        }),
    };
    Node {
        unique_id: details.unique_id.clone(),
        kind: details.kind,
        name: Name::new(&details.name),
        package_name: Name::new(&details.package_name),
        relation,
        file: details.file,
    }
}

fn relation_quoted(relation: &RelationName) -> String {
    RelationParts {
        database: relation.database.map(|name| name.as_str().to_string()),
        schema: relation.schema.map(|name| name.as_str().to_string()),
        identifier: relation.identifier.as_str().to_string(),
        ephemeral_cte: false,
    }
    .quoted()
}

fn unique_id_of(kind: NodeKind, project_name: &str, name: &str) -> String {
    format!("{}.{project_name}.{name}", kind.resource_type())
}

/// Keeps `patch` unless an entry of the same name came first, in which case
/// FC0013 points at both.
fn add_patch(
    patches: &mut FxHashMap<String, NodePatch>,
    patch: NodePatch,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match patches.entry(patch.name.clone()) {
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(patch);
        }
        std::collections::hash_map::Entry::Occupied(first) => {
            let first = first.get();
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicatePatch,
                    format!(
                        "`{}` is described twice in YAML: in {} and here",
                        patch.name, first.yaml_path
                    ),
                )
                .with_primary(patch.file, patch.name_span, "second entry")
                .with_secondary(first.file, first.name_span, "first entry, the one kept")
                .with_help("describe each model, seed or snapshot in one YAML entry"),
            );
        }
    }
}

/// One generic test to prepare: its spec, the node it is attached to, its
/// name (and the shorter one dbt uses for a long name), and where its YAML
/// entry is.
struct TestRequest {
    spec: TestSpec,
    attached: NodeId,
    name: String,
    short_name: Option<String>,
    file: FileId,
    yaml_path: String,
    name_span: Span,
}

/// How dbt writes the node a generic test is attached to, in the test's
/// metadata: `ref('orders')` or `source('shop', 'orders')`.
fn test_target(attached: &NodeDetails) -> String {
    match &attached.source {
        Some(source) => format!("source('{}', '{}')", source.source_name, source.table_name),
        None => format!("ref('{}')", attached.name),
    }
}

fn duplicate_diagnostic(name: &str, previous: &NodeDetails, file: Option<FileId>) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::DuplicateNode,
        format!(
            "two nodes are named `{name}`: {} and this one",
            previous.original_file_path
        ),
    )
    .with_help("rename one of them: ref() needs names to be unique");
    if let Some(file) = file {
        diagnostic = diagnostic.at(file, Span::EMPTY);
    }
    if let Some(previous_file) = previous.file {
        diagnostic = diagnostic.with_secondary(previous_file, Span::EMPTY, "first defined here");
    }
    diagnostic
}

fn missing_ref_diagnostic(
    call: &RefCall,
    node: &TemplateNode,
    refable_names: &[String],
) -> Diagnostic {
    let span = call_span(
        &node.raw,
        "ref",
        call.package.as_deref().unwrap_or(&call.name),
    )
    .unwrap_or(Span::EMPTY);
    let mut diagnostic = Diagnostic::new(
        Code::RefNotFound,
        format!(
            "`{}` refers to `{}`, which is not a model, seed or snapshot of the project",
            node.name, call.name
        ),
    )
    .with_primary(node.file, span, "no node with this name");
    match closest_name(&call.name, refable_names.iter().map(String::as_str)) {
        Some(close) => diagnostic = diagnostic.with_help(format!("did you mean `{close}`?")),
        None => diagnostic = diagnostic.with_help("check the model name, or add the model"),
    }
    diagnostic
}

fn missing_source_diagnostic(
    call: &crate::SourceCall,
    node: &TemplateNode,
    sources: &[SourceDecl],
) -> Diagnostic {
    let span = call_span(&node.raw, "source", &call.source_name).unwrap_or(Span::EMPTY);
    let mut diagnostic = Diagnostic::new(
        Code::SourceNotFound,
        format!(
            "`{}` reads source `{}.{}`, which is not declared",
            node.name, call.source_name, call.table_name
        ),
    )
    .with_primary(node.file, span, "no such source table");
    let declared: Vec<String> = sources
        .iter()
        .flat_map(|source| {
            source
                .tables
                .iter()
                .map(move |table| format!("{}.{}", source.name, table.name))
        })
        .collect();
    let wanted = format!("{}.{}", call.source_name, call.table_name);
    match closest_name(&wanted, declared.iter().map(String::as_str)) {
        Some(close) => diagnostic = diagnostic.with_help(format!("did you mean `{close}`?")),
        None => {
            diagnostic = diagnostic.with_help(format!(
                "declare it in a schema file under `sources:` (name: {}, tables: [{}])",
                call.source_name, call.table_name
            ))
        }
    }
    diagnostic
}

/// Schema and alias naming: dbt's defaults, or the project's own
/// `generate_schema_name` / `generate_alias_name` / `generate_database_name`.
struct RelationNaming<'a> {
    target: &'a crate::Target,
    /// `generate_schema_name`, `generate_alias_name` and
    /// `generate_database_name` calls, compiled once, for the macros the
    /// project overrides.
    overrides: [Option<minijinja::Template<'a, 'a>>; 3],
}

/// The macros that name a node's relation, in the order of
/// `RelationNaming::overrides`.
const NAMING_MACROS: [&str; 3] = [
    "generate_schema_name",
    "generate_alias_name",
    "generate_database_name",
];

/// The config keys a relation's name is made of when no override macro
/// reads the whole config (see `RelationNaming::relation`).
const NAMING_KEYS: [&str; 5] = [
    "schema",
    "alias",
    "database",
    "target_schema",
    "target_database",
];

/// The values of a config's `NAMING_KEYS`.
fn naming_inputs(config: &NodeConfig) -> [Option<Value>; 5] {
    NAMING_KEYS.map(|key| config.get(key).cloned())
}

impl<'a> RelationNaming<'a> {
    /// True when the project overrides a naming macro: the macro sees the
    /// node's whole config, so any config may change a name.
    fn reads_whole_config(&self) -> bool {
        self.overrides.iter().any(Option::is_some)
    }

    fn new(
        environment: &'a minijinja::Environment<'static>,
        shared: &'a RenderShared,
        target: &'a crate::Target,
    ) -> Self {
        const CALLS: [&str; 3] = [
            "{{ generate_schema_name(custom_name, node) }}",
            "{{ generate_alias_name(custom_name, node) }}",
            "{{ generate_database_name(custom_name, node) }}",
        ];
        let overrides = std::array::from_fn(|index| {
            shared
                .macros
                .contains_key(NAMING_MACROS[index])
                .then(|| environment.template_from_str(CALLS[index]).ok())
                .flatten()
        });
        RelationNaming { target, overrides }
    }

    fn call_override(
        &self,
        which: usize,
        custom: Option<&str>,
        node_value: &dyn Fn() -> minijinja::Value,
        diagnostics: &mut Vec<Diagnostic>,
        file: FileId,
    ) -> Option<String> {
        let template = self.overrides[which].as_ref()?;
        let macro_name = NAMING_MACROS[which];
        let context = minijinja::context! {
            custom_name => custom.map(minijinja::Value::from).unwrap_or(minijinja::Value::from(())),
            node => node_value(),
        };
        match template.render(context) {
            Ok(text) => Some(text.trim().to_string()),
            Err(error) => {
                let message = match failure_of(&error) {
                    Some(failure) => failure.message.clone(),
                    None => error_message(&error),
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::JinjaRender,
                        format!("{macro_name}() failed: {message}"),
                    )
                    .at(file, Span::EMPTY),
                );
                None
            }
        }
    }

    fn relation(
        &self,
        kind: NodeKind,
        name: &str,
        config: &NodeConfig,
        fqn: &[String],
        diagnostics: &mut Vec<Diagnostic>,
        file: FileId,
    ) -> RelationParts {
        // The `node` the override macros see, made once and only when the
        // project overrides one of them.
        let node_value = std::cell::OnceCell::new();
        let node_value = || {
            node_value
                .get_or_init(|| {
                    crate::jinja::to_value(serde_json::json!({
                        "name": name,
                        "resource_type": kind.resource_type(),
                        "fqn": fqn,
                        "config": Value::Object(config.values.clone()),
                    }))
                })
                .clone()
        };
        let schema = self
            .call_override(0, config.schema(), &node_value, diagnostics, file)
            .unwrap_or_else(|| match config.schema() {
                Some(custom) => format!("{}_{}", self.target.schema, custom.trim()),
                None => self.target.schema.clone(),
            });
        let identifier = self
            .call_override(1, config.alias(), &node_value, diagnostics, file)
            .unwrap_or_else(|| config.alias().unwrap_or(name).to_string());
        let database = self
            .call_override(2, config.database(), &node_value, diagnostics, file)
            .unwrap_or_else(|| {
                config
                    .database()
                    .unwrap_or(&self.target.database)
                    .to_string()
            });
        // Snapshots configured the older way name their schema and database
        // outright, without generate_schema_name.
        let literal = |key: &str| {
            (kind == NodeKind::Snapshot)
                .then(|| config.get(key).and_then(Value::as_str).map(str::to_string))
                .flatten()
        };
        RelationParts {
            database: Some(literal("target_database").unwrap_or(database)),
            schema: Some(literal("target_schema").unwrap_or(schema)),
            identifier,
            ephemeral_cte: false,
        }
    }
}

/// dbt's fqn of a test defined in YAML: the project, the folders of the YAML
/// file below its resource folder (`models/marts/_marts.yml` gives `marts`),
/// and the test's name.
fn generic_test_fqn(
    project_name: &str,
    settings: &ProjectSettings,
    yaml_path: &str,
    test_name: &str,
) -> Vec<String> {
    let resource_folders = settings
        .model_paths
        .iter()
        .chain(&settings.seed_paths)
        .chain(&settings.snapshot_paths)
        .chain(&settings.analysis_paths)
        .chain(&settings.test_paths);
    let below_resource_folder = resource_folders
        .filter_map(|folder| {
            yaml_path
                .strip_prefix(folder.trim_end_matches('/'))?
                .strip_prefix('/')
        })
        .next()
        .unwrap_or(yaml_path);
    let mut fqn = vec![project_name.to_string()];
    let folders: Vec<&str> = below_resource_folder.split('/').collect();
    fqn.extend(
        folders[..folders.len() - 1]
            .iter()
            .map(|folder| folder.to_string()),
    );
    fqn.push(test_name.to_string());
    fqn
}

/// The macro file a per-macro template comes from.
fn macro_file_of_template(template_name: &str) -> &str {
    template_name
        .rsplit_once('#')
        .map_or(template_name, |(file, _)| file)
}

/// The template name of one macro of a macro file.
fn macro_template_name(file_path: &str, macro_name: &str) -> String {
    format!("{file_path}#{macro_name}")
}

/// Splits a macro file into one template per macro, as dbt treats each
/// macro on its own. Calling a macro evaluates only its own template, not
/// every macro of its file. Each template is padded with the newlines that
/// precede the macro in its file, so Jinja errors keep their line numbers.
fn per_macro_templates(
    file_path: &str,
    text: &str,
) -> (Vec<(String, String)>, Vec<crate::render::ScannedMacro>) {
    let (_, scanned) = prepare_macro_file(text);
    let mut templates = Vec::with_capacity(scanned.len());
    for scanned_macro in &scanned {
        let block = &text[scanned_macro.start..scanned_macro.end];
        let (rewritten_block, _) = prepare_macro_file(block);
        let lines_before = text[..scanned_macro.start].matches('\n').count();
        let mut source = "\n".repeat(lines_before);
        source.push_str(&rewritten_block);
        templates.push((macro_template_name(file_path, &scanned_macro.name), source));
    }
    (templates, scanned)
}

/// FC0012 when `packages.yml` (or `dependencies.yml`) lists packages and
/// none is installed: their macros would all be undefined.
fn warn_if_packages_missing(
    root_dir: &Path,
    install_path: &str,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for file_name in ["packages.yml", "dependencies.yml"] {
        let found = FoundFile {
            original_file_path: file_name.to_string(),
            path: file_name.to_string(),
            absolute: root_dir.join(file_name),
        };
        if !found.absolute.is_file() {
            continue;
        }
        let Some((file, text)) = read_file(&found, files, diagnostics) else {
            continue;
        };
        let listed = match parse_yaml(&text, file) {
            Ok(value) => value
                .get("packages")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                continue;
            }
        };
        if listed > 0 {
            diagnostics.push(
                Diagnostic::new(
                    Code::PackagesNotInstalled,
                    format!(
                        "{file_name} lists {listed} package{} but none is installed in {install_path}/",
                        if listed == 1 { "" } else { "s" }
                    ),
                )
                .with_primary(file, crate::yaml::find_key_span(&text, "packages", 0), "")
                .with_help("run `dbt deps` to install them; fusionc reads installed packages but does not download them"),
            );
        }
    }
}

/// What `source()` renders for a dbt-duckdb external source, as
/// dbt-duckdb's `DuckDBRelation.create_from_source` makes it: the
/// `external_location` of the table's merged meta and config, filled in by
/// its `formatter` (`newstyle`, the default: Python's `str.format_map`;
/// `oldstyle`: `%(name)s`; `template`: `$name`) from the table's `name`,
/// `identifier`, `schema`, `database`, `tags` and the merged entries
/// themselves; a plain path is quoted as a string, which DuckDB reads as a
/// file, and a call such as `read_csv(...)` is kept as written. `None` when
/// the table has no external location.
fn external_source_text(
    source: &SourceDecl,
    table: &crate::schema_yaml::SourceTableDecl,
    target: &crate::profiles::Target,
) -> Result<Option<String>, String> {
    let settings = &table.adapter_settings;
    let Some(location) = settings.get("external_location") else {
        return Ok(None);
    };
    let Some(template) = location.as_str() else {
        return Err("must be a string".to_string());
    };
    let mut values = serde_json::Map::new();
    values.insert("name".into(), table.name.clone().into());
    values.insert("identifier".into(), table.identifier.clone().into());
    values.insert("schema".into(), source.schema.clone().into());
    values.insert(
        "database".into(),
        source
            .database
            .clone()
            .unwrap_or_else(|| target.database.clone())
            .into(),
    );
    values.insert(
        "tags".into(),
        settings
            .get("tags")
            .cloned()
            .unwrap_or_else(|| serde_json::Value::Array(Vec::new())),
    );
    values.extend(
        settings
            .iter()
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    let formatter = settings
        .get("formatter")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("newstyle");
    let filled = match formatter {
        "newstyle" => crate::python_format::format_map(template, &values)?,
        "oldstyle" => crate::python_format::percent_format(template, &values)?,
        "template" => crate::python_format::template_substitute(template, &values)?,
        other => {
            return Err(format!(
                "names formatter `{other}`: it must be one of newstyle, oldstyle, template"
            ))
        }
    };
    Ok(Some(if filled.contains('(') || filled.starts_with('\'') {
        filled
    } else {
        format!("'{filled}'")
    }))
}

/// A package `dbt deps` installed.
struct InstalledPackage {
    name: String,
    /// Its macro folders, from the project root.
    macro_paths: Vec<String>,
}

/// The packages under `install_path` (each a folder with a
/// `dbt_project.yml`), sorted by folder name. A package whose project file
/// cannot be read is reported and skipped.
fn installed_packages(
    root_dir: &Path,
    install_path: &str,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<InstalledPackage> {
    let Ok(entries) = std::fs::read_dir(root_dir.join(install_path)) else {
        return Vec::new();
    };
    let mut folders: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    folders.sort();
    let mut packages = Vec::new();
    for folder in folders {
        let relative = format!("{install_path}/{folder}");
        let found = FoundFile {
            original_file_path: format!("{relative}/dbt_project.yml"),
            path: "dbt_project.yml".into(),
            absolute: root_dir.join(&relative).join("dbt_project.yml"),
        };
        if !found.absolute.is_file() {
            continue;
        }
        let Some((file, text)) = read_file(&found, files, diagnostics) else {
            continue;
        };
        let value = match parse_yaml(&text, file) {
            Ok(value) => value,
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                continue;
            }
        };
        let name = value
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| folder.clone());
        let macro_paths = match value.get("macro-paths") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|path| format!("{relative}/{path}"))
                .collect(),
            Some(Value::String(path)) => vec![format!("{relative}/{path}")],
            _ => vec![format!("{relative}/macros")],
        };
        packages.push(InstalledPackage { name, macro_paths });
    }
    packages
}

/// One `{% snapshot name %} ... {% endsnapshot %}` block of a snapshot file.
struct SnapshotBlock {
    name: String,
    /// The file's text with everything but the block's body blanked out
    /// (each byte a space, newlines kept), so offsets, line numbers and the
    /// source map stay those of the file.
    template: String,
    /// Where the body lies in the file (and in `template`).
    body: std::ops::Range<usize>,
}

/// The snapshot blocks of a snapshot file, in order.
fn snapshot_blocks(text: &str) -> Vec<SnapshotBlock> {
    crate::blocks::named_blocks(text, "snapshot")
        .into_iter()
        .map(|block| {
            let body = block.body;
            let template: String = text
                .char_indices()
                .flat_map(|(offset, character)| {
                    let keep = body.contains(&offset) || character == '\n';
                    let replacement = if keep { character } else { ' ' };
                    let repeat = if keep { 1 } else { character.len_utf8() };
                    std::iter::repeat_n(replacement, repeat)
                })
                .collect();
            SnapshotBlock {
                name: block.name,
                template,
                body,
            }
        })
        .collect()
}
