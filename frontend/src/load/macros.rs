//! Phase: macros, dbt's built-in ones, those of installed packages and the project's own.

use super::files::{discover, read_file, FoundFile};
use super::LoadContext;
use crate::project::MacroInfo;
use crate::render::{prepare_macro_file, ScannedMacro};
use crate::render_state::MacroEntry;
use crate::yaml::parse_yaml;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{FileId, SourceFiles};
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::path::Path;

/// Every macro the project can call, read from its files.
pub(super) struct LoadedMacros {
    /// dbt's, then each installed package's, then the project's.
    pub(super) macros: Vec<MacroInfo>,
    /// Each macro file, by path.
    pub(super) macro_templates: FxHashMap<String, FileId>,
    /// What the render environment is built from.
    pub(super) scope: MacroScope,
}

/// The macros as the render environment takes them: one template per
/// macro, and the names each answers to.
pub(super) struct MacroScope {
    /// (template name, template text) of each macro.
    pub(super) sources: Vec<(String, String)>,
    /// Each macro by the names a template calls it with.
    pub(super) entries: FxHashMap<String, MacroEntry>,
    /// dbt's built-in macros, reached as `dbt.<name>` whatever the project defines.
    pub(super) builtin_entries: FxHashMap<String, MacroEntry>,
    /// Installed packages: each is a namespace of macros.
    pub(super) package_names: Vec<String>,
    /// The names of packages' macros that the root project does not
    /// define: a package's own nodes call them unqualified.
    pub(super) package_local_names: rustc_hash::FxHashSet<String>,
}

/// Reads dbt's built-in macros, then those of the installed packages, then
/// the project's own.
pub(super) fn read_macros(
    context: &LoadContext,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> LoadedMacros {
    let mut loaded = LoadedMacros {
        macros: Vec::new(),
        macro_templates: FxHashMap::default(),
        scope: MacroScope {
            sources: Vec::new(),
            entries: FxHashMap::default(),
            builtin_entries: FxHashMap::default(),
            package_names: Vec::new(),
            package_local_names: rustc_hash::FxHashSet::default(),
        },
    };
    // dbt's built-in macros first: a project macro of the same name replaces
    // the unprefixed one, while `dbt.<name>` keeps reaching the built-in.
    add_builtin_macros(&mut loaded, files);
    let settings = &context.settings;
    let root_dir = &context.root_dir;
    // Installed packages (`dbt deps` put them in `packages-install-path`):
    // each a namespace of macros, `<package>.<macro>`. A package's macros
    // are found unqualified only from its own nodes (see `call_project_macro`);
    // the root project's from every node.
    let packages = &context.units[1..];
    if packages.is_empty() {
        warn_if_packages_missing(
            root_dir,
            &settings.packages_install_path,
            files,
            diagnostics,
        );
    }
    loaded
        .scope
        .package_names
        .extend(packages.iter().map(|package| package.name.clone()));
    let macro_owners = packages
        .iter()
        .map(|package| (package, false))
        .chain(std::iter::once((&context.units[0], true)));
    for (unit, is_root) in macro_owners {
        let owner = &unit.name;
        // `{% test %}` blocks live in macro files and in `generic/` below
        // each test folder (dbt's generic test paths).
        let mut macro_paths = unit.folders(&unit.settings.macro_paths);
        macro_paths.extend(unit.folders(&generic_test_paths(&unit.settings)));
        for found in discover(root_dir, &macro_paths, &["sql", "jinja", "j2"]) {
            let Some((file, text)) = read_file(&found, files, diagnostics) else {
                continue;
            };
            let (templates, scanned) = per_macro_templates(&found.original_file_path, &text);
            loaded.scope.sources.extend(templates);
            for scanned_macro in scanned {
                let unique_id = format!("macro.{owner}.{}", scanned_macro.name);
                let entry = MacroEntry {
                    template_name: macro_template_name(
                        &found.original_file_path,
                        &scanned_macro.name,
                    ),
                    internal_name: format!("__fusion_macro__{}", scanned_macro.name),
                    unique_id: unique_id.clone(),
                    reads_kwargs: text[scanned_macro.start..scanned_macro.end].contains("kwargs"),
                    reads_varargs: text[scanned_macro.start..scanned_macro.end].contains("varargs"),
                };
                if is_root {
                    loaded
                        .scope
                        .entries
                        .insert(scanned_macro.name.clone(), entry.clone());
                } else {
                    loaded
                        .scope
                        .package_local_names
                        .insert(scanned_macro.name.clone());
                }
                loaded
                    .scope
                    .entries
                    .insert(format!("{owner}.{}", scanned_macro.name), entry);
                loaded.macros.push(MacroInfo {
                    name: scanned_macro.name.clone(),
                    unique_id,
                    package_name: owner.clone(),
                    original_file_path: unit.own_path(&found.original_file_path).to_string(),
                    path: found.path.clone(),
                    file,
                    macro_sql: text[scanned_macro.start..scanned_macro.end].to_string(),
                    arguments: scanned_macro.arguments,
                });
            }
            loaded
                .macro_templates
                .insert(found.original_file_path.clone(), file);
        }
    }
    loaded
}

/// Adds dbt's built-in macros (callable unqualified and as `dbt.<name>`).
fn add_builtin_macros(loaded: &mut LoadedMacros, files: &mut SourceFiles) {
    let text = crate::builtin::DBT_MACROS;
    let template_name = crate::builtin::DBT_MACROS_PATH.to_string();
    let file = files.add(template_name.clone(), text);
    let (templates, scanned) = per_macro_templates(&template_name, text);
    loaded.scope.sources.extend(templates);
    for scanned_macro in scanned {
        let unique_id = format!("macro.dbt.{}", scanned_macro.name);
        let entry = MacroEntry {
            template_name: macro_template_name(&template_name, &scanned_macro.name),
            internal_name: format!("__fusion_macro__{}", scanned_macro.name),
            unique_id: unique_id.clone(),
            reads_kwargs: text[scanned_macro.start..scanned_macro.end].contains("kwargs"),
            reads_varargs: text[scanned_macro.start..scanned_macro.end].contains("varargs"),
        };
        loaded
            .scope
            .entries
            .insert(scanned_macro.name.clone(), entry.clone());
        loaded
            .scope
            .builtin_entries
            .insert(scanned_macro.name.clone(), entry);
        loaded.macros.push(MacroInfo {
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
    loaded.macro_templates.insert(template_name, file);
}

/// The macro file a per-macro template comes from.
pub(super) fn macro_file_of_template(template_name: &str) -> &str {
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
fn per_macro_templates(file_path: &str, text: &str) -> (Vec<(String, String)>, Vec<ScannedMacro>) {
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
        let listed = match parse_yaml(&text, file, diagnostics) {
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

/// dbt's generic test paths: `generic/` below each test folder.
pub(super) fn generic_test_paths(settings: &crate::project_file::ProjectSettings) -> Vec<String> {
    settings
        .test_paths
        .iter()
        .map(|path| format!("{}/generic", path.trim_end_matches('/')))
        .collect()
}
