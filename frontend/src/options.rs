//! What the driver asks the frontend to load: the project folder, the profile
//! and target, `--vars`, and how to name relations for the profile's adapter.

use crate::adapter_naming;
use std::path::PathBuf;

/// What the driver asks the frontend to load.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub project_dir: PathBuf,
    /// Where to look for `profiles.yml` first (`--profiles-dir`).
    pub profiles_dir: Option<PathBuf>,
    /// The profile target to use instead of the profile's `target:` (`--target`).
    pub target: Option<String>,
    /// The `--vars` argument: YAML text holding a mapping.
    pub vars: Option<String>,
    /// Finds what differs by adapter (default database and schema, seed
    /// types, external sources) for the profile's adapter type.
    pub adapter_naming: adapter_naming::AdapterNamingLookup,
}

impl LoadOptions {
    /// Options to load the project in `project_dir` with its default
    /// profile and target, and no `--vars`.
    pub fn new(
        project_dir: PathBuf,
        adapter_naming: adapter_naming::AdapterNamingLookup,
    ) -> LoadOptions {
        LoadOptions {
            project_dir,
            profiles_dir: None,
            target: None,
            vars: None,
            adapter_naming,
        }
    }
}
