//! `dbt_project.yml`: the project's name, profile, paths, vars, hooks and
//! config trees; and the Jinja rendering (`env_var`, `var`) that dbt applies
//! to the string values of its configuration files.

use crate::builtin::env_var::{env_var_function, refuse_secret_env_var};
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
    /// The `unit_tests:` tree (`+enabled`, `+tags`, `+meta` by fqn).
    pub unit_tests: Value,
    /// The `sources:` tree (configs of source tables by package, source, table).
    pub sources: Value,
    /// The `exposures:`, `metrics:`, `semantic-models:` and `saved-queries:`
    /// trees (configs of the resources that never run, by package and name).
    pub exposures: Value,
    pub metrics: Value,
    pub semantic_models: Value,
    pub saved_queries: Value,
    /// The `quoting:` mapping as written (which parts of relation names
    /// are quoted; read with the adapter's key aliases, see
    /// `crate::quoting::QuotingConfig::from_yaml`).
    pub quoting: Value,
    /// Hooks, kept as unrendered strings.
    /// `dispatch:` entries: a macro namespace and the packages to search
    /// for its implementations, in order.
    pub dispatch: Vec<(String, Vec<String>)>,
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
            ("sources", &mut settings.sources),
            ("exposures", &mut settings.exposures),
            ("metrics", &mut settings.metrics),
            ("semantic-models", &mut settings.semantic_models),
            ("saved-queries", &mut settings.saved_queries),
            ("unit_tests", &mut settings.unit_tests),
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
        if let Some(quoting) = object.get("quoting") {
            match crate::quoting::QuotingConfig::invalid_value(quoting) {
                // dbt refuses the project; the quoting is left as the adapter's.
                Some(invalid) => shape_error(
                    "quoting",
                    "a mapping of `database`, `schema` and `identifier` to true or false",
                    invalid,
                ),
                None => settings.quoting = quoting.clone(),
            }
        }
        diagnostics.extend(missing_name);
        diagnostics.append(&mut shape_errors);
        if let Some(Value::Array(entries)) = object.get("dispatch") {
            for entry in entries {
                let namespace = entry.get("macro_namespace").and_then(Value::as_str);
                let order = crate::config::string_list(entry.get("search_order"));
                if let Some(namespace) = namespace {
                    settings.dispatch.push((namespace.to_string(), order));
                }
            }
        }
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
    render_config_string_in(text, vars, RenderScope::project_file(None))
}

/// Which file a configuration string belongs to, as far as its rendering
/// depends on it: `target` once the profile is read, and whether
/// `env_var()` may read dbt's secret variables (`DBT_ENV_SECRET...`),
/// which dbt allows in profiles.yml and packages.yml only.
#[derive(Clone, Copy)]
struct RenderScope<'a> {
    target: Option<&'a Value>,
    secret_env_vars_allowed: bool,
}

impl<'a> RenderScope<'a> {
    fn project_file(target: Option<&'a Value>) -> RenderScope<'a> {
        RenderScope {
            target,
            secret_env_vars_allowed: false,
        }
    }
}

fn render_config_string_in(
    text: &str,
    vars: &Map<String, Value>,
    scope: RenderScope<'_>,
) -> Result<String, ConfigRenderError> {
    if !text.contains('{') {
        return Ok(text.to_string());
    }
    let context = config_context(vars, scope);
    config_environment()
        .render_str(text, context)
        .map_err(|error| config_render_error(text, &error))
}

/// The Jinja environment of configuration files: `env_var`, `var`, `return`
/// and dbt's type-marking filters.
fn config_environment() -> &'static minijinja::Environment<'static> {
    static ENVIRONMENT: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut environment = minijinja::Environment::new();
        // Errors read the same in debug and release builds.
        environment.set_debug(true);
        environment.add_function(
            "env_var",
            |state: &minijinja::State, name: String, default: Option<minijinja::Value>| {
                let secrets_allowed = state
                    .lookup("__secret_env_vars_allowed")
                    .is_some_and(|allowed| allowed.is_true());
                if !secrets_allowed {
                    refuse_secret_env_var(&name)?;
                }
                env_var_function(name, default)
            },
        );
        environment.add_function(
            "var",
            // `var(name, None)` has a default (none): read it from the
            // arguments, as `Option` would take none for no default.
            |state: &minijinja::State,
             name: String,
             rest: minijinja::value::Rest<minijinja::Value>| {
                let default = rest.first().cloned();
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
        crate::jinja::register_type_marker_filters(&mut environment);
        environment
    })
}

fn config_render_error(text: &str, error: &minijinja::Error) -> ConfigRenderError {
    match failure_of(error) {
        Some(failure) => ConfigRenderError {
            code: failure.code,
            message: failure.message.clone(),
        },
        None => ConfigRenderError {
            code: Code::JinjaRender,
            message: format!("cannot render `{text}`: {}", error_message(error)),
        },
    }
}

/// Renders a configuration string as dbt's native renderer does: a string
/// that is one `{{ expression }}` and nothing else keeps the expression's
/// type (`"{{ var('n') }}"` with `n: 3` is the number 3, not the text "3");
/// an expression ending in `| as_bool`, `| as_number` or `| as_native` has
/// its text read as a Python literal (`True`, `10`, `'x'`), and must give a
/// boolean or a number for the first two. Any other string renders to text.
pub fn render_config_value(
    text: &str,
    vars: &Map<String, Value>,
) -> Result<Value, ConfigRenderError> {
    render_config_value_for(text, vars, None)
}

/// The context configuration strings render in: vars, and `target` once
/// the profile is read.
fn config_context(vars: &Map<String, Value>, scope: RenderScope<'_>) -> minijinja::Value {
    let allowed = scope.secret_env_vars_allowed;
    match scope.target {
        Some(target) => minijinja::context! {
            __vars => to_value(vars),
            __secret_env_vars_allowed => allowed,
            target => to_value(target),
        },
        None => {
            minijinja::context! { __vars => to_value(vars), __secret_env_vars_allowed => allowed }
        }
    }
}

/// [`render_config_value`] with `target` in the context.
pub fn render_config_value_for(
    text: &str,
    vars: &Map<String, Value>,
    target: Option<&Value>,
) -> Result<Value, ConfigRenderError> {
    render_config_value_in(text, vars, RenderScope::project_file(target))
}

fn render_config_value_in(
    text: &str,
    vars: &Map<String, Value>,
    scope: RenderScope<'_>,
) -> Result<Value, ConfigRenderError> {
    let Some(expression) = single_expression(text) else {
        return render_config_string_in(text, vars, scope).map(Value::String);
    };
    let (expression, marker) = split_type_marker(expression);
    let context = config_context(vars, scope);
    let evaluated = config_environment()
        .compile_expression(expression)
        .and_then(|compiled| compiled.eval(context))
        .map_err(|error| config_render_error(text, &error))?;
    let native = serde_json::to_value(&evaluated).unwrap_or(Value::Null);
    let Some(marker) = marker else {
        return Ok(native);
    };
    let literal = match &native {
        Value::String(raw) => python_literal(raw),
        other => other.clone(),
    };
    let fits = match marker {
        "as_bool" => literal.is_boolean(),
        "as_number" => literal.is_number(),
        _ => true,
    };
    if fits {
        Ok(literal)
    } else {
        let kind = if marker == "as_bool" {
            "bool"
        } else {
            "number"
        };
        Err(ConfigRenderError {
            code: Code::JinjaRender,
            message: format!(
                "cannot render `{text}`: could not convert value `{native}` into type '{kind}'"
            ),
        })
    }
}

/// The expression of a string that is exactly one `{{ ... }}`.
fn single_expression(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    let inner = inner.trim_start_matches('-').trim_end_matches('-');
    if inner.contains("{{") || inner.contains("}}") || inner.contains("{%") {
        return None;
    }
    Some(inner.trim())
}

/// Splits a trailing `| as_bool`, `| as_number` or `| as_native` off an
/// expression.
fn split_type_marker(expression: &str) -> (&str, Option<&'static str>) {
    for marker in ["as_bool", "as_number", "as_native"] {
        if let Some(rest) = expression.strip_suffix(marker) {
            if let Some(rest) = rest.trim_end().strip_suffix('|') {
                return (rest.trim_end(), Some(marker));
            }
        }
    }
    (expression, None)
}

/// A text read as Python's `literal_eval` reads the few literals configs
/// hold: `True`, `False`, `None`, integers, floats and quoted strings;
/// anything else stays text, as dbt keeps it.
fn python_literal(raw: &str) -> Value {
    let trimmed = raw.trim();
    match trimmed {
        "True" => return Value::Bool(true),
        "False" => return Value::Bool(false),
        "None" => return Value::Null,
        _ => {}
    }
    if let Ok(integer) = trimmed.parse::<i64>() {
        return Value::from(integer);
    }
    if let Ok(float) = trimmed.parse::<f64>() {
        if float.is_finite() {
            return Value::from(float);
        }
    }
    for quote in ['\'', '"'] {
        if let Some(inner) = trimmed
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            if !inner.contains(quote) {
                return Value::String(inner.to_string());
            }
        }
    }
    Value::String(raw.to_string())
}

/// Renders every string inside `value` (recursively) with
/// [`render_config_string`], except under the keys in `keep_unrendered`.
pub fn render_strings_in(
    value: &mut Value,
    vars: &Map<String, Value>,
    keep_unrendered: &[&str],
    errors: &mut Vec<ConfigRenderError>,
) {
    render_strings_in_for(value, vars, None, keep_unrendered, errors);
}

/// [`render_strings_in`] with `target` in the context.
pub fn render_strings_in_for(
    value: &mut Value,
    vars: &Map<String, Value>,
    target: Option<&Value>,
    keep_unrendered: &[&str],
    errors: &mut Vec<ConfigRenderError>,
) {
    render_strings_in_scope(
        value,
        vars,
        RenderScope::project_file(target),
        keep_unrendered,
        errors,
    );
}

/// [`render_strings_in`] for `profiles.yml` and `packages.yml` (or
/// `dependencies.yml`), the only files where dbt lets `env_var()` read its
/// secret variables (`DBT_ENV_SECRET...`); everywhere else reading one is
/// FC0031.
pub fn render_strings_in_secret_file(
    value: &mut Value,
    vars: &Map<String, Value>,
    errors: &mut Vec<ConfigRenderError>,
) {
    let scope = RenderScope {
        target: None,
        secret_env_vars_allowed: true,
    };
    render_strings_in_scope(value, vars, scope, &[], errors);
}

fn render_strings_in_scope(
    value: &mut Value,
    vars: &Map<String, Value>,
    scope: RenderScope<'_>,
    keep_unrendered: &[&str],
    errors: &mut Vec<ConfigRenderError>,
) {
    match value {
        Value::String(text) => match render_config_value_in(text, vars, scope) {
            Ok(rendered) => *value = rendered,
            Err(error) => errors.push(error),
        },
        Value::Array(items) => {
            for item in items {
                render_strings_in_scope(item, vars, scope, keep_unrendered, errors);
            }
        }
        Value::Object(object) => {
            for (key, item) in object.iter_mut() {
                let bare_key = key.trim_start_matches('+');
                if !keep_unrendered.contains(&bare_key) {
                    render_strings_in_scope(item, vars, scope, keep_unrendered, errors);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> Result<Value, String> {
        let vars: Map<String, Value> = serde_json::from_str(
            r#"{"flag": true, "count": 3, "word": "yes", "flag_text": "True"}"#,
        )
        .expect("test vars are JSON");
        render_config_value(text, &vars).map_err(|error| error.message)
    }

    #[test]
    fn a_single_expression_keeps_its_type_as_dbt_native_rendering_does() {
        assert_eq!(render("{{ var('flag') }}"), Ok(Value::Bool(true)));
        assert_eq!(render("{{ var('count') }}"), Ok(Value::from(3)));
        assert_eq!(render("{{ var('word') }}"), Ok(Value::from("yes")));
        assert_eq!(render("n={{ var('count') }}"), Ok(Value::from("n=3")));
        assert_eq!(render("plain"), Ok(Value::from("plain")));
    }

    #[test]
    fn type_markers_read_python_literals_and_check_the_type() {
        assert_eq!(
            render("{{ var('flag_text') | as_bool }}"),
            Ok(Value::Bool(true))
        );
        assert_eq!(render("{{ var('flag') | as_bool }}"), Ok(Value::Bool(true)));
        assert_eq!(render("{{ '10' | as_number }}"), Ok(Value::from(10)));
        assert_eq!(
            render("{{ \"'quoted'\" | as_native }}"),
            Ok(Value::from("quoted"))
        );
        let error = render("{{ var('word') | as_bool }}").expect_err("yes is not a bool");
        assert!(error.contains("into type 'bool'"), "{error}");
        let error = render("{{ 'many' | as_number }}").expect_err("not a number");
        assert!(error.contains("into type 'number'"), "{error}");
    }
}
