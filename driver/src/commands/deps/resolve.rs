//! Resolving the declared packages to the exact packages to install, as
//! dbt's `deps/resolver.py`: requests for the same package (a git URL with or
//! without `.git`, a local path, a hub name) are merged; a git package must
//! end with one revision and hub ranges must intersect; each package's own
//! packages are resolved in turn, breadth first.

use crate::commands::deps::git::{clone_and_checkout, GitCheckout};
use crate::commands::deps::hub::{hub_base_url, probe_hub};
use crate::commands::deps::lock::{LockedPackage, LockedSource};
use crate::commands::deps::semver::VersionSpecifier;
use crate::commands::deps::spec::{
    read_declared_packages, read_yaml_mapping, PackageEntry, PackageSource, YamlReadings,
};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use indexmap::IndexMap;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};
use std::path::{Component, Path, PathBuf};

/// What one run of `deps` shares while resolving and installing.
pub(crate) struct DepsSession<'a> {
    /// The root project folder, absolute.
    pub(crate) root: PathBuf,
    pub(crate) root_name: String,
    pub(crate) cli_vars: &'a Map<String, Value>,
    /// A scratch folder for git checkouts, removed when the run ends.
    pub(crate) downloads: PathBuf,
    /// Values read by env_var() in git URLs: masked in every message.
    pub(crate) secrets: Vec<String>,
    pub(crate) warnings: Vec<Diagnostic>,
    /// The YAML files read (the root's before the session began), with
    /// their warnings.
    pub(crate) yaml: YamlReadings,
    /// Checkouts by (URL, subdirectory, revision), so a package resolved in
    /// this run is not cloned again to install it.
    checkouts: FxHashMap<(String, Option<String>, String), GitCheckout>,
}

/// A package requested by one or more entries, before choosing its version.
#[derive(Clone, Debug)]
enum Requested {
    Local {
        /// The path the lock records: relative to the root project.
        lock_path: String,
        folder: PathBuf,
    },
    Git {
        url: String,
        url_as_written: String,
        revisions: Vec<String>,
        warn_unpinned: bool,
        subdirectory: Option<String>,
    },
    Hub {
        package: String,
        versions: Vec<VersionSpecifier>,
    },
}

impl Requested {
    /// dbt's `all_names`: a git URL matches itself with or without `.git`.
    fn all_names(&self) -> Vec<String> {
        match self {
            Requested::Local { lock_path, .. } => vec![lock_path.clone()],
            Requested::Hub { package, .. } => vec![package.clone()],
            Requested::Git {
                url, subdirectory, ..
            } => {
                let other = match url.strip_suffix(".git") {
                    Some(bare) => bare.to_string(),
                    None => format!("{url}.git"),
                };
                match subdirectory {
                    Some(subdirectory) => vec![
                        format!("{url}/{subdirectory}"),
                        format!("{other}/{subdirectory}"),
                    ],
                    None => vec![url.clone(), other],
                }
            }
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Requested::Local { .. } => "local",
            Requested::Git { .. } => "git",
            Requested::Hub { .. } => "hub",
        }
    }
}

/// A package with its version chosen.
#[derive(Clone, Debug)]
pub(crate) enum Pinned {
    Local {
        lock_path: String,
        folder: PathBuf,
    },
    Git {
        url: String,
        url_as_written: String,
        revision: String,
        warn_unpinned: bool,
        subdirectory: Option<String>,
    },
    Hub {
        package: String,
    },
}

impl Pinned {
    /// dbt's `name` of a package, as `Installing ...` prints it.
    pub(crate) fn display_name(&self) -> String {
        match self {
            Pinned::Local { lock_path, .. } => lock_path.clone(),
            Pinned::Git {
                url,
                subdirectory: Some(subdirectory),
                ..
            } => format!("{url}/{subdirectory}"),
            Pinned::Git { url, .. } => url.clone(),
            Pinned::Hub { package } => package.clone(),
        }
    }
}

/// Requests keyed by their first name, in order of first request.
#[derive(Default)]
struct Listing {
    requests: IndexMap<String, Requested>,
}

impl Listing {
    fn key_of(&self, requested: &Requested) -> String {
        let names = requested.all_names();
        names
            .iter()
            .find(|name| self.requests.contains_key(*name))
            .unwrap_or(&names[0])
            .clone()
    }

    /// Adds a request, merging it with an earlier one for the same package.
    fn incorporate(&mut self, requested: Requested) -> Result<String, Diagnostic> {
        let key = self.key_of(&requested);
        match self.requests.get_mut(&key) {
            None => {
                self.requests.insert(key.clone(), requested);
            }
            Some(existing) => match (existing, requested) {
                (
                    Requested::Git {
                        revisions,
                        warn_unpinned,
                        ..
                    },
                    Requested::Git {
                        revisions: more,
                        warn_unpinned: also_warn,
                        ..
                    },
                ) => {
                    revisions.extend(more);
                    *warn_unpinned = *warn_unpinned && also_warn;
                }
                (Requested::Hub { versions, .. }, Requested::Hub { versions: more, .. }) => {
                    versions.extend(more);
                }
                (Requested::Local { .. }, Requested::Local { .. }) => {}
                (existing, requested) => {
                    return Err(Diagnostic::new(
                        Code::PackageVersionConflict,
                        format!(
                            "cannot incorporate {key} ({}) in {key} ({}): mismatched package types",
                            requested.kind(),
                            existing.kind()
                        ),
                    ));
                }
            },
        }
        Ok(key)
    }
}

/// dbt's `resolved()` of a merged request.
fn pin(requested: &Requested, key: &str) -> Result<Pinned, Diagnostic> {
    match requested {
        Requested::Local { lock_path, folder } => Ok(Pinned::Local {
            lock_path: lock_path.clone(),
            folder: folder.clone(),
        }),
        Requested::Git {
            url,
            url_as_written,
            revisions,
            warn_unpinned,
            subdirectory,
        } => {
            let mut distinct: Vec<&String> = Vec::new();
            for revision in revisions {
                if !distinct.contains(&revision) {
                    distinct.push(revision);
                }
            }
            if distinct.len() > 1 {
                let listed: Vec<String> = distinct
                    .iter()
                    .map(|revision| format!("'{revision}'"))
                    .collect();
                return Err(Diagnostic::new(
                    Code::PackageVersionConflict,
                    format!(
                        "git dependencies should contain exactly one version. {key} contains: {{{}}}",
                        listed.join(", ")
                    ),
                )
                .with_help("request the same revision everywhere the package is listed"));
            }
            Ok(Pinned::Git {
                url: url.clone(),
                url_as_written: url_as_written.clone(),
                revision: distinct
                    .first()
                    .map_or_else(|| "HEAD".to_string(), |revision| (*revision).clone()),
                warn_unpinned: *warn_unpinned,
                subdirectory: subdirectory.clone(),
            })
        }
        Requested::Hub { package, versions } => {
            crate::commands::deps::semver::reduce_versions(versions).map_err(|_| {
                let options: Vec<String> = versions.iter().map(|version| version.to_version_string(true)).collect();
                Diagnostic::new(
                    Code::PackageVersionConflict,
                    format!("Version error for package {package}: Could not find a satisfactory version from options: {options:?}"),
                )
            })?;
            Ok(Pinned::Hub {
                package: package.clone(),
            })
        }
    }
}

/// What is known of a package once its files are at hand.
#[derive(Clone, Debug)]
pub(crate) struct Fetched {
    pub(crate) project_name: String,
    /// The package's folder: the local folder, or the git checkout.
    pub(crate) folder: PathBuf,
    /// The commit of a git package.
    pub(crate) commit: Option<String>,
}

impl<'a> DepsSession<'a> {
    pub(crate) fn new(
        root: PathBuf,
        root_name: String,
        cli_vars: &'a Map<String, Value>,
        downloads: PathBuf,
        yaml: YamlReadings,
    ) -> DepsSession<'a> {
        DepsSession {
            root,
            root_name,
            cli_vars,
            downloads,
            secrets: Vec::new(),
            warnings: Vec::new(),
            yaml,
            checkouts: FxHashMap::default(),
        }
    }

    /// Resolves the root project's entries and their packages, transitively;
    /// returns the packages for the lock, in order of first request.
    pub(crate) fn resolve(
        &mut self,
        root_entries: &[PackageEntry],
    ) -> Result<Vec<LockedPackage>, Diagnostic> {
        let root = self.root.clone();
        let mut pending: Vec<Requested> = Vec::new();
        for entry in root_entries {
            pending.push(self.request(entry, &root, true)?);
        }
        let mut final_listing = Listing::default();
        let mut fetched: FxHashMap<String, Fetched> = FxHashMap::default();
        while !pending.is_empty() {
            let mut next_pending = Vec::new();
            for requested in pending {
                let key = final_listing.incorporate(requested)?;
                let pinned = pin(&final_listing.requests[&key], &key)?;
                let fetch_key = fetch_key(&key, &pinned);
                if fetched.contains_key(&fetch_key) {
                    continue;
                }
                let package = self.fetch(&pinned)?;
                // Locals declared by a local package are relative to it;
                // every other path is relative to the root project, as in dbt.
                let declared_in = match &pinned {
                    Pinned::Local { folder, .. } => folder.clone(),
                    _ => root.clone(),
                };
                let declared =
                    read_declared_packages(&package.folder, self.cli_vars, &mut self.yaml)?;
                self.secrets.extend(declared.secrets);
                for entry in &declared.entries {
                    next_pending.push(self.request(entry, &declared_in, declared_in == root)?);
                }
                fetched.insert(fetch_key, package);
            }
            pending = next_pending;
        }
        let mut locked = Vec::new();
        let mut seen_names: Vec<String> = Vec::new();
        for (key, requested) in &final_listing.requests {
            let pinned = pin(requested, key)?;
            let package = &fetched[&fetch_key(key, &pinned)];
            let name = package.project_name.clone();
            if name == self.root_name {
                return Err(Diagnostic::new(
                    Code::DuplicatePackageName,
                    format!("Found a dependency with the same name as the root project \"{name}\". Package names must be unique in a project. Please rename one of these packages."),
                ));
            }
            if seen_names.contains(&name) {
                return Err(Diagnostic::new(
                    Code::DuplicatePackageName,
                    format!("Found duplicate project \"{name}\". This occurs when a dependency has the same project name as some other dependency."),
                ));
            }
            seen_names.push(name.clone());
            let source = match pinned {
                Pinned::Local { lock_path, .. } => LockedSource::Local { path: lock_path },
                Pinned::Git {
                    url_as_written,
                    subdirectory,
                    ..
                } => LockedSource::Git {
                    url_as_written,
                    revision: package.commit.clone().unwrap_or_default(),
                    subdirectory,
                },
                Pinned::Hub { package } => LockedSource::Hub {
                    package,
                    version: String::new(),
                },
            };
            locked.push(LockedPackage { source, name });
        }
        Ok(locked)
    }

    /// The request an entry makes; `declared_in` anchors a local path.
    fn request(
        &self,
        entry: &PackageEntry,
        declared_in: &Path,
        declared_by_root: bool,
    ) -> Result<Requested, Diagnostic> {
        Ok(match &entry.source {
            PackageSource::Local { path } => {
                let folder = normalize(&declared_in.join(path));
                let lock_path = if declared_by_root {
                    path.clone()
                } else {
                    relative_path(&self.root, &folder)
                };
                Requested::Local { lock_path, folder }
            }
            PackageSource::Git {
                url,
                url_as_written,
                revision,
                warn_unpinned,
                subdirectory,
            } => Requested::Git {
                url: url.clone(),
                url_as_written: url_as_written.clone(),
                revisions: revision.iter().cloned().collect(),
                warn_unpinned: *warn_unpinned,
                subdirectory: subdirectory.clone(),
            },
            PackageSource::Hub {
                package, versions, ..
            } => {
                let mut specifiers = Vec::new();
                for version in versions {
                    specifiers.push(VersionSpecifier::parse(version).map_err(|message| {
                        Diagnostic::new(
                            Code::PackagesFileMalformed,
                            format!("package {package}: {message}"),
                        )
                    })?);
                }
                Requested::Hub {
                    package: package.clone(),
                    versions: specifiers,
                }
            }
        })
    }

    /// Brings a pinned package's files at hand and reads its project name.
    pub(crate) fn fetch(&mut self, pinned: &Pinned) -> Result<Fetched, Diagnostic> {
        match pinned {
            Pinned::Local { lock_path, folder } => {
                if !folder.is_dir() {
                    return Err(Diagnostic::new(
                        Code::LocalPackageNotFound,
                        format!(
                            "local package `{lock_path}` not found: {} is not a folder",
                            folder.display()
                        ),
                    )
                    .with_help("local paths are relative to the project that lists the package"));
                }
                let project_name = read_project_name(folder, &mut self.yaml)?;
                Ok(Fetched {
                    project_name,
                    folder: folder.clone(),
                    commit: None,
                })
            }
            Pinned::Git {
                url,
                revision,
                warn_unpinned,
                subdirectory,
                ..
            } => {
                let checkout = self.checkout(url, revision, subdirectory.as_deref())?;
                if *warn_unpinned && matches!(revision.as_str(), "HEAD" | "main" | "master") {
                    let how = if revision == "HEAD" {
                        "is not pinned, using HEAD (default branch)".to_string()
                    } else {
                        format!("is pinned to the \"{revision}\" branch")
                    };
                    self.warnings.push(
                        Diagnostic::new(Code::UnpinnedGitPackage, format!("the git package \"{url}\" {how}: this can introduce breaking changes into your project without warning"))
                            .with_help("pin a tag or a commit with `revision:`, or set `warn-unpinned: false`; see https://docs.getdbt.com/docs/package-management#section-specifying-package-versions"),
                    );
                }
                let project_name = read_project_name(&checkout.package_folder, &mut self.yaml)?;
                Ok(Fetched {
                    project_name,
                    folder: checkout.package_folder,
                    commit: Some(checkout.commit),
                })
            }
            Pinned::Hub { package } => Err(hub_unavailable(package)),
        }
    }

    /// A checkout of the repository at `revision`, cloned at most once per run.
    pub(crate) fn checkout(
        &mut self,
        url: &str,
        revision: &str,
        subdirectory: Option<&str>,
    ) -> Result<GitCheckout, Diagnostic> {
        let key = (
            url.to_string(),
            subdirectory.map(str::to_string),
            revision.to_string(),
        );
        if let Some(checkout) = self.checkouts.get(&key) {
            return Ok(checkout.clone());
        }
        let folder_name = format!("checkout-{}", self.checkouts.len());
        let requested_revision = (revision != "HEAD").then_some(revision);
        let checkout = clone_and_checkout(
            url,
            requested_revision,
            subdirectory,
            &self.downloads,
            &folder_name,
        )
        .map_err(|failure| {
            if failure.host_unreachable {
                Diagnostic::new(
                    Code::PackageSourceUnreachable,
                    format!(
                        "cannot reach the git host of package {url}: {}",
                        failure.message.lines().last().unwrap_or_default()
                    ),
                )
            } else {
                Diagnostic::new(
                    Code::GitPackageFailed,
                    format!(
                        "Error checking out spec='{revision}' for repo {url}\n{}",
                        failure.message
                    ),
                )
            }
        })?;
        // The commit also answers for itself: installing from the lock
        // asks for the commit.
        let by_commit = (
            url.to_string(),
            subdirectory.map(str::to_string),
            checkout.commit.clone(),
        );
        self.checkouts.insert(by_commit, checkout.clone());
        self.checkouts.insert(key, checkout.clone());
        Ok(checkout)
    }

    /// The pinned packages of a lock file's entries, merged as dbt's
    /// `resolve_lock_packages` merges them.
    pub(crate) fn pin_locked(&self, entries: &[PackageEntry]) -> Result<Vec<Pinned>, Diagnostic> {
        let mut listing = Listing::default();
        for entry in entries {
            listing.incorporate(self.request(entry, &self.root, true)?)?;
        }
        listing
            .requests
            .iter()
            .map(|(key, requested)| pin(requested, key))
            .collect()
    }
}

fn fetch_key(key: &str, pinned: &Pinned) -> String {
    match pinned {
        Pinned::Git { revision, .. } => format!("{key}@{revision}"),
        _ => key.to_string(),
    }
}

/// The one-line error for a hub package: fusionc cannot download from the hub.
pub(crate) fn hub_unavailable(package: &str) -> Diagnostic {
    let base_url = hub_base_url();
    match probe_hub(&base_url) {
        Err(reason) => Diagnostic::new(
            Code::PackageSourceUnreachable,
            format!("cannot reach the package hub ({base_url}) to install {package}: {reason}"),
        ),
        Ok(()) => Diagnostic::new(
            Code::PackageSourceUnreachable,
            format!("cannot install hub package {package}: fusionc has no HTTPS client to download from {base_url}; list it as a `git:` package with a `revision:` instead"),
        ),
    }
}

/// The `name` of the dbt_project.yml in `folder`.
pub(crate) fn read_project_name(
    folder: &Path,
    readings: &mut YamlReadings,
) -> Result<String, Diagnostic> {
    let project_file = folder.join("dbt_project.yml");
    let missing = || {
        Diagnostic::new(
            Code::PackageWithoutProject,
            format!("No dbt_project.yml found at expected path {}", project_file.display()),
        )
        .with_help("Verify that each entry within packages.yml (and their transitive dependencies) contains a file named dbt_project.yml")
    };
    if !project_file.is_file() {
        return Err(missing());
    }
    let mapping = read_yaml_mapping(&project_file, "dbt_project.yml", readings)?;
    match mapping.get("name") {
        Some(Value::String(name)) => Ok(name.clone()),
        _ => Err(Diagnostic::new(
            Code::PackageWithoutProject,
            format!("{} has no `name`", project_file.display()),
        )),
    }
}

/// `path` without `.` and with `..` applied, lexically (symlinks are kept:
/// dbt links to the folder as written).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normalized.pop() {
                    normalized.push("..");
                }
            }
            other => normalized.push(other),
        }
    }
    normalized
}

/// `target` relative to `base`, both absolute and normalized.
fn relative_path(base: &Path, target: &Path) -> String {
    let base_parts: Vec<Component> = base.components().collect();
    let target_parts: Vec<Component> = target.components().collect();
    let shared = base_parts
        .iter()
        .zip(&target_parts)
        .take_while(|(left, right)| left == right)
        .count();
    let mut relative = PathBuf::new();
    for _ in shared..base_parts.len() {
        relative.push("..");
    }
    for part in &target_parts[shared..] {
        relative.push(part);
    }
    if relative.as_os_str().is_empty() {
        ".".to_string()
    } else {
        relative.display().to_string()
    }
}
