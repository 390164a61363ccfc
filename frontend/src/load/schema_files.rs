//! Phase: the schema YAML files and the docs blocks their descriptions call.

use super::files::{discover, read_text, register_file, unreadable, FoundFile};
use super::project::{project_file_layers, ProjectUnit};
use super::LoadContext;
use crate::docs::{docs_blocks, resolve_description, DocBlock};
use crate::package_scope::ByPackage;
use crate::project_file::{render_config_value_for, render_strings_in_for, ConfigRenderError};
use crate::schema_yaml::FunctionDeclaration;
use crate::schema_yaml::{read_schema_file, NodePatch, ResourceDecl, SchemaFile, SourceDecl};
use crate::yaml::parse_yaml;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{FileId, SourceFiles, Span};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// What the schema YAML and docs files declare, patches by node name.
pub(super) struct SchemaYaml {
    /// The docs blocks of the project's `.md` files, in file order.
    pub(super) docs: Vec<DocBlock>,
    /// Models' and snapshots' entries, the first of each name.
    pub(super) model_patches: ByPackage<NodePatch>,
    pub(super) seed_patches: ByPackage<NodePatch>,
    pub(super) source_decls: Vec<SourceDecl>,
    pub(super) function_declarations: Vec<FunctionDeclaration>,
    /// Exposures, semantic models, metrics, saved queries and groups, in
    /// file order (their configs as written).
    pub(super) resource_decls: Vec<ResourceDecl>,
    /// `unit_tests:` entries of every unit, in file order, with their package.
    pub(super) unit_test_decls: Vec<crate::unit_tests::UnitTestDecl>,
}

/// Discovers, reads and parses the schema YAML files (and the docs blocks
/// their descriptions call with `doc()`), and gathers what they declare.
pub(super) fn read_schema_yaml(
    context: &LoadContext,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> SchemaYaml {
    let mut md_found: Vec<(usize, FoundFile)> = Vec::new();
    let mut yaml_found: Vec<(usize, FoundFile)> = Vec::new();
    for (index, unit) in context.units.iter().enumerate() {
        let (md, yaml) = discover_yaml_and_docs(context, unit);
        md_found.extend(md.into_iter().map(|found| (index, found)));
        yaml_found.extend(yaml.into_iter().map(|found| (index, found)));
    }
    // Read in parallel, registered in order.
    let yaml_read: Vec<std::io::Result<Arc<str>>> = yaml_found
        .par_iter()
        .map(|(_, found)| read_text(&found.absolute))
        .collect();
    let mut yaml_texts = Vec::new();
    for ((unit, found), read) in yaml_found.into_iter().zip(yaml_read) {
        if let Some((file, text)) = register_file(&found, read, files, diagnostics) {
            yaml_texts.push((unit, found, file, text));
        }
    }
    // Docs blocks first (a few small files, if any): each schema file's
    // descriptions are resolved against them as it is parsed.
    let (docs, docs_diagnostics) = read_docs_blocks(context, &md_found);
    diagnostics.extend(docs_diagnostics);
    let schema_files = parse_schema_files(context, &yaml_texts, &docs, diagnostics);
    let mut model_patches: ByPackage<NodePatch> = ByPackage::default();
    let mut seed_patches: ByPackage<NodePatch> = ByPackage::default();
    let mut source_decls: Vec<SourceDecl> = Vec::new();
    let mut function_declarations = Vec::new();
    let mut resource_decls = Vec::new();
    let mut unit_test_decls = Vec::new();
    for (unit, mut schema_file) in schema_files {
        let package = &context.units[unit].name;
        for mut declaration in std::mem::take(&mut schema_file.resources) {
            declaration.package.clone_from(package);
            resource_decls.push(declaration);
        }
        for mut declaration in std::mem::take(&mut schema_file.unit_tests) {
            declaration.package.clone_from(package);
            unit_test_decls.push(declaration);
        }
        // Functions are the root project's only (packages' are not loaded yet).
        if unit == 0 {
            function_declarations.extend(schema_file.functions);
        }
        // As in dbt, a node is described once; the first entry (in file
        // order) is kept, and every later one is an error.
        for mut patch in schema_file.models.into_iter().chain(schema_file.snapshots) {
            patch.package.clone_from(package);
            add_patch(&mut model_patches, patch, diagnostics);
        }
        for mut patch in schema_file.seeds {
            patch.package.clone_from(package);
            add_patch(&mut seed_patches, patch, diagnostics);
        }
        for source in &mut schema_file.sources {
            source.package.clone_from(package);
            // A table's config: the project files' `sources:` trees at
            // `[package, source, table]` (the root's last for a package's
            // source), its source's and its own YAML. A disabled table is
            // not a node.
            let unit = &context.units[unit];
            for table in &mut source.tables {
                let fqn = [unit.name.clone(), source.name.clone(), table.name.clone()];
                let (own_layers, root_layers) =
                    project_file_layers(context, unit, |settings| &settings.sources, &fqn);
                if own_layers
                    .iter()
                    .chain(&root_layers)
                    .all(|layer| layer.is_empty())
                    && source.config.is_empty()
                {
                    continue;
                }
                let mut config = crate::config::NodeConfig::default();
                for layer in &own_layers {
                    config.apply(layer);
                }
                config.apply(&source.config);
                config.apply(&table.config);
                for layer in &root_layers {
                    config.apply(layer);
                }
                table.config = config.values;
            }
            source.tables.retain(|table| {
                table
                    .config
                    .get("enabled")
                    .is_none_or(|enabled| enabled.as_bool() != Some(false))
            });
        }
        source_decls.extend(schema_file.sources);
    }
    SchemaYaml {
        docs,
        model_patches,
        seed_patches,
        source_decls,
        function_declarations,
        resource_decls,
        unit_test_decls,
    }
}

/// The `.md` files of docs blocks and the YAML files under one unit's
/// resource folders, each once.
fn discover_yaml_and_docs(
    context: &LoadContext,
    unit: &ProjectUnit,
) -> (Vec<FoundFile>, Vec<FoundFile>) {
    let settings = &unit.settings;
    let root_dir = &context.root_dir;
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
        discover(root_dir, &unit.folders(&yaml_folders), extensions)
            .into_iter()
            .filter(|found| seen_yaml.insert(found.original_file_path.clone()))
            .partition(|found| found.original_file_path.ends_with(".md"));
    if !docs_with_yaml {
        let mut seen_md = rustc_hash::FxHashSet::default();
        md_found = discover(root_dir, &unit.folders(&settings.docs_paths), &["md"])
            .into_iter()
            .filter(|found| seen_md.insert(found.original_file_path.clone()))
            .collect();
    }
    (md_found, yaml_found)
}

/// A schema file parsed: its index in discovery order, its unit and
/// contents (none when it is not YAML), and its diagnostics.
type ParsedSchemaFile = (usize, Option<(usize, SchemaFile)>, Vec<Diagnostic>);

/// Parses the schema files, each with its `doc()` calls resolved.
fn parse_schema_files(
    context: &LoadContext,
    yaml_texts: &[(usize, FoundFile, FileId, Arc<str>)],
    docs: &[DocBlock],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(usize, SchemaFile)> {
    // Parsing is the costly part and each file stands alone: in parallel,
    // each file with its own diagnostics, merged back in discovery order.
    // The largest files are started first: one large file (all of a
    // project's sources, say) parsed last would leave the other cores idle.
    let target_value = context.target.to_context_value();
    let mut largest_first: Vec<usize> = (0..yaml_texts.len()).collect();
    largest_first.sort_by_key(|&index| std::cmp::Reverse(yaml_texts[index].3.len()));
    let docs_by_name: FxHashMap<&str, &DocBlock> = docs
        .iter()
        .rev()
        .map(|block| (block.name.as_str(), block))
        .collect();
    let mut parsed_yaml: Vec<ParsedSchemaFile> = largest_first
        .par_iter()
        .map(|&index| {
            let (unit, found, file, text) = &yaml_texts[index];
            let mut file_diagnostics = Vec::new();
            let schema_file = match parse_yaml(text, *file, &mut file_diagnostics) {
                Ok(value) => {
                    let mut schema_file = read_schema_file(
                        &value,
                        text,
                        *file,
                        context.units[*unit].own_path(&found.original_file_path),
                        &mut file_diagnostics,
                    );
                    // Unknown config keys are reported in the root
                    // project's files only: a package's are not the
                    // user's to fix.
                    for declaration in &mut schema_file.resources {
                        declaration.path.clone_from(&found.path);
                    }
                    if *unit != 0 {
                        file_diagnostics
                            .retain(|diagnostic| diagnostic.code != Code::UnknownConfigKey);
                    }
                    resolve_docs_in(&mut schema_file, &docs_by_name, &mut file_diagnostics);
                    render_schema_file(
                        &mut schema_file,
                        &context.units[*unit].vars,
                        &target_value,
                        &mut file_diagnostics,
                    );
                    Some((*unit, schema_file))
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
    let mut schema_files: Vec<(usize, SchemaFile)> = Vec::with_capacity(parsed_yaml.len());
    for (_, schema_file, file_diagnostics) in parsed_yaml {
        schema_files.extend(schema_file);
        diagnostics.extend(file_diagnostics);
    }
    schema_files
}

/// The docs blocks of the project's `.md` files (those under its docs
/// paths), in file order (the first of two blocks with one name is the one `doc()`
/// finds), and a diagnostic for each file that cannot be read.
fn read_docs_blocks(
    context: &LoadContext,
    md_found: &[(usize, FoundFile)],
) -> (Vec<DocBlock>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut blocks = Vec::new();
    for (unit, found) in md_found {
        let unit = &context.units[*unit];
        let project_name = &unit.name;
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
                original_file_path: unit.own_path(&found.original_file_path).to_string(),
                path: found.path.clone(),
            });
        }
    }
    (blocks, diagnostics)
}

/// Renders the Jinja of a schema file's configs and relation names as dbt
/// renders schema YAML (vars of the unit, `target`, `env_var`): entries'
/// and tests' `config:`, columns' `data_type`, sources' `database`, `schema` and
/// configs, tables' `identifier`. A string that does not render is
/// reported and kept as written.
fn render_schema_file(
    schema_file: &mut SchemaFile,
    vars: &serde_json::Map<String, serde_json::Value>,
    target: &serde_json::Value,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut errors = Vec::new();
    let render_map = |map: &mut serde_json::Map<String, serde_json::Value>,
                      errors: &mut Vec<ConfigRenderError>| {
        if map.values().any(crate::jinja::value_has_jinja) {
            let mut value = serde_json::Value::Object(std::mem::take(map));
            render_strings_in_for(
                &mut value,
                vars,
                Some(target),
                &["pre-hook", "post-hook"],
                errors,
            );
            if let serde_json::Value::Object(rendered) = value {
                *map = rendered;
            }
        }
    };
    let render_text = |text: &mut String, errors: &mut Vec<ConfigRenderError>| {
        if text.contains('{') {
            match render_config_value_for(text, vars, Some(target)) {
                Ok(serde_json::Value::String(rendered)) => *text = rendered.trim().to_string(),
                Ok(other) => *text = other.to_string(),
                Err(error) => errors.push(error),
            }
        }
    };
    // An entry's tests' configs and its columns' data types.
    let render_tests_and_columns =
        |(tests, columns): (
            &mut [crate::schema_yaml::TestSpec],
            &mut [crate::schema_yaml::ColumnInfo],
        ),
         errors: &mut Vec<ConfigRenderError>| {
            for test in tests {
                render_map(&mut test.config, errors);
            }
            for column in columns {
                if let Some(data_type) = &mut column.data_type {
                    render_text(data_type, errors);
                }
            }
        };
    let patches = schema_file
        .models
        .iter_mut()
        .chain(&mut schema_file.seeds)
        .chain(&mut schema_file.snapshots);
    for patch in patches {
        let before = errors.len();
        render_map(&mut patch.config, &mut errors);
        // A test's config renders as dbt renders it (`enabled: "{{
        // target.type in [...] }}"`); its arguments render with the test.
        let tests_and_columns = (&mut patch.tests[..], &mut patch.columns[..]);
        render_tests_and_columns(tests_and_columns, &mut errors);
        report_render_errors(
            &mut errors,
            before,
            patch.file,
            patch.name_span,
            diagnostics,
        );
    }
    for source in &mut schema_file.sources {
        let before = errors.len();
        render_map(&mut source.config, &mut errors);
        render_text(&mut source.schema, &mut errors);
        if let Some(database) = &mut source.database {
            render_text(database, &mut errors);
        }
        for table in &mut source.tables {
            render_map(&mut table.config, &mut errors);
            render_text(&mut table.identifier, &mut errors);
            let tests_and_columns = (&mut table.tests[..], &mut table.columns[..]);
            render_tests_and_columns(tests_and_columns, &mut errors);
        }
        report_render_errors(
            &mut errors,
            before,
            source.file,
            source.name_span,
            diagnostics,
        );
    }
    // A unit test's config renders too (`enabled: "{{ var('x') }}"`), and
    // so do its rows written as a query (dbt's manifest holds them
    // rendered).
    for unit_test in &mut schema_file.unit_tests {
        let before = errors.len();
        render_map(&mut unit_test.config, &mut errors);
        let fixtures = unit_test
            .given
            .iter_mut()
            .filter_map(|given| given.fixture.as_mut())
            .chain(unit_test.expect.as_mut());
        for fixture in fixtures {
            if let crate::unit_tests::FixtureRows::Sql(sql) = &mut fixture.rows {
                // A query this context cannot render (it calls a macro) is
                // kept as written: it renders again, whole, when it runs.
                let mut query_errors = Vec::new();
                let mut rendered = sql.clone();
                render_text(&mut rendered, &mut query_errors);
                if query_errors.is_empty() {
                    *sql = rendered;
                }
            }
        }
        report_render_errors(
            &mut errors,
            before,
            unit_test.file,
            unit_test.name_span,
            diagnostics,
        );
    }
}

/// The render errors since `before`, as diagnostics at an entry's name.
fn report_render_errors(
    errors: &mut Vec<ConfigRenderError>,
    before: usize,
    file: FileId,
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for error in errors.drain(before..) {
        diagnostics.push(Diagnostic::new(error.code, error.message).with_primary(file, span, ""));
    }
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
    columns: &mut [crate::schema_yaml::ColumnInfo],
    file: FileId,
    entry_span: Span,
    resolve: &mut impl FnMut(&mut String, FileId, Span) -> Vec<String>,
) {
    for column in columns {
        let span = column.location.map_or(entry_span, |location| location.span);
        column.doc_blocks = resolve(&mut column.description, file, span);
    }
}

/// Keeps `patch` unless an entry of the same name came first, in which case
/// FC0013 points at both.
fn add_patch(
    patches: &mut ByPackage<NodePatch>,
    patch: NodePatch,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (package, name) = (patch.package.clone(), patch.name.clone());
    match patches.insert(&package, &name, patch) {
        Ok(()) => {}
        Err((patch, first)) => {
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
