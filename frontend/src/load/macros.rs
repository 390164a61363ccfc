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
        },
    };
    // dbt's built-in macros first: a project macro of the same name replaces
    // the unprefixed one, while `dbt.<name>` keeps reaching the built-in.
    add_builtin_macros(&mut loaded, files);
    let settings = &context.settings;
    let root_dir = &context.root_dir;
    // Installed packages (`dbt deps` put them in `packages-install-path`):
    // their macros, reached as `<package>.<macro>`. As in dbt, a model of
    // the project does not see them unqualified, not even through a package
    // macro it calls (package models, which would, are not loaded yet).
    let installed = installed_packages(
        root_dir,
        &settings.packages_install_path,
        files,
        diagnostics,
    );
    if installed.is_empty() {
        warn_if_packages_missing(
            root_dir,
            &settings.packages_install_path,
            files,
            diagnostics,
        );
    }
    // Installed packages' macros answer to `<package>.<macro>`; the
    // project's also to their bare name (as in dbt, a package's macros are
    // not found unqualified).
    loaded
        .scope
        .package_names
        .extend(installed.iter().map(|package| package.name.clone()));
    let macro_owners = installed
        .iter()
        .map(|package| (&package.name, &package.macro_paths, false))
        .chain(std::iter::once((
            &context.project_name,
            &settings.macro_paths,
            true,
        )));
    for (owner, macro_paths, callable_unqualified) in macro_owners {
        for found in discover(root_dir, macro_paths, &["sql", "jinja", "j2"]) {
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
                };
                if callable_unqualified {
                    loaded
                        .scope
                        .entries
                        .insert(scanned_macro.name.clone(), entry.clone());
                }
                loaded
                    .scope
                    .entries
                    .insert(format!("{owner}.{}", scanned_macro.name), entry);
                loaded.macros.push(MacroInfo {
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
