//! `dbt_project.yml`: the project's name, profile, paths, vars, hooks and
//! config trees; and the Jinja rendering (`env_var`, `var`) that dbt applies
//! to the string values of its configuration files.

use crate::builtin::env_var::env_var_function;
use crate::jinja::{error_message, failure_of, to_value, FusionFailure};
use crate::yaml::{describe_kind, find_key_span};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::FileId;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The settings of `dbt_project.yml`.
#[derive(Clone, Debug, Default)]
pub struct ProjectSettings {
    pub name: String,
    pub profile: Option<String>,
    pub config_version: Option<i64>,
    pub version: Option<String>,
    pub model_paths: Vec<String>,
    pub seed_paths: Vec<String>,
    pub macro_paths: Vec<String>,
    pub test_paths: Vec<String>,
    pub snapshot_paths: Vec<String>,
    pub analysis_paths: Vec<String>,
    /// Where `.md` files with docs blocks are: every folder above unless
    /// `docs-paths` is set.
    pub docs_paths: Vec<String>,
    /// `target` unless configured.
    pub target_path: String,
    /// Where `dbt deps` installed the packages: `dbt_packages` unless configured.
    pub packages_install_path: String,
    /// The `vars:` mapping as written (global keys and per-package scopes).
    pub vars: Map<String, Value>,
    /// The `models:` config tree.
    pub models: Value,
    pub seeds: Value,
    pub tests: Value,
    pub snapshots: Value,
    /// Hooks, kept as unrendered strings.
    pub on_run_start: Vec<String>,
    pub on_run_end: Vec<String>,
    /// The file in the load's `SourceFiles`.
    pub file: Option<FileId>,
}

impl ProjectSettings {
    /// Reads settings from the parsed YAML; shape errors become FC0003
    /// diagnostics and the setting keeps its default.
    pub fn from_yaml(
        value: &Value,
        text: &str,
        file: FileId,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> ProjectSettings {
        let mut settings = ProjectSettings {
            target_path: "target".to_string(),
            packages_install_path: "dbt_packages".to_string(),
            file: Some(file),
            ..ProjectSettings::default()
        };
        let Some(object) = value.as_object() else {
            diagnostics.push(
                Diagnostic::new(
                    Code::YamlShape,
                    format!(
                        "dbt_project.yml must be a mapping, found {}",
                        describe_kind(value)
                    ),
                )
                .at(file, fusion_ir::span::Span::EMPTY),
            );
            return settings;
        };
        let mut shape_errors: Vec<Diagnostic> = Vec::new();
        let mut shape_error = |key: &str, expected: &str, found: &Value| {
            shape_errors.push(
                Diagnostic::new(
                    Code::YamlShape,
                    format!("`{key}` must be {expected}, found {}", describe_kind(found)),
                )
                .with_primary(file, find_key_span(text, key, 0), ""),
            );
        };
        let mut missing_name = None;
        match object.get("name") {
            Some(Value::String(name)) => settings.name = name.clone(),
            Some(other) => shape_error("name", "a string", other),
            None => {
                missing_name = Some(
                    Diagnostic::new(Code::YamlShape, "dbt_project.yml has no `name`")
                        .at(file, fusion_ir::span::Span::EMPTY)
                        .with_help("add `name: my_project` at the top of dbt_project.yml"),
                )
            }
        }
        match object.get("profile") {
            Some(Value::String(profile)) => settings.profile = Some(profile.clone()),
            Some(Value::Null) | None => {}
            Some(other) => shape_error("profile", "a string", other),
        }
        settings.config_version = object.get("config-version").and_then(Value::as_i64);
        settings.version = object.get("version").map(|version| match version {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        });
        let mut paths = |key: &str, default: &str| -> Vec<String> {
            match object.get(key) {
                None | Some(Value::Null) => vec![default.to_string()],
                Some(Value::String(path)) => vec![path.clone()],
                Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                    .iter()
                    .filter_map(|item| item.as_str().map(String::from))
                    .collect(),
                Some(other) => {
                    shape_error(key, "a list of folder names", other);
                    vec![default.to_string()]
                }
            }
        };
        settings.model_paths = paths("model-paths", "models");
        settings.seed_paths = paths("seed-paths", "seeds");
        settings.macro_paths = paths("macro-paths", "macros");
        settings.test_paths = paths("test-paths", "tests");
        settings.snapshot_paths = paths("snapshot-paths", "snapshots");
        settings.analysis_paths = paths("analysis-paths", "analyses");
        settings.docs_paths = if object.contains_key("docs-paths") {
            paths("docs-paths", "models")
        } else {
            [
                &settings.model_paths,
                &settings.seed_paths,
                &settings.test_paths,
                &settings.analysis_paths,
                &settings.macro_paths,
                &settings.snapshot_paths,
            ]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
        };
        match object.get("packages-install-path") {
            Some(Value::String(path)) => settings.packages_install_path = path.clone(),
            Some(Value::Null) | None => {}
            Some(other) => shape_error("packages-install-path", "a string", other),
        }
        match object.get("target-path") {
            Some(Value::String(path)) => settings.target_path = path.clone(),
            Some(Value::Null) | None => {}
            Some(other) => shape_error("target-path", "a string", other),
        }
        match object.get("vars") {
            Some(Value::Object(vars)) => settings.vars = vars.clone(),
            Some(Value::Null) | None => {}
            Some(other) => shape_error("vars", "a mapping", other),
        }
        for (key, slot) in [
            ("models", &mut settings.models),
            ("seeds", &mut settings.seeds),
            ("tests", &mut settings.tests),
            ("snapshots", &mut settings.snapshots),
        ] {
            match object
                .get(key)
                .or_else(|| (key == "tests").then(|| object.get("data_tests")).flatten())
            {
                Some(value @ Value::Object(_)) => *slot = value.clone(),
                Some(Value::Null) | None => {}
                Some(other) => shape_error(key, "a mapping", other),
            }
        }
        diagnostics.extend(missing_name);
        diagnostics.append(&mut shape_errors);
        settings.on_run_start = crate::config::string_list(object.get("on-run-start"));
        settings.on_run_end = crate::config::string_list(object.get("on-run-end"));
        settings
    }

    /// The variables a template of `project_name` sees: global vars, then the
    /// vars scoped to the project, then `cli_vars` (from `--vars`).
    pub fn effective_vars(
        &self,
        project_name: &str,
        cli_vars: &Map<String, Value>,
    ) -> Map<String, Value> {
        let mut vars = Map::new();
        for (key, value) in &self.vars {
            // A mapping under a package's name is that package's scope.
            let is_scope = value.is_object() && key == project_name;
            if !is_scope {
                vars.insert(key.clone(), value.clone());
            }
        }
        if let Some(Value::Object(scoped)) = self.vars.get(project_name) {
            for (key, value) in scoped {
                vars.insert(key.clone(), value.clone());
            }
        }
        for (key, value) in cli_vars {
            vars.insert(key.clone(), value.clone());
        }
        vars
    }
}

/// Why rendering a configuration string failed.
#[derive(Clone, Debug)]
pub struct ConfigRenderError {
    pub code: Code,
    pub message: String,
}

/// Renders `{{ env_var('X') }}` and `{{ var('x') }}` inside one string of a
/// configuration file. Strings without `{` are returned as they are.
pub fn render_config_string(
    text: &str,
    vars: &Map<String, Value>,
) -> Result<String, ConfigRenderError> {
    if !text.contains('{') {
        return Ok(text.to_string());
    }
    static ENVIRONMENT: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
    let environment = ENVIRONMENT.get_or_init(|| {
        let mut environment = minijinja::Environment::new();
        // Errors read the same in debug and release builds.
        environment.set_debug(true);
        environment.add_function("env_var", env_var_function);
        environment.add_function(
            "var",
            |state: &minijinja::State, name: String, default: Option<minijinja::Value>| {
                let vars = state.lookup("__vars").unwrap_or_default();
                match vars.get_attr(&name) {
                    Ok(value) if !value.is_undefined() => Ok(value),
                    _ => default.ok_or_else(|| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("var `{name}` is not defined"),
                        )
                        .with_source(FusionFailure {
                            code: Code::UndefinedVar,
                            message: format!(
                                "var('{name}') is not defined and no default is given"
                            ),
                        })
                    }),
                }
            },
        );
        environment.add_function("return", |value: minijinja::Value| value);
        environment
    });
    let context = minijinja::context! { __vars => to_value(vars) };
    environment
        .render_str(text, context)
        .map_err(|error| match failure_of(&error) {
            Some(failure) => ConfigRenderError {
                code: failure.code,
                message: failure.message.clone(),
            },
            None => ConfigRenderError {
                code: Code::JinjaRender,
                message: format!("cannot render `{text}`: {}", error_message(&error)),
            },
        })
}

/// Renders every string inside `value` (recursively) with
/// [`render_config_string`], except under the keys in `keep_unrendered`.
pub fn render_strings_in(
    value: &mut Value,
    vars: &Map<String, Value>,
    keep_unrendered: &[&str],
    errors: &mut Vec<ConfigRenderError>,
) {
    match value {
        Value::String(text) => match render_config_string(text, vars) {
            Ok(rendered) => *text = rendered,
            Err(error) => errors.push(error),
        },
        Value::Array(items) => {
            for item in items {
                render_strings_in(item, vars, keep_unrendered, errors);
            }
        }
        Value::Object(object) => {
            for (key, item) in object.iter_mut() {
                let bare_key = key.trim_start_matches('+');
                if !keep_unrendered.contains(&bare_key) {
                    render_strings_in(item, vars, keep_unrendered, errors);
                }
            }
        }
        _ => {}
    }
}
