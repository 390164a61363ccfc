//! Data-driven tests of the frontend: every folder under `tests/frontend/`
//! is a small dbt project; loading it yields a readable summary (nodes,
//! relations, configs, refs, rendered SQL, columns, diagnostics) that is
//! snapshotted with insta.

use fusion_frontend::{load_project, LoadOptions, LoadResult};
use fusion_ir::span::SourceFiles;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn fixture_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/frontend")
        .join(case)
}

/// `line:column` (1-based) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |line_text| line_text.chars().count())
        + 1;
    (line, column)
}

fn render_diagnostics(result: &LoadResult, files: &SourceFiles, output: &mut String) {
    for diagnostic in &result.diagnostics {
        let location = match &diagnostic.primary {
            Some(label) => {
                let file = files.get(label.location.file);
                let span = label.location.span;
                assert!(
                    span.end as usize <= file.text.len()
                        && file.text.is_char_boundary(span.start as usize)
                        && file.text.is_char_boundary(span.end as usize),
                    "{} {}: span {span:?} is not on characters of {}",
                    diagnostic.code,
                    diagnostic.message,
                    file.path
                );
                let (line, column) = line_column(&file.text, span.start as usize);
                format!("{}:{line}:{column}", file.path)
            }
            None => "-".to_string(),
        };
        let severity = format!("{:?}", diagnostic.severity).to_lowercase();
        let _ = writeln!(
            output,
            "{} {severity} {location} {}",
            diagnostic.code, diagnostic.message
        );
        if let Some(help) = &diagnostic.help {
            let _ = writeln!(output, "    help: {help}");
        }
    }
}

fn summarize(result: &LoadResult) -> String {
    let mut output = String::new();
    if let Some(project) = &result.project {
        let target = &project.target;
        let _ = writeln!(
            output,
            "project {} (profile {}, target {}, {} database {} schema {} threads {})",
            project.name,
            target.profile_name,
            target.target_name,
            target.adapter_type,
            target.database,
            target.schema,
            target.threads
        );
        let _ = writeln!(
            output,
            "vars {}",
            serde_json::Value::Object(project.vars.clone())
        );
        // dbt's built-in macros are the same for every project: list only the project's.
        for macro_info in project
            .macros
            .iter()
            .filter(|info| info.package_name != "dbt")
        {
            let _ = writeln!(
                output,
                "macro {} ({}) args {:?}",
                macro_info.unique_id, macro_info.original_file_path, macro_info.arguments
            );
        }
        for (index, details) in project.nodes.iter().enumerate() {
            let node = &project.graph.nodes[index];
            let id = fusion_ir::graph::NodeId(index as u32);
            let _ = writeln!(
                output,
                "\n== {} [{}]",
                details.unique_id, details.original_file_path
            );
            if let Some(relation) = &node.relation {
                let _ = writeln!(output, "relation: {relation}");
            }
            if let Some(version) = &details.version {
                let _ = writeln!(
                    output,
                    "version {version} of {} (latest {}), fqn {}",
                    details.name,
                    details.latest_version.as_deref().unwrap_or("-"),
                    details.fqn.join(".")
                );
            }
            if !details.config.values.is_empty() {
                let _ = writeln!(
                    output,
                    "config: {}",
                    serde_json::Value::Object(details.config.values.clone())
                );
            }
            if !details.description.is_empty() {
                let _ = writeln!(output, "description: {}", details.description);
            }
            let parents: Vec<String> = project
                .graph
                .parents(id)
                .into_iter()
                .map(|parent| project.graph.node(parent).unique_id.clone())
                .collect();
            if !parents.is_empty() {
                let _ = writeln!(output, "parents: {}", parents.join(", "));
            }
            for call in &details.refs {
                let _ = writeln!(
                    output,
                    "ref: {}{}{}",
                    call.package
                        .as_deref()
                        .map(|package| format!("{package}."))
                        .unwrap_or_default(),
                    call.name,
                    call.version
                        .as_deref()
                        .map(|version| format!(" v{version}"))
                        .unwrap_or_default()
                );
            }
            for call in &details.sources {
                let _ = writeln!(output, "source: {}.{}", call.source_name, call.table_name);
            }
            if !details.macros_called.is_empty() {
                let _ = writeln!(output, "macros: {}", details.macros_called.join(", "));
            }
            if details.introspective {
                let _ = writeln!(output, "introspective");
            }
            for column in &details.columns {
                let _ = writeln!(
                    output,
                    "column {}: {} {:?} tests {:?}",
                    column.name,
                    column.data_type.as_deref().unwrap_or("-"),
                    column.description,
                    column.tests
                );
            }
            for column in &details.seed_columns {
                let _ = writeln!(
                    output,
                    "seed column {}: {} ({:?})",
                    column.name, column.type_name, column.sql_type
                );
            }
            if let Some(source) = &details.source {
                let _ = writeln!(output, "loader: {:?}", source.loader);
            }
            if let Some(test) = &details.test {
                let _ = writeln!(
                    output,
                    "test: {} column {:?} kwargs {}",
                    test.test_name,
                    test.column_name,
                    serde_json::Value::Object(test.kwargs.clone())
                );
            }
            if let Some(rendered) = &details.rendered {
                let _ = writeln!(
                    output,
                    "rendered ({}):\n{}",
                    result.files.get(rendered.file).path,
                    rendered.sql
                );
            }
        }
        // Exposures, metrics, semantic models, saved queries and groups.
        for resource in &project.declared {
            let _ = writeln!(
                output,
                "\n== {} [{}] fqn {}",
                resource.unique_id,
                resource.original_file_path,
                resource.fqn.join(".")
            );
            let _ = writeln!(
                output,
                "config: {}",
                serde_json::Value::Object(resource.config.clone())
            );
            if !resource.depends_on.is_empty() {
                let _ = writeln!(output, "depends on: {}", resource.depends_on.join(", "));
            }
        }
    } else {
        let _ = writeln!(output, "no project");
    }
    let _ = writeln!(output, "\n-- diagnostics");
    render_diagnostics(result, &result.files, &mut output);
    output
}

fn check(case: &str, vars: Option<&str>, target: Option<&str>) {
    check_as(case, case, vars, target);
}

/// [`check`] under another snapshot name (the same fixture on another target).
fn check_as(snapshot: &str, case: &str, vars: Option<&str>, target: Option<&str>) {
    let options = LoadOptions {
        project_dir: fixture_dir(case),
        profiles_dir: None,
        target: target.map(String::from),
        vars: vars.map(String::from),
        adapter_naming: fusion_driver::adapter::naming::naming_for_adapter,
    };
    let result = load_project(&options);
    insta::assert_snapshot!(snapshot, summarize(&result));
}

#[test]
fn basic() {
    check("basic", None, None);
}

/// Exposures, semantic models, metrics, saved queries, groups and model
/// versions, checked against dbt-core 1.11's manifest of the same project.
#[test]
fn resources() {
    check("resources", None, None);
}

/// Their dangling references, each an error at the entry that writes it.
#[test]
fn resources_broken() {
    check("resources_broken", None, None);
}

#[test]
fn builtins() {
    check("builtins", None, None);
}

#[test]
fn jinja() {
    check("jinja", Some("{limit_rows: 99, extra: yes}"), None);
}

#[test]
fn broken() {
    check("broken", None, None);
}

/// Config keys dbt does not know, in each place a project writes configs.
#[test]
fn config_keys() {
    check("config_keys", None, None);
}

/// Each node's compiled SQL is what a render with the final relations
/// gives, whether the loader rendered it again or kept its parse-phase text:
/// names changed by a node's own `config()`, ephemeral and disabled
/// parents, and `execute` read by a template or by a macro it calls.
/// Installed packages, one a folder and one a link (as `dbt deps`
/// installs `local:` packages): their models, seeds, sources, YAML tests
/// and macros, configured by their own project file and the root's, with
/// dbt's search order for refs, macros and vars.
#[test]
fn packages() {
    check("packages", None, None);
}

/// The same project on a BigQuery target: relations in backquotes,
/// `project` and `dataset` as the database and schema.
#[test]
fn packages_on_bigquery() {
    check_as("packages_on_bigquery", "packages", None, Some("bq"));
}

/// dbt's cross-database macros (`dbt.listagg`, `dbt.split_part`...) on
/// DuckDB, Snowflake, Postgres, Redshift, BigQuery and Databricks: each
/// renders SQL its warehouse accepts.
#[test]
fn cross_database() {
    check("cross_database", None, None);
    check_as(
        "cross_database_on_snowflake",
        "cross_database",
        None,
        Some("sf"),
    );
    check_as(
        "cross_database_on_postgres",
        "cross_database",
        None,
        Some("pg"),
    );
    check_as(
        "cross_database_on_redshift",
        "cross_database",
        None,
        Some("rs"),
    );
    check_as(
        "cross_database_on_bigquery",
        "cross_database",
        None,
        Some("bq"),
    );
    check_as(
        "cross_database_on_databricks",
        "cross_database",
        None,
        Some("dbx"),
    );
}

/// Generic test arguments with Jinja that calls a macro of the package
/// whose YAML defines the test, in a list and in `values`.
#[test]
fn test_arguments() {
    check("test_arguments", None, None);
}

#[test]
fn phases() {
    check("phases", None, None);
}

/// Text of several bytes per character in every kind of file: seed cells
/// and headers (one file with a byte order mark), YAML descriptions, docs
/// blocks, Jinja comments, SQL string literals next to Jinja errors, and
/// tags that close where they open (`{%}`). Every diagnostic's span must
/// fall on characters.
#[test]
fn multibyte() {
    check("multibyte", None, None);
}

/// Keys written twice in the project file, the profile, schema YAML (block
/// and flow mappings), an installed package's project file and `--vars`:
/// each keeps its last value, as dbt does, with an FC0024 warning at the
/// second key.
#[test]
fn duplicate_keys() {
    check(
        "duplicate_keys",
        Some("{from_cli: first, from_cli: last}"),
        None,
    );
}

/// dbt's context built-ins beyond macros: `modules` (datetime, pytz, re,
/// itertools), `run_started_at`, `invocation_id`, `set`, `zip_strict`,
/// `tojson`/`toyaml`/`fromyaml`, `local_md5`, `diff_of_two_dicts`,
/// `try_or_compiler_error`, `selected_resources` and `exceptions.warn`.
/// Values that change per run are rendered by their shape.
#[test]
fn context() {
    check("context", None, None);
}
