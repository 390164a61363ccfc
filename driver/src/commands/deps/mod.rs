//! `fusionc deps`: installs the packages of `packages.yml` / `dependencies.yml`
//! into `packages-install-path` as `dbt deps` does: resolve (or read
//! `package-lock.yml` when its hash still matches), write the lock, then
//! empty the install folder and fill it (local packages as symlinks, git
//! packages as checkouts). Every package is fetched before the folder is
//! touched, so a failure leaves the previous install as it was.

#![expect(
    clippy::result_large_err,
    reason = "a Diagnostic is the one error that ends `deps`: made once, reported at once"
)]

mod git;
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "choosing a hub version needs the hub's JSON, which needs an HTTPS client fusionc does not have; unit tests run it"
    )
)]
mod hub;
mod lock;
mod resolve;
mod semver;
mod spec;

use crate::cli::{exit_code, DepsArgs, LogFormat, Output};
use crate::diagnostics::DiagnosticContext;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::SourceFiles;
use lock::{lock_file_text, packages_sha1_hash};
use resolve::{hub_unavailable, read_project_name, DepsSession, Pinned};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Runs `fusionc deps`; returns the exit code (2 for any package problem:
/// they are configuration problems).
pub(crate) fn deps(arguments: &DepsArgs, output: &mut Output<'_>) -> i32 {
    let downloads = std::env::temp_dir().join(format!(
        "fusionc-deps-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos())
    ));
    let mut vars_text = SourceFiles::default();
    let mut vars_warnings = Vec::new();
    let parsed_vars = parse_cli_vars(
        arguments.vars.as_deref(),
        &mut vars_text,
        &mut vars_warnings,
    );
    report_warnings(
        &vars_warnings,
        &vars_text,
        &[],
        arguments.log_format,
        output,
    );
    let cli_vars = match parsed_vars {
        Ok(vars) => vars,
        Err(diagnostic) => return report_failure(&diagnostic, &[], arguments.log_format, output),
    };
    let result = run(arguments, &cli_vars, &downloads, output);
    let _ = std::fs::remove_dir_all(&downloads);
    match result {
        Ok(()) => exit_code::SUCCESS,
        Err((diagnostic, secrets)) => {
            report_failure(&diagnostic, &secrets, arguments.log_format, output)
        }
    }
}

type Failure = (Diagnostic, Vec<String>);

fn run(
    arguments: &DepsArgs,
    cli_vars: &Map<String, Value>,
    downloads: &Path,
    output: &mut Output<'_>,
) -> Result<(), Failure> {
    let root = std::path::absolute(&arguments.project_dir)
        .map(|path| resolve::normalize(&path))
        .unwrap_or_else(|_| arguments.project_dir.clone());
    let fail = |diagnostic: Diagnostic| (diagnostic, Vec::new());
    if !root.join("dbt_project.yml").is_file() {
        return Err(fail(Diagnostic::new(
            Code::ProjectFileMissing,
            format!("no dbt_project.yml in {}", root.display()),
        )));
    }
    let mut yaml = spec::YamlReadings::default();
    let project =
        spec::read_yaml_mapping(&root.join("dbt_project.yml"), "dbt_project.yml", &mut yaml)
            .map_err(fail)?;
    let root_name = read_project_name(&root, &mut yaml).map_err(fail)?;
    let install_path_setting = match project.get("packages-install-path") {
        Some(Value::String(path)) => path.clone(),
        _ => "dbt_packages".to_string(),
    };
    let install_path = root.join(&install_path_setting);
    let declared = spec::read_declared_packages(&root, cli_vars, &mut yaml).map_err(fail)?;
    std::fs::create_dir_all(downloads).map_err(|error| {
        fail(Diagnostic::new(
            Code::PackageInstallFailed,
            format!("cannot create {}: {error}", downloads.display()),
        ))
    })?;
    let mut session = DepsSession::new(
        root.clone(),
        root_name,
        cli_vars,
        downloads.to_path_buf(),
        yaml,
    );
    session.secrets.extend(declared.secrets.iter().cloned());
    let outcome = install(arguments, &declared, &install_path, &mut session, output);
    let secrets = session.secrets.clone();
    let mut warnings = std::mem::take(&mut session.yaml.warnings);
    warnings.append(&mut session.warnings);
    report_warnings(
        &warnings,
        &session.yaml.files,
        &secrets,
        arguments.log_format,
        output,
    );
    outcome.map_err(|diagnostic| (diagnostic, secrets))
}

fn install(
    arguments: &DepsArgs,
    declared: &spec::DeclaredPackages,
    install_path: &Path,
    session: &mut DepsSession<'_>,
    output: &mut Output<'_>,
) -> Result<(), Diagnostic> {
    let lock_path = session.root.join("package-lock.yml");
    let current_hash = packages_sha1_hash(&declared.entries);
    let lock_is_current = lock_path.is_file()
        && spec::read_yaml_mapping(&lock_path, "package-lock.yml", &mut session.yaml)?
            .get("sha1_hash")
            .and_then(Value::as_str)
            == Some(current_hash.as_str());
    let no_packages = format!("Warning: No packages were found in {}", declared.file_name);
    let mut said_no_packages = false;
    if arguments.upgrade || !lock_is_current {
        if declared.entries.is_empty() {
            print_line(output, &session.secrets, &no_packages);
            said_no_packages = true;
        } else {
            let locked = session.resolve(&declared.entries)?;
            write_file(&lock_path, &lock_file_text(&locked, &current_hash))?;
            print_line(
                output,
                &session.secrets,
                &format!("Updating lock file in file path: {}", lock_path.display()),
            );
        }
    }
    if arguments.lock {
        return Ok(());
    }
    // The lock, as dbt installs from it even right after writing it.
    let mut lock_mapping = if lock_path.is_file() {
        spec::read_yaml_mapping(&lock_path, "package-lock.yml", &mut session.yaml)?
    } else {
        Map::new()
    };
    lock_mapping.remove("sha1_hash");
    let mut lock_secrets = Vec::new();
    let locked_entries = spec::parse_package_list(
        &lock_mapping,
        "package-lock.yml",
        session.cli_vars,
        &mut lock_secrets,
    )?;
    session.secrets.extend(lock_secrets);
    let pinned = session.pin_locked(&locked_entries)?;
    // Every package at hand before the install folder is touched.
    let mut ready = Vec::new();
    for package in &pinned {
        if let Pinned::Hub { package } = package {
            return Err(hub_unavailable(package));
        }
        let fetched = session.fetch(package)?;
        ready.push((package, fetched));
    }
    if install_path.symlink_metadata().is_ok() {
        std::fs::remove_dir_all(install_path)
            .map_err(|error| install_failed(install_path, &error))?;
    }
    std::fs::create_dir_all(install_path).map_err(|error| install_failed(install_path, &error))?;
    if ready.is_empty() {
        if !said_no_packages {
            print_line(output, &session.secrets, &no_packages);
        }
        return Ok(());
    }
    for (package, fetched) in ready {
        print_line(
            output,
            &session.secrets,
            &format!("Installing {}", package.display_name()),
        );
        let destination = install_path.join(&fetched.project_name);
        match package {
            Pinned::Local { lock_path, folder } => {
                place_local(folder, &destination)?;
                print_line(
                    output,
                    &session.secrets,
                    &format!("Installed from <local @ {lock_path}>"),
                );
            }
            Pinned::Git { subdirectory, .. } => {
                place_checkout(&fetched.folder, &destination)?;
                let commit = fetched.commit.unwrap_or_default();
                print_line(
                    output,
                    &session.secrets,
                    &format!("Installed from revision {commit}"),
                );
                if let Some(subdirectory) = subdirectory {
                    print_line(
                        output,
                        &session.secrets,
                        &format!("and subdirectory {subdirectory}"),
                    );
                }
            }
            Pinned::Hub { .. } => {}
        }
    }
    Ok(())
}

/// A symlink to the local package, or a copy where symlinks fail (as dbt).
fn place_local(folder: &Path, destination: &Path) -> Result<(), Diagnostic> {
    #[cfg(unix)]
    let linked = std::os::unix::fs::symlink(folder, destination);
    #[cfg(windows)]
    let linked = std::os::windows::fs::symlink_dir(folder, destination);
    if linked.is_ok() {
        return Ok(());
    }
    copy_tree(folder, destination).map_err(|error| install_failed(destination, &error))
}

/// Moves a checkout into place; copies when the scratch folder is on
/// another file system.
fn place_checkout(folder: &Path, destination: &Path) -> Result<(), Diagnostic> {
    if std::fs::rename(folder, destination).is_ok() {
        return Ok(());
    }
    copy_tree(folder, destination).map_err(|error| install_failed(destination, &error))
}

fn copy_tree(source: &Path, destination: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(destination)?;
    for entry in std::fs::read_dir(source)? {
        let entry = entry?;
        let target = destination.join(entry.file_name());
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if file_type.is_symlink() {
            let link = std::fs::read_link(entry.path())?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(link, &target)?;
            #[cfg(not(unix))]
            std::fs::copy(entry.path().join(link), &target).map(|_| ())?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn install_failed(path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::new(
        Code::PackageInstallFailed,
        format!("cannot write {}: {error}", path.display()),
    )
}

fn write_file(path: &PathBuf, text: &str) -> Result<(), Diagnostic> {
    std::fs::write(path, text).map_err(|error| install_failed(path, &error))
}

/// The `--vars` argument as a mapping; its text is a source of its own,
/// `--vars`, so that a warning about it (a duplicate key) can point into it.
fn parse_cli_vars(
    vars: Option<&str>,
    files: &mut SourceFiles,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Map<String, Value>, Diagnostic> {
    let Some(text) = vars else {
        return Ok(Map::new());
    };
    let vars_file = files.add("--vars", text);
    match fusion_frontend::yaml::parse_yaml(text, vars_file, warnings) {
        Ok(Value::Object(vars)) => Ok(vars),
        Ok(Value::Null) => Ok(Map::new()),
        _ => Err(
            Diagnostic::new(Code::InvalidVarsArgument, "--vars must be a YAML mapping")
                .with_help("pass --vars '{key: value}'"),
        ),
    }
}

/// Replaces every secret value by `*****`, as dbt scrubs secrets.
fn mask(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|secret| !secret.is_empty())
        .fold(text.to_string(), |masked, secret| {
            masked.replace(secret.as_str(), "*****")
        })
}

fn print_line(output: &mut Output<'_>, secrets: &[String], line: &str) {
    let _ = writeln!(output.stdout, "{}", mask(line, secrets));
}

fn report_warnings(
    warnings: &[Diagnostic],
    files: &SourceFiles,
    secrets: &[String],
    format: LogFormat,
    output: &mut Output<'_>,
) {
    for warning in warnings {
        report(warning, files, secrets, format, output);
    }
}

/// Reports one diagnostic; its labels point into `files`.
fn report(
    diagnostic: &Diagnostic,
    files: &SourceFiles,
    secrets: &[String],
    format: LogFormat,
    output: &mut Output<'_>,
) {
    let context = DiagnosticContext::new(files);
    match format {
        LogFormat::Text => {
            let _ = write!(
                output.stderr,
                "{}",
                mask(&context.render_plain(diagnostic), secrets)
            );
        }
        LogFormat::Json => {
            let _ = writeln!(
                output.stdout,
                "{}",
                mask(&context.render_json(diagnostic).to_string(), secrets)
            );
        }
    }
}

fn report_failure(
    diagnostic: &Diagnostic,
    secrets: &[String],
    format: LogFormat,
    output: &mut Output<'_>,
) -> i32 {
    // Failures carry no labels: their files are not kept.
    report(diagnostic, &SourceFiles::default(), secrets, format, output);
    exit_code::USAGE_ERROR
}
