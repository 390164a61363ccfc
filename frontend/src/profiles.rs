//! `profiles.yml`: finding it (`--profiles-dir`, the project folder, then
//! `~/.dbt`), choosing the profile and target, and the [`Target`] templates see.

use crate::options::LoadOptions;
use crate::project_file::render_strings_in_secret_file;
use crate::yaml::{describe_kind, parse_yaml};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{SourceFiles, Span};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The selected profile target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Target {
    pub profile_name: String,
    pub target_name: String,
    /// The adapter type (`duckdb`, `postgres`, ...).
    pub adapter_type: String,
    pub database: String,
    pub schema: String,
    pub threads: u32,
    /// For DuckDB, the database file (`:memory:` for an in-memory database).
    pub path: Option<String>,
    /// Every other key of the target, as written (after env_var rendering).
    pub extra: Map<String, Value>,
}

impl Target {
    /// The `target` object templates see. As in dbt, it holds the
    /// connection's keys but never its secrets: `password` (and its alias
    /// `pass`) are left out, so no template can print them.
    pub fn to_context_value(&self) -> Value {
        let mut object = self.extra.clone();
        for secret in SECRET_KEYS {
            object.remove(*secret);
        }
        object.insert("name".into(), Value::String(self.target_name.clone()));
        object.insert(
            "target_name".into(),
            Value::String(self.target_name.clone()),
        );
        object.insert(
            "profile_name".into(),
            Value::String(self.profile_name.clone()),
        );
        object.insert("type".into(), Value::String(self.adapter_type.clone()));
        object.insert("database".into(), Value::String(self.database.clone()));
        object.insert("schema".into(), Value::String(self.schema.clone()));
        object.insert("threads".into(), Value::from(self.threads));
        if let Some(path) = &self.path {
            object.insert("path".into(), Value::String(path.clone()));
        }
        Value::Object(object)
    }
}

/// The prefix of dbt's secret environment variables, whose values are
/// masked in everything shown and which only profiles.yml and packages.yml
/// may read. dbt-core compares names with it as written here, without a
/// trailing underscore.
pub const SECRET_ENV_PREFIX: &str = "DBT_ENV_SECRET";

/// Profile keys whose values are secrets: kept for the adapter, never shown
/// to templates.
const SECRET_KEYS: &[&str] = &["password", "pass"];

/// Where to look for profiles.yml, in order.
fn candidate_dirs(project_dir: &Path, profiles_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = profiles_dir {
        dirs.push(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("DBT_PROFILES_DIR") {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(project_dir.to_path_buf());
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".dbt"));
    }
    dirs
}

/// Finds, reads and selects the target. `None` (with diagnostics) when the
/// profile cannot be used.
pub fn load_target(
    options: &LoadOptions,
    profile_name: &str,
    vars: &Map<String, Value>,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Target> {
    let project_dir = options.project_dir.as_path();
    let target_override = options.target.as_deref();
    let dirs = candidate_dirs(project_dir, options.profiles_dir.as_deref());
    let Some(path) = dirs
        .iter()
        .map(|dir| dir.join("profiles.yml"))
        .find(|path| path.is_file())
    else {
        let searched: Vec<String> = dirs.iter().map(|dir| dir.display().to_string()).collect();
        diagnostics.push(
            Diagnostic::new(Code::ProfileNotFound, "no profiles.yml found")
                .with_note(format!("searched: {}", searched.join(", ")))
                .with_help(format!(
                    "create profiles.yml with a `{profile_name}` profile in the project folder or ~/.dbt, or pass --profiles-dir"
                )),
        );
        return None;
    };
    let shown_path = path
        .strip_prefix(project_dir)
        .map(|relative| relative.display().to_string())
        .unwrap_or_else(|_| path.display().to_string());
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            diagnostics.push(Diagnostic::new(
                Code::FileUnreadable,
                format!("cannot read {shown_path}: {error}"),
            ));
            return None;
        }
    };
    let file = files.add(shown_path.clone(), text.as_str());
    let document = match parse_yaml(&text, file, diagnostics) {
        Ok(document) => document,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return None;
        }
    };
    let profile_span = crate::yaml::find_key_span(&text, profile_name, 0);
    let Some(profile) = document.get(profile_name).and_then(Value::as_object) else {
        let names: Vec<&str> = document
            .as_object()
            .map(|object| {
                object
                    .keys()
                    .map(String::as_str)
                    .filter(|name| *name != "config")
                    .collect()
            })
            .unwrap_or_default();
        let mut diagnostic = Diagnostic::new(
            Code::ProfileNotFound,
            format!("profile `{profile_name}` is not defined in {shown_path}"),
        )
        .at(file, Span::EMPTY);
        diagnostic = match fusion_ir::diagnostic::closest_name(profile_name, names.iter().copied())
        {
            Some(close) => diagnostic.with_help(format!(
                "did you mean `{close}`? (dbt_project.yml names the profile)"
            )),
            None => diagnostic.with_help(format!(
                "add a `{profile_name}:` profile with `target:` and `outputs:` to {shown_path}"
            )),
        };
        if !names.is_empty() {
            diagnostic = diagnostic.with_note(format!("profiles defined: {}", names.join(", ")));
        }
        diagnostics.push(diagnostic);
        return None;
    };
    let mut target_default = profile.get("target").cloned().unwrap_or(Value::Null);
    let mut render_errors = Vec::new();
    render_strings_in_secret_file(&mut target_default, vars, &mut render_errors);
    let target_name = match (target_override, target_default.as_str()) {
        (Some(name), _) => name.to_string(),
        (None, Some(name)) => name.to_string(),
        (None, None) => "default".to_string(),
    };
    let outputs = profile.get("outputs").and_then(Value::as_object);
    let Some(mut output) = outputs
        .and_then(|outputs| outputs.get(&target_name))
        .cloned()
    else {
        let names: Vec<&str> = outputs
            .map(|outputs| outputs.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut diagnostic = Diagnostic::new(
            Code::ProfileNotFound,
            format!("target `{target_name}` is not an output of profile `{profile_name}`"),
        )
        .with_primary(file, profile_span, "");
        diagnostic = match fusion_ir::diagnostic::closest_name(&target_name, names.iter().copied()) {
            Some(close) => diagnostic.with_help(format!("did you mean `{close}`?")),
            None => diagnostic.with_help(format!(
                "add `{target_name}:` under `outputs:` of `{profile_name}`, or pick a target with --target"
            )),
        };
        if !names.is_empty() {
            diagnostic = diagnostic.with_note(format!("targets defined: {}", names.join(", ")));
        }
        diagnostics.push(diagnostic);
        return None;
    };
    render_strings_in_secret_file(&mut output, vars, &mut render_errors);
    for error in render_errors {
        diagnostics.push(Diagnostic::new(error.code, error.message).with_primary(
            file,
            profile_span,
            "",
        ));
    }
    let Some(output) = output.as_object() else {
        diagnostics.push(
            Diagnostic::new(
                Code::YamlShape,
                format!(
                    "target `{target_name}` must be a mapping, found {}",
                    describe_kind(&output)
                ),
            )
            .with_primary(file, profile_span, ""),
        );
        return None;
    };
    let text_of = |key: &str| -> Option<String> {
        output.get(key).and_then(|value| match value {
            Value::String(text) => Some(text.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
    };
    let adapter_type = text_of("type").unwrap_or_default();
    if adapter_type.is_empty() {
        diagnostics.push(
            Diagnostic::new(
                Code::YamlShape,
                format!("target `{target_name}` has no `type`"),
            )
            .with_primary(file, profile_span, "")
            .with_help("add `type: duckdb`"),
        );
        return None;
    }
    let path = text_of("path");
    let naming = (options.adapter_naming)(&adapter_type);
    // The adapter's other names for a key (dbt-bigquery's `project` for
    // `database`) count when the key itself is not set.
    let text_or_alias = |key: &str| {
        text_of(key).or_else(|| {
            naming
                .profile_key_aliases()
                .iter()
                .filter(|(_, canonical)| *canonical == key)
                .find_map(|(alias, _)| text_of(alias))
        })
    };
    let database = text_or_alias("database")
        .or_else(|| text_of("dbname"))
        .unwrap_or_else(|| naming.default_database(output));
    let schema = text_or_alias("schema").unwrap_or_else(|| naming.default_schema());
    let threads = output
        .get("threads")
        .and_then(|threads| {
            threads
                .as_u64()
                .or_else(|| threads.as_str().and_then(|text| text.parse().ok()))
        })
        .map_or(1, |threads| u32::try_from(threads).unwrap_or(u32::MAX));
    let mut extra = output.clone();
    for key in ["type", "database", "schema", "threads", "path"] {
        extra.remove(key);
    }
    Some(Target {
        profile_name: profile_name.to_string(),
        target_name,
        adapter_type,
        database,
        schema,
        threads,
        path,
        extra,
    })
}
