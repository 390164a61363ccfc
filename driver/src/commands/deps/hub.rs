//! Hub packages (`package: org/name`): choosing the version from the hub's
//! JSON (`https://hub.getdbt.com/api/v1/<org>/<name>.json`: `versions` maps
//! each version to its metadata, with `require_dbt_version`) as dbt's
//! `RegistryUnpinnedPackage.resolved` does, and the reachability of the hub.
//!
//! fusionc has no HTTP client: downloading would need an HTTPS stack (rustls
//! or native-tls) in the driver for one command. So `deps` checks whether the
//! hub answers at all, and reports a hub package as an error either way,
//! naming what is missing.

use crate::commands::deps::semver::{
    describe_range, filter_installable, reduce_versions, resolve_to_specific_version,
    VersionSpecifier,
};
use serde_json::{Map, Value};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The dbt-core release whose `require-dbt-version` checks fusionc answers to.
pub(crate) const DBT_VERSION: &str = "1.11.0";

/// The version chosen for a hub package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HubPin {
    pub(crate) version: String,
    /// The newest installable version, for dbt's "updates available" note.
    pub(crate) latest: String,
}

/// Chooses the version of `package` for the requested specifiers, from the
/// `versions` object of the hub's JSON for that package.
pub(crate) fn resolve_hub_version(
    package: &str,
    requested: &[VersionSpecifier],
    install_prerelease: bool,
    versions: &Map<String, Value>,
) -> Result<HubPin, String> {
    let range = reduce_versions(requested).map_err(|_| {
        let options: Vec<String> = requested
            .iter()
            .map(|version| version.to_version_string(true))
            .collect();
        format!(
            "Version error for package {package}: Could not find a satisfactory version from options: {options:?}"
        )
    })?;
    let compatible: Vec<String> = versions
        .iter()
        .filter(|(_, metadata)| supports_dbt_version(metadata))
        .map(|(version, _)| version.clone())
        .collect();
    let prerelease_requested = requested.iter().any(|version| version.prerelease.is_some());
    let installable = filter_installable(&compatible, install_prerelease || prerelease_requested);
    let target = resolve_to_specific_version(&range, &installable).ok_or_else(|| {
        format!(
            "Could not find a matching compatible version for package {package}\n  Requested range: {}\n  Compatible versions: {installable:?}",
            describe_range(&range)
        )
    })?;
    let latest = installable
        .last()
        .cloned()
        .unwrap_or_else(|| target.clone());
    Ok(HubPin {
        version: target,
        latest,
    })
}

/// dbt's `is_compatible_version`: no `require_dbt_version` means any.
fn supports_dbt_version(metadata: &Value) -> bool {
    let requirements: Vec<&str> = match metadata.get("require_dbt_version") {
        None | Some(Value::Null) => return true,
        Some(Value::String(text)) => vec![text.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(_) => return true,
    };
    if requirements.is_empty() {
        return true;
    }
    let mut specifiers = Vec::new();
    for requirement in requirements {
        match VersionSpecifier::parse(requirement) {
            Ok(specifier) => specifiers.push(specifier),
            Err(_) => return false,
        }
    }
    let Ok(installed) = VersionSpecifier::parse(DBT_VERSION) else {
        return true;
    };
    specifiers.insert(0, installed);
    reduce_versions(&specifiers).is_ok()
}

/// The hub's base URL: `DBT_PACKAGE_HUB_URL` as dbt reads it, else the public hub.
pub(crate) fn hub_base_url() -> String {
    std::env::var("DBT_PACKAGE_HUB_URL").unwrap_or_else(|_| "https://hub.getdbt.com/".to_string())
}

/// Whether a TCP connection to the hub's host opens within a few seconds.
/// `Err` holds why not.
pub(crate) fn probe_hub(base_url: &str) -> Result<(), String> {
    let (default_port, rest) = if let Some(rest) = base_url.strip_prefix("https://") {
        (443, rest)
    } else if let Some(rest) = base_url.strip_prefix("http://") {
        (80, rest)
    } else {
        (443, base_url)
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    let address = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:{default_port}")
    };
    let addresses = address
        .to_socket_addrs()
        .map_err(|error| format!("cannot resolve {authority}: {error}"))?;
    let mut last_error = format!("{authority} has no address");
    for socket_address in addresses {
        match TcpStream::connect_timeout(&socket_address, Duration::from_secs(3)) {
            Ok(_) => return Ok(()),
            Err(error) => last_error = format!("cannot connect to {authority}: {error}"),
        }
    }
    Err(last_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requested(texts: &[&str]) -> Vec<VersionSpecifier> {
        texts
            .iter()
            .map(|text| VersionSpecifier::parse(text).expect("valid"))
            .collect()
    }

    fn hub_versions() -> Map<String, Value> {
        let json = serde_json::json!({
            "1.0.0": {"name": "dbt_utils", "packages": [], "downloads": {"tarball": "x"}},
            "1.1.0": {"name": "dbt_utils", "packages": [], "downloads": {"tarball": "x"},
                      "require_dbt_version": [">=1.3.0", "<2.0.0"]},
            "1.2.0-b1": {"name": "dbt_utils", "packages": [], "downloads": {"tarball": "x"}},
            "2.0.0": {"name": "dbt_utils", "packages": [], "downloads": {"tarball": "x"},
                      "require_dbt_version": ">=2.0.0"}
        });
        json.as_object().cloned().expect("an object")
    }

    #[test]
    fn picks_the_highest_compatible_release_in_range() {
        let pin = resolve_hub_version(
            "dbt-labs/dbt_utils",
            &requested(&[">=1.0.0", "<3.0.0"]),
            false,
            &hub_versions(),
        )
        .expect("resolves");
        assert_eq!(
            pin,
            HubPin {
                version: "1.1.0".into(),
                latest: "1.1.0".into()
            }
        );
        let prerelease = resolve_hub_version(
            "dbt-labs/dbt_utils",
            &requested(&[">=1.0.0"]),
            true,
            &hub_versions(),
        )
        .expect("resolves");
        assert_eq!(prerelease.version, "1.2.0-b1");
    }

    #[test]
    fn reports_conflicts_and_missing_versions() {
        let conflict = resolve_hub_version(
            "a/b",
            &requested(&[">=1.1.0", "<1.0.0"]),
            false,
            &hub_versions(),
        );
        assert!(conflict
            .expect_err("conflict")
            .contains("Could not find a satisfactory version"));
        let missing = resolve_hub_version("a/b", &requested(&["2.0.0"]), false, &hub_versions());
        assert!(missing
            .expect_err("missing")
            .contains("Requested range: =2.0.0, =2.0.0"));
    }
}
