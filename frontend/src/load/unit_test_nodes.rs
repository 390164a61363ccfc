//! The unit tests phase: each `unit_tests:` entry becomes a node of kind
//! `UnitTest` (unique id `unit_test.<package>.<model>.<name>`, as dbt's)
//! whose graph parent is the model it tests, with its given inputs
//! resolved to the nodes they stand for and its fixture files read.
//!
//! What dbt refuses when it parses the project is refused here: a model
//! that does not exist (FC2008), an unreadable input or fixture, an
//! incremental model without an `is_incremental` override (FC0025), an
//! input that names nothing (FC2001, FC2002). Whether the inputs cover
//! the model's refs and sources, and whether the columns fit, is checked
//! with the analysis (the driver's `unit_tests` module).

use super::graph::{graph_node, GraphBuilder};
use super::project::project_file_layers;
use super::LoadContext;
use crate::config::NodeConfig;
use crate::package_scope::SearchFrom;
use crate::project::NodeDetails;
use crate::unit_tests::{
    csv_rows, parse_input, Fixture, FixtureFormat, FixtureRows, Given, UnitTest, UnitTestDecl,
    UnitTestInput,
};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{Dependency, NodeKind};
use fusion_ir::span::{FileId, SourceFiles, Span};
use serde_json::Value;
use std::sync::Arc;

/// Adds a node per enabled unit test; returns the unit tests in node order.
pub(super) fn add_unit_tests(
    context: &LoadContext,
    graph: &mut GraphBuilder,
    declarations: Vec<UnitTestDecl>,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<UnitTest> {
    let mut unit_tests = Vec::new();
    for declaration in declarations {
        if let Some(unit_test) = add_unit_test(context, graph, declaration, files, diagnostics) {
            unit_tests.push(unit_test);
        }
    }
    unit_tests
}

fn add_unit_test(
    context: &LoadContext,
    graph: &mut GraphBuilder,
    mut declaration: UnitTestDecl,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<UnitTest> {
    let file = declaration.file;
    let model_name = declaration.model.clone()?;
    let from = SearchFrom {
        node_package: &declaration.package,
        root_package: &context.project_name,
    };
    let model = graph
        .ids_by_name
        .find(None, &model_name, from)
        .copied()
        .filter(|&id| graph.nodes[id.index()].kind == NodeKind::Model);
    // A unit test's config: dbt's defaults, its project's `unit_tests:`
    // tree at its fqn (the model's, then its name), its YAML `config:`,
    // then (for a package's unit test) the root project's tree.
    let mut fqn = model
        .map(|model| graph.nodes[model.index()].fqn.clone())
        .unwrap_or_else(|| vec![declaration.package.clone(), model_name.clone()]);
    fqn.push(declaration.name.clone());
    let mut config = NodeConfig::default();
    config
        .values
        .insert("tags".into(), Value::Array(Vec::new()));
    config
        .values
        .insert("meta".into(), Value::Object(Default::default()));
    let unit = context
        .units
        .iter()
        .find(|unit| unit.name == declaration.package);
    let (own_layers, root_layers) = match unit {
        Some(unit) => project_file_layers(context, unit, |settings| &settings.unit_tests, &fqn),
        None => (Vec::new(), Vec::new()),
    };
    for layer in &own_layers {
        config.apply(layer);
    }
    config.apply(&declaration.config);
    for layer in &root_layers {
        config.apply(layer);
    }
    let enabled = config
        .values
        .get("enabled")
        .is_none_or(|enabled| match enabled {
            Value::Bool(enabled) => *enabled,
            Value::String(text) => !text.trim().eq_ignore_ascii_case("false"),
            _ => true,
        });
    if !enabled {
        return None;
    }
    let Some(model) = model else {
        diagnostics.push(
            Diagnostic::new(
                Code::UnitTestModelNotFound,
                format!(
                    "unable to find model '{}.{model_name}' for unit test '{}'",
                    declaration.package, declaration.name
                ),
            )
            .with_primary(file, declaration.model_span, "no model of this name"),
        );
        return None;
    };
    read_fixture_files(context, &mut declaration, files, diagnostics);
    let from = SearchFrom {
        node_package: &declaration.package,
        root_package: &context.project_name,
    };
    let model_details = &graph.nodes[model.index()];
    let incremental = model_details.config.materialized() == "incremental";
    if incremental && !declaration.overrides.macros.contains_key("is_incremental") {
        diagnostics.push(
            Diagnostic::new(
                Code::UnitTestDefinition,
                format!(
                    "Boolean override for 'is_incremental' must be provided for unit test '{}' in model '{model_name}'",
                    declaration.name
                ),
            )
            .with_primary(file, declaration.name_span, "")
            .with_help("add `overrides: {macros: {is_incremental: true}}` (or false) to the unit test"),
        );
        return None;
    }
    let mut given = Vec::new();
    let mut given_as_written = Vec::new();
    let mut complete = true;
    for entry in &declaration.given {
        let Some(fixture) = entry.fixture.clone() else {
            complete = false;
            continue;
        };
        given_as_written.push((entry.input.clone(), fixture.clone()));
        let Some(input) = parse_input(&entry.input) else {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnitTestDefinition,
                    format!(
                        "Unit test given inputs must be either a 'ref', 'source' or 'this' call. Got: '{}'.",
                        entry.input
                    ),
                )
                .with_primary(file, entry.input_span, ""),
            );
            complete = false;
            continue;
        };
        let node = match &input {
            UnitTestInput::This => Some(model),
            UnitTestInput::Ref { package, name } => graph
                .ids_by_name
                .find(package.as_deref(), name, from)
                .copied(),
            UnitTestInput::Source {
                source_name,
                table_name,
            } => graph
                .source_ids
                .find(None, &format!("{source_name}.{table_name}"), from)
                .copied(),
        };
        let Some(node) = node else {
            let code = match input {
                UnitTestInput::Source { .. } => Code::SourceNotFound,
                _ => Code::RefNotFound,
            };
            diagnostics.push(
                Diagnostic::new(
                    code,
                    format!(
                        "Unit test '{}' had an input ({}) which was not found in the manifest.",
                        declaration.name, entry.input
                    ),
                )
                .with_primary(file, entry.input_span, "names nothing"),
            );
            complete = false;
            continue;
        };
        given.push(Given {
            text: entry.input.clone(),
            input,
            node,
            fixture,
            span: entry.input_span,
        });
    }
    let expect = declaration.expect.clone();
    let (Some(expect), true) = (expect, complete) else {
        return None;
    };
    let model_details = &graph.nodes[model.index()];
    config.values.insert("enabled".into(), Value::Bool(true));
    // Where dbt writes its compiled SQL, under the YAML file's path: the
    // model's folder, then the unit test's name.
    let model_folder = model_details
        .original_file_path
        .rsplit_once('/')
        .map_or("", |(folder, _)| folder);
    let compiled_path = format!("{model_folder}/{}.sql", declaration.name);
    let details = NodeDetails {
        kind: NodeKind::UnitTest,
        unique_id: format!(
            "unit_test.{}.{}.{}",
            declaration.package, model_details.name, declaration.name
        ),
        package_name: declaration.package.clone(),
        fqn,
        original_file_path: declaration.yaml_path.clone(),
        path: compiled_path,
        file: Some(file),
        raw_code: Arc::from(""),
        raw_code_body: None,
        checksum: crate::checksum::sha256_hex(
            format!("{}{}", declaration.name, model_name).as_bytes(),
        ),
        config,
        description: declaration.description.clone(),
        doc_blocks: Vec::new(),
        patch_path: None,
        columns: Vec::new(),
        refs: Vec::new(),
        sources: Vec::new(),
        macros_called: Vec::new(),
        depends_on_macros: Vec::new(),
        rendered: None,
        introspective: false,
        database: model_details.database.clone(),
        schema: model_details.schema.clone(),
        alias: declaration.name.clone(),
        quoting: model_details.quoting,
        seed_columns: Vec::new(),
        source: None,
        test: None,
        version: None,
        latest_version: None,
        deprecation_date: None,
        time_spine: None,
        name: declaration.name.clone(),
    };
    if graph
        .nodes
        .iter()
        .any(|node| node.unique_id == details.unique_id)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::DuplicateNode,
                format!(
                    "two unit tests of model `{model_name}` are named `{}`",
                    declaration.name
                ),
            )
            .with_primary(file, declaration.name_span, "declared again here"),
        );
        return None;
    }
    let mut node = graph_node(&details);
    node.relation = None;
    let id = graph.graph.add_node(node);
    graph.nodes.push(details);
    graph.graph.add_dependency(
        model,
        id,
        Dependency {
            file: Some(file),
            span: declaration.model_span,
        },
    );
    Some(UnitTest {
        node: id,
        model,
        given,
        given_as_written,
        expect,
        overrides: declaration.overrides,
        versions: declaration.versions,
        file,
        name_span: declaration.name_span,
    })
}

/// Reads the fixture files a unit test names (`fixture: name`): the file
/// `name.csv` (or `name.sql`) in a `fixtures` folder under a test path of
/// the unit test's project.
fn read_fixture_files(
    context: &LoadContext,
    declaration: &mut UnitTestDecl,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let pending = std::mem::take(&mut declaration.pending_fixture_files);
    if pending.is_empty() {
        return;
    }
    let unit = context
        .units
        .iter()
        .find(|unit| unit.name == declaration.package);
    let test_folders = unit.map_or_else(Vec::new, |unit| unit.folders(&unit.settings.test_paths));
    for (index, name, format) in pending {
        let extension = match format {
            FixtureFormat::Sql => "sql",
            FixtureFormat::Csv | FixtureFormat::Dict => "csv",
        };
        let found = test_folders.iter().find_map(|folder| {
            find_fixture(
                &context.root_dir.join(folder),
                &format!("{name}.{extension}"),
            )
        });
        let span = match index {
            Some(index) => declaration.given[index].input_span,
            None => declaration.name_span,
        };
        let Some(path) = found else {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnitTestDefinition,
                    format!(
                        "File not found for fixture '{name}' in unit tests in {}",
                        declaration.yaml_path
                    ),
                )
                .with_primary(declaration.file, span, "")
                .with_help(format!(
                    "fixture files are `{name}.{extension}` in a `fixtures` folder of the test paths"
                )),
            );
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            diagnostics.push(
                Diagnostic::new(
                    Code::FileUnreadable,
                    format!("the fixture file {} cannot be read", path.display()),
                )
                .with_primary(declaration.file, span, ""),
            );
            continue;
        };
        let relative = path
            .strip_prefix(&context.root_dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        let fixture_file: FileId = files.add(relative, text.as_str());
        let rows = match format {
            FixtureFormat::Sql => FixtureRows::Sql(text),
            FixtureFormat::Csv | FixtureFormat::Dict => match csv_rows(&text) {
                Ok(rows) => FixtureRows::Rows(rows),
                Err(error) => {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::UnitTestDefinition,
                            format!("the fixture file cannot be read as CSV: {error}"),
                        )
                        .at(fixture_file, Span::EMPTY),
                    );
                    continue;
                }
            },
        };
        let fixture = Some(Fixture {
            format,
            rows,
            fixture: Some(name),
            column_spans: Vec::new(),
        });
        match index {
            Some(index) => declaration.given[index].fixture = fixture,
            None => declaration.expect = fixture,
        }
    }
}

/// The file `file_name` in a `fixtures` folder under `folder`, searched
/// depth-first in name order.
fn find_fixture(folder: &std::path::Path, file_name: &str) -> Option<std::path::PathBuf> {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(folder)
        .ok()?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    entries.sort();
    let in_fixtures = folder
        .components()
        .any(|component| component.as_os_str() == "fixtures");
    for path in &entries {
        if in_fixtures && path.is_file() && path.file_name().is_some_and(|name| name == file_name) {
            return Some(path.clone());
        }
    }
    entries
        .iter()
        .filter(|path| path.is_dir())
        .find_map(|path| find_fixture(path, file_name))
}
