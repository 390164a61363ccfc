//! Phase: the project file, `--vars` and the profile, which every later phase reads.

use super::files::{read_file, FoundFile};
use super::LoadContext;
use crate::config_keys::check_project_trees;
use crate::options::LoadOptions;
use crate::profiles::load_target;
use crate::project_file::{render_strings_in, render_strings_in_for, ProjectSettings};
use crate::yaml::parse_yaml;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{FileId, SourceFiles, Span};
use serde_json::{Map, Value};

/// Reads `dbt_project.yml` (its `env_var()` and `var()` calls rendered),
/// `--vars` and the profile's target. `None` when the project file or the
/// profile cannot be used at all (the diagnostics say why).
pub(super) fn read_project_and_profile(
    options: &LoadOptions,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<LoadContext> {
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
    let mut project_value = match parse_yaml(&project_text, project_file, diagnostics) {
        Ok(value) => value,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return None;
        }
    };
    let cli_vars = cli_vars(options, files, diagnostics);
    // Render env_var()/var() in the project file; hooks stay as written.
    let mut raw_vars = project_value
        .get("vars")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    raw_vars.extend(cli_vars.clone());
    let unrendered_trees = project_value.clone();
    let mut render_errors = Vec::new();
    render_strings_in(
        &mut project_value,
        &raw_vars,
        &KEPT_FOR_LATER,
        &mut render_errors,
    );
    for error in render_errors {
        diagnostics.push(Diagnostic::new(error.code, error.message).at(project_file, Span::EMPTY));
    }
    let mut settings =
        ProjectSettings::from_yaml(&project_value, &project_text, project_file, diagnostics);
    if settings.name.is_empty() {
        return None;
    }
    // The root project's config keys only: a package's are not the user's
    // to fix.
    check_project_trees(&project_value, &project_text, project_file, diagnostics);
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
    let target = load_target(options, &profile_name, &vars, files, diagnostics)?;
    let adapter_naming = (options.adapter_naming)(&target.adapter_type);
    let target_value = target.to_context_value();
    render_config_trees(
        &unrendered_trees,
        &mut settings,
        &raw_vars,
        &target_value,
        project_file,
        diagnostics,
    );
    let mut units = vec![ProjectUnit {
        name: project_name.clone(),
        prefix: String::new(),
        settings: settings.clone(),
        vars: vars.clone(),
    }];
    let selectors =
        super::selectors::load_selectors(&root_dir, &raw_vars, &target_value, files, diagnostics);
    units.extend(installed_packages(
        &root_dir,
        &settings,
        &cli_vars,
        &target_value,
        files,
        diagnostics,
    ));
    let relation_quoting =
        adapter_naming
            .quote_policy()
            .overridden(&crate::quoting::QuotingConfig::from_yaml(
                &settings.quoting,
                adapter_naming.profile_key_aliases(),
            ));
    Some(LoadContext {
        relation_quoting,
        root_dir,
        project_file,
        settings,
        project_name,
        vars,
        target,
        adapter_naming,
        units,
        selectors,
    })
}

/// What the first render of a project file leaves as written: hooks and
/// vars (rendered when used), and the config trees, which render once the
/// profile is read, with `target` (see [`render_config_trees`]).
const KEPT_FOR_LATER: [&str; 12] = [
    "on-run-start",
    "on-run-end",
    // Rendered by dbt only when a query runs, with the node and macros.
    "query-comment",
    "pre-hook",
    "post-hook",
    "vars",
    "models",
    "seeds",
    "snapshots",
    "tests",
    "data_tests",
    "sources",
];

/// The config trees of a project file (`models:`, `seeds:`...), rendered
/// with vars and `target` as dbt renders them once the profile is known
/// (`+enabled: "{{ target.type == 'duckdb' }}"`); hooks stay as written.
fn render_config_trees(
    unrendered: &Value,
    settings: &mut ProjectSettings,
    vars: &Map<String, Value>,
    target: &Value,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut render_errors = Vec::new();
    for (key, slot) in [
        ("models", &mut settings.models),
        ("seeds", &mut settings.seeds),
        ("tests", &mut settings.tests),
        ("snapshots", &mut settings.snapshots),
        ("sources", &mut settings.sources),
    ] {
        let tree = unrendered.get(key).or_else(|| {
            (key == "tests")
                .then(|| unrendered.get("data_tests"))
                .flatten()
        });
        if let Some(tree @ Value::Object(_)) = tree {
            let mut tree = tree.clone();
            render_strings_in_for(
                &mut tree,
                vars,
                Some(target),
                &["pre-hook", "post-hook"],
                &mut render_errors,
            );
            *slot = tree;
        }
    }
    for error in render_errors {
        diagnostics.push(Diagnostic::new(error.code, error.message).at(file, Span::EMPTY));
    }
}

/// The root project or an installed package: where its files are, how it
/// is configured and what vars its nodes see.
pub(super) struct ProjectUnit {
    pub(super) name: String,
    /// Its folder from the root project's folder, with a trailing `/`
    /// (empty for the root project).
    pub(super) prefix: String,
    pub(super) settings: ProjectSettings,
    /// The vars its templates see: as dbt's `ModelConfiguredVar` merges
    /// them, the package's own (global, then scoped to it), then the root
    /// project's (global, then scoped to the package), then `--vars`.
    pub(super) vars: Map<String, Value>,
}

impl ProjectUnit {
    /// Whether this is the root project (the first unit).
    pub(super) fn is_root(&self) -> bool {
        self.prefix.is_empty()
    }

    /// Resource folders of this unit, from the root project's folder.
    pub(super) fn folders(&self, paths: &[String]) -> Vec<String> {
        paths
            .iter()
            .map(|path| format!("{}{path}", self.prefix))
            .collect()
    }

    /// A path from the root project's folder, made relative to this unit's
    /// folder (what dbt calls a node's `original_file_path`).
    pub(super) fn own_path<'p>(&self, path: &'p str) -> &'p str {
        path.strip_prefix(self.prefix.as_str()).unwrap_or(path)
    }
}

/// The packages `dbt deps` installed under the root project's
/// `packages-install-path` (each a folder, or a link to one as `local:`
/// packages are installed, with a `dbt_project.yml`), sorted by folder
/// name. A package whose project file cannot be read is reported and
/// skipped; so is a second package of one name.
fn installed_packages(
    root_dir: &std::path::Path,
    root: &ProjectSettings,
    cli_vars: &Map<String, Value>,
    target_value: &Value,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ProjectUnit> {
    let install_path = &root.packages_install_path;
    let Ok(entries) = std::fs::read_dir(root_dir.join(install_path)) else {
        return Vec::new();
    };
    // `is_dir` on the path follows links: `local:` packages are links.
    let mut folders: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    folders.sort();
    let mut units: Vec<ProjectUnit> = Vec::new();
    for folder in folders {
        let prefix = format!("{install_path}/{folder}/");
        let found = FoundFile {
            original_file_path: format!("{prefix}dbt_project.yml"),
            path: "dbt_project.yml".into(),
            absolute: root_dir.join(&prefix).join("dbt_project.yml"),
        };
        if !found.absolute.is_file() {
            continue;
        }
        let Some((file, text)) = read_file(&found, files, diagnostics) else {
            continue;
        };
        let mut value = match parse_yaml(&text, file, diagnostics) {
            Ok(value) => value,
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                continue;
            }
        };
        let own_name = value
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| folder.clone(), str::to_string);
        // The package's project file renders with the vars its nodes see.
        let own_vars = value
            .get("vars")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut raw_vars = own_vars;
        raw_vars.extend(root.vars.clone());
        raw_vars.extend(cli_vars.clone());
        let unrendered_trees = value.clone();
        let mut render_errors = Vec::new();
        render_strings_in(&mut value, &raw_vars, &KEPT_FOR_LATER, &mut render_errors);
        for error in render_errors {
            diagnostics.push(Diagnostic::new(error.code, error.message).at(file, Span::EMPTY));
        }
        let mut settings = ProjectSettings::from_yaml(&value, &text, file, diagnostics);
        render_config_trees(
            &unrendered_trees,
            &mut settings,
            &raw_vars,
            target_value,
            file,
            diagnostics,
        );
        if settings.name.is_empty() {
            settings.name = own_name;
        }
        if settings.name == root.name || units.iter().any(|unit| unit.name == settings.name) {
            continue;
        }
        let mut vars = settings.effective_vars(&settings.name, &Map::new());
        vars.extend(root.effective_vars(&settings.name, cli_vars));
        units.push(ProjectUnit {
            name: settings.name.clone(),
            prefix,
            settings,
            vars,
        });
    }
    units
}

/// The `--vars` argument as a mapping; empty, and reported, when it is not
/// one. Its text is a source of its own, `--vars`, so that a warning about
/// it (a duplicate key) can point into it.
fn cli_vars(
    options: &LoadOptions,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Map<String, Value> {
    let Some(text) = options.vars.as_deref() else {
        return Map::new();
    };
    let vars_file = files.add("--vars", text);
    match parse_yaml(text, vars_file, diagnostics) {
        Ok(Value::Object(vars)) => vars,
        Ok(Value::Null) => Map::new(),
        _ => {
            diagnostics.push(
                Diagnostic::new(Code::InvalidVarsArgument, "--vars must be a YAML mapping")
                    .with_help("pass --vars '{key: value}'"),
            );
            Map::new()
        }
    }
}

/// One level of a `dbt_project.yml` config tree, as it applies to a node.
pub(super) type ConfigLayer = Map<String, Value>;

/// Which `dbt_project.yml` tree configures a kind of node.
pub(super) type TreeOf = fn(&ProjectSettings) -> &Value;

/// The configs dbt_project.yml files give a node of `unit` at `fqn`, as
/// dbt's `calculate_node_config` layers them: the unit's own project file
/// first (`own`), and for a package's node the root project's file, which
/// comes after everything else, the node's own `config()` calls included
/// (`root_over`: empty for the root project's nodes).
pub(super) fn project_file_layers(
    context: &LoadContext,
    unit: &ProjectUnit,
    tree_of: TreeOf,
    fqn: &[String],
) -> (Vec<ConfigLayer>, Vec<ConfigLayer>) {
    let own = crate::config::project_tree_configs(tree_of(&unit.settings), fqn);
    let root_over = if unit.is_root() {
        Vec::new()
    } else {
        crate::config::project_tree_configs(tree_of(&context.settings), fqn)
    };
    (own, root_over)
}
