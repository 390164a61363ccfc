//! Phase: the project file, `--vars` and the profile, which every later phase reads.

use super::files::{read_file, FoundFile};
use super::LoadContext;
use crate::options::LoadOptions;
use crate::profiles::load_target;
use crate::project_file::{render_strings_in, ProjectSettings};
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
    let mut project_value = match parse_yaml(&project_text, project_file) {
        Ok(value) => value,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return None;
        }
    };
    let cli_vars = cli_vars(options, project_file, diagnostics);
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
    let target = load_target(options, &profile_name, &vars, files, diagnostics)?;
    let adapter_naming = (options.adapter_naming)(&target.adapter_type);
    Some(LoadContext {
        root_dir,
        project_file,
        settings,
        project_name,
        vars,
        target,
        adapter_naming,
    })
}

/// The `--vars` argument as a mapping; empty, and reported, when it is not one.
#[expect(
    clippy::result_large_err,
    reason = "YAML errors are rare and become diagnostics at once"
)]
fn cli_vars(
    options: &LoadOptions,
    project_file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Map<String, Value> {
    match options
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
    }
}
