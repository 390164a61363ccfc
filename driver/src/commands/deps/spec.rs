//! The entries of `packages.yml`, `dependencies.yml` and `package-lock.yml`:
//! reading and checking them as dbt's `PackageConfig` does, rendering their
//! Jinja as dbt's `PackageRenderer` does (`env_var`, and `var` from --vars),
//! and the dictionary dbt hashes for the lock (`PackageSpec.to_dict()`).

use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::SourceFiles;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Where one package comes from, with its Jinja rendered.
#[derive(Clone, Debug)]
pub(crate) enum PackageSource {
    Local {
        path: String,
    },
    Git {
        url: String,
        /// The URL as written, Jinja and all: what the lock records, so that a
        /// token read with env_var() never lands in the lock file.
        url_as_written: String,
        revision: Option<String>,
        warn_unpinned: bool,
        subdirectory: Option<String>,
    },
    Hub {
        package: String,
        versions: Vec<String>,
        #[expect(
            dead_code,
            reason = "for the hub resolution, which has no HTTPS client to run with"
        )]
        install_prerelease: bool,
    },
}

/// One entry of a packages list.
#[derive(Clone, Debug)]
pub(crate) struct PackageEntry {
    pub(crate) source: PackageSource,
    /// dbt's `to_dict()` of the entry: every field of its kind (None as
    /// null, except `name`), plus `unrendered`, the entry as written.
    pub(crate) hashed: Value,
}

/// The packages a project declares, and where.
pub(crate) struct DeclaredPackages {
    pub(crate) entries: Vec<PackageEntry>,
    /// `packages.yml` or `dependencies.yml`, for messages.
    pub(crate) file_name: &'static str,
    /// Values of the environment variables that the entries' `git:` URLs
    /// read: output masks them.
    pub(crate) secrets: Vec<String>,
}

/// A malformed-file diagnostic, dbt's wording first.
pub(crate) fn malformed(file: &str, detail: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(
        Code::PackagesFileMalformed,
        format!("{file} is malformed: {detail}"),
    )
    .with_help("see https://docs.getdbt.com/docs/package-management for the syntax")
}

/// Reads the packages a project folder declares: the `packages:` key of
/// `dependencies.yml` when it has one, else `packages.yml`, as dbt's
/// `package_and_project_data_from_root`. No file means no packages.
pub(crate) fn read_declared_packages(
    project_folder: &Path,
    cli_vars: &Map<String, Value>,
    readings: &mut YamlReadings,
) -> Result<DeclaredPackages, Diagnostic> {
    let packages_yml = read_yaml_mapping(
        &project_folder.join("packages.yml"),
        "packages.yml",
        readings,
    )?;
    let dependencies_yml = read_yaml_mapping(
        &project_folder.join("dependencies.yml"),
        "dependencies.yml",
        readings,
    )?;
    if packages_yml.contains_key("packages") && dependencies_yml.contains_key("packages") {
        return Err(malformed(
            "packages.yml",
            "the 'packages' key cannot be specified in both packages.yml and dependencies.yml",
        ));
    }
    if packages_yml.contains_key("projects") {
        return Err(malformed(
            "packages.yml",
            "the 'projects' key cannot be specified in packages.yml",
        ));
    }
    let (mapping, file_name) = if dependencies_yml.contains_key("packages") {
        let mut only_packages = Map::new();
        if let Some(packages) = dependencies_yml.get("packages") {
            only_packages.insert("packages".to_string(), packages.clone());
        }
        (only_packages, "dependencies.yml")
    } else {
        (packages_yml, "packages.yml")
    };
    let mut secrets = Vec::new();
    let entries = parse_package_list(&mapping, file_name, cli_vars, &mut secrets)?;
    Ok(DeclaredPackages {
        entries,
        file_name,
        secrets,
    })
}

/// The YAML files `deps` has read, so that a warning about one (a key
/// written twice) can show where, and those warnings.
#[derive(Default)]
pub(crate) struct YamlReadings {
    pub(crate) files: SourceFiles,
    pub(crate) warnings: Vec<Diagnostic>,
    /// The text last read from each path: a file read again unchanged (the
    /// lock, a package's project file) is not warned about twice.
    last_read: FxHashMap<PathBuf, String>,
}

/// A YAML file as a mapping; a missing or empty file is an empty mapping.
pub(crate) fn read_yaml_mapping(
    path: &Path,
    file_name: &str,
    readings: &mut YamlReadings,
) -> Result<Map<String, Value>, Diagnostic> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
        Err(error) => {
            return Err(Diagnostic::new(
                Code::FileUnreadable,
                format!("cannot read {}: {error}", path.display()),
            ))
        }
    };
    let read_before = readings.last_read.get(path) == Some(&text);
    let file = readings
        .files
        .add(path.display().to_string(), text.as_str());
    let mut warnings = Vec::new();
    let value = fusion_frontend::yaml::parse_yaml(&text, file, &mut warnings)
        .map_err(|diagnostic| malformed(file_name, diagnostic.message))?;
    if !read_before {
        readings.warnings.extend(warnings);
        readings.last_read.insert(path.to_path_buf(), text);
    }
    match value {
        Value::Null => Ok(Map::new()),
        Value::Object(mapping) => Ok(mapping),
        _ => Err(malformed(file_name, "the file must be a YAML mapping")),
    }
}

/// The `packages:` list of a mapping, checked and rendered. dbt treats an
/// empty mapping as no packages and a mapping without `packages` as invalid.
pub(crate) fn parse_package_list(
    mapping: &Map<String, Value>,
    file_name: &str,
    cli_vars: &Map<String, Value>,
    secrets: &mut Vec<String>,
) -> Result<Vec<PackageEntry>, Diagnostic> {
    if mapping.is_empty() {
        return Ok(Vec::new());
    }
    let list = match mapping.get("packages") {
        Some(Value::Array(list)) => list,
        Some(_) => return Err(malformed(file_name, "`packages` must be a list")),
        None => return Err(malformed(file_name, "'packages' is a required property")),
    };
    list.iter()
        .map(|raw| parse_entry(raw, file_name, cli_vars, secrets))
        .collect()
}

const LOCAL_KEYS: &[&str] = &["local", "name"];
const GIT_KEYS: &[&str] = &["git", "revision", "warn-unpinned", "subdirectory", "name"];
const HUB_KEYS: &[&str] = &["package", "version", "install_prerelease", "name"];

fn parse_entry(
    raw: &Value,
    file_name: &str,
    cli_vars: &Map<String, Value>,
    secrets: &mut Vec<String>,
) -> Result<PackageEntry, Diagnostic> {
    let Value::Object(raw_object) = raw else {
        return Err(malformed(file_name, format!("{raw} is not a mapping")));
    };
    let mut rendered = raw.clone();
    let mut render_errors = Vec::new();
    fusion_frontend::project_file::render_strings_in_secret_file(
        &mut rendered,
        cli_vars,
        &mut render_errors,
    );
    if let Some(error) = render_errors.into_iter().next() {
        return Err(Diagnostic::new(
            error.code,
            format!("{file_name}: {}", error.message),
        ));
    }
    let Value::Object(object) = rendered else {
        return Err(malformed(file_name, "an entry is not a mapping"));
    };
    let (kind, allowed) = if object.contains_key("package") {
        ("package", HUB_KEYS)
    } else if object.contains_key("git") {
        ("git", GIT_KEYS)
    } else if object.contains_key("local") {
        ("local", LOCAL_KEYS)
    } else if object.contains_key("tarball") || object.contains_key("private") {
        return Err(malformed(
            file_name,
            format!("{raw}: fusionc does not install tarball or private packages yet; use `git:`"),
        ));
    } else {
        return Err(malformed(
            file_name,
            format!("{raw} is not valid under any of the given schemas (no `package`, `git` or `local` key)"),
        ));
    };
    if let Some(unknown) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(malformed(
            file_name,
            format!("the `{kind}` entry {raw} has an unknown key `{unknown}`"),
        ));
    }
    let text = |key: &str| -> Result<Option<String>, Diagnostic> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(malformed(
                file_name,
                format!("`{key}` must be a string, found {other}"),
            )),
        }
    };
    let flag = |key: &str| -> Result<Option<bool>, Diagnostic> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(other) => Err(malformed(
                file_name,
                format!("`{key}` must be true or false, found {other}"),
            )),
        }
    };
    let name = text("name")?;
    let mut hashed = Map::new();
    let source = match kind {
        "local" => {
            let path = text("local")?.unwrap_or_default();
            if path.is_empty() {
                return Err(malformed(
                    file_name,
                    "A local package is missing the value. It is a required property.",
                ));
            }
            hashed.insert("local".to_string(), Value::String(path.clone()));
            PackageSource::Local { path }
        }
        "git" => {
            let url = text("git")?.unwrap_or_default();
            if url.is_empty() {
                return Err(malformed(
                    file_name,
                    "A git package is missing the value. It is a required property.",
                ));
            }
            let revision_value = object.get("revision").cloned().unwrap_or(Value::Null);
            let revision = match &revision_value {
                Value::Null => None,
                Value::String(text) => Some(text.clone()),
                Value::Number(number) => Some(python_number(number)),
                other => {
                    return Err(malformed(
                        file_name,
                        format!("`revision` must be a string or number, found {other}"),
                    ))
                }
            };
            let warn_unpinned = flag("warn-unpinned")?;
            let subdirectory = text("subdirectory")?;
            let url_as_written = raw_object
                .get("git")
                .and_then(Value::as_str)
                .unwrap_or(&url)
                .to_string();
            collect_secrets(&url_as_written, secrets);
            hashed.insert("git".to_string(), Value::String(url.clone()));
            hashed.insert("revision".to_string(), revision_value);
            hashed.insert(
                "warn-unpinned".to_string(),
                warn_unpinned.map_or(Value::Null, Value::Bool),
            );
            hashed.insert(
                "subdirectory".to_string(),
                subdirectory.clone().map_or(Value::Null, Value::String),
            );
            PackageSource::Git {
                url,
                url_as_written,
                revision,
                // dbt maps None to True: only an explicit false silences it.
                warn_unpinned: warn_unpinned != Some(false),
                subdirectory,
            }
        }
        _ => {
            let package = text("package")?.unwrap_or_default();
            if package.is_empty() {
                return Err(malformed(
                    file_name,
                    "A hub package is missing the value. It is a required property.",
                ));
            }
            let version_value = object.get("version").cloned().unwrap_or(Value::Null);
            let versions = match &version_value {
                Value::String(text) if !text.is_empty() => vec![text.clone()],
                Value::Number(number) => vec![python_number(number)],
                Value::Array(items) if !items.is_empty() => items
                    .iter()
                    .map(|item| match item {
                        Value::String(text) => Ok(text.clone()),
                        Value::Number(number) => Ok(python_number(number)),
                        other => Err(malformed(
                            file_name,
                            format!("a version must be a string, found {other}"),
                        )),
                    })
                    .collect::<Result<Vec<String>, Diagnostic>>()?,
                _ => {
                    return Err(malformed(
                        file_name,
                        format!("{package} is missing the version. When installing from the Hub package index, version is a required property"),
                    ))
                }
            };
            if !package.contains('/') {
                return Err(malformed(
                    file_name,
                    format!("{package} was not found in the package index. Packages on the index require a namespace, e.g dbt-labs/dbt_utils"),
                ));
            }
            let install_prerelease = match object.get("install_prerelease") {
                None => Value::Bool(false),
                Some(value) => value.clone(),
            };
            flag("install_prerelease")?;
            hashed.insert("package".to_string(), Value::String(package.clone()));
            hashed.insert("version".to_string(), version_value);
            hashed.insert("install_prerelease".to_string(), install_prerelease.clone());
            PackageSource::Hub {
                package,
                versions,
                install_prerelease: install_prerelease == Value::Bool(true),
            }
        }
    };
    hashed.insert("unrendered".to_string(), raw.clone());
    if let Some(name) = &name {
        hashed.insert("name".to_string(), Value::String(name.clone()));
    }
    Ok(PackageEntry {
        source,
        hashed: Value::Object(hashed),
    })
}

/// `str()` of a YAML number in Python: `1.0` stays `1.0`, `2` stays `2`.
pub(crate) fn python_number(number: &serde_json::Number) -> String {
    match number.as_f64() {
        Some(float) if number.is_f64() => python_float_repr(float),
        _ => number.to_string(),
    }
}

/// Python's `repr(float)`: the shortest round-trip digits (as Rust's), with
/// Python's exponent spelling (`1e+16`, `1e-05`) outside 1e-4..1e16.
pub(crate) fn python_float_repr(float: f64) -> String {
    if !float.is_finite() {
        return if float.is_nan() {
            "NaN".to_string()
        } else if float > 0.0 {
            "Infinity".to_string()
        } else {
            "-Infinity".to_string()
        };
    }
    let magnitude = float.abs();
    if magnitude == 0.0 || (1e-4..1e16).contains(&magnitude) {
        return format!("{float:?}");
    }
    let scientific = format!("{float:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// The values of the environment variables `text` reads with `env_var('X')`.
fn collect_secrets(text: &str, secrets: &mut Vec<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("env_var(") {
        rest = &rest[start + "env_var(".len()..];
        let trimmed = rest.trim_start();
        let Some(quote) = trimmed
            .chars()
            .next()
            .filter(|quote| *quote == '\'' || *quote == '"')
        else {
            continue;
        };
        let name_and_rest = &trimmed[1..];
        if let Some(end) = name_and_rest.find(quote) {
            if let Ok(value) = std::env::var(&name_and_rest[..end]) {
                if !value.is_empty() && !secrets.contains(&value) {
                    secrets.push(value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::python_float_repr;

    #[test]
    fn floats_print_as_python_repr() {
        assert_eq!(python_float_repr(1.0), "1.0");
        assert_eq!(python_float_repr(1.5), "1.5");
        assert_eq!(python_float_repr(1e16), "1e+16");
        assert_eq!(python_float_repr(1e-5), "1e-05");
        assert_eq!(python_float_repr(0.0001), "0.0001");
    }
}
