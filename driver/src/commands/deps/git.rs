//! Git packages through the `git` program, with the commands dbt's
//! `clients/git.py` runs: a shallow clone (sparse for a subdirectory), a fetch
//! of the revision, `reset --hard` to it (a tag is preferred to a branch of
//! the same name), and `rev-parse HEAD` for the commit the lock records.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A repository checked out at one commit.
#[derive(Clone, Debug)]
pub(crate) struct GitCheckout {
    /// The package folder: the checkout, or its subdirectory.
    pub(crate) package_folder: PathBuf,
    /// The commit checked out (40 hex digits).
    pub(crate) commit: String,
}

/// Why git failed: its own message, and whether the host could not be reached.
#[derive(Clone, Debug)]
pub(crate) struct GitFailure {
    pub(crate) message: String,
    pub(crate) host_unreachable: bool,
}

/// dbt's `_is_commit`: a full SHA-1.
pub(crate) fn is_commit(revision: &str) -> bool {
    revision.len() == 40
        && revision
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// Clones `url` into `downloads/folder_name` and checks out `revision` (the
/// default branch when None).
pub(crate) fn clone_and_checkout(
    url: &str,
    revision: Option<&str>,
    subdirectory: Option<&str>,
    downloads: &Path,
    folder_name: &str,
) -> Result<GitCheckout, GitFailure> {
    let checkout = downloads.join(folder_name);
    let revision_is_commit = revision.is_some_and(is_commit);
    let mut clone: Vec<&str> = vec!["clone", "--depth", "1"];
    if subdirectory.is_some() {
        clone.extend(["--filter=blob:none", "--sparse"]);
    }
    if let Some(revision) = revision.filter(|_| !revision_is_commit) {
        clone.extend(["--branch", revision]);
    }
    clone.push(url);
    clone.push(folder_name);
    run_git(downloads, &clone)?;
    if let Some(subdirectory) = subdirectory {
        run_git(&checkout, &["sparse-checkout", "set", subdirectory])?;
    }
    let revision = revision.unwrap_or("HEAD");
    if revision_is_commit {
        run_git(&checkout, &["fetch", "origin", "--depth", "1", revision])?;
    } else {
        run_git(&checkout, &["remote", "set-branches", "origin", revision])?;
        run_git(
            &checkout,
            &["fetch", "origin", "--depth", "1", "--tags", revision],
        )?;
    }
    let spec = if revision_is_commit {
        revision.to_string()
    } else {
        let tags = run_git(&checkout, &["tag", "--list"])?;
        if tags.lines().any(|tag| tag == revision) {
            format!("tags/{revision}")
        } else {
            format!("origin/{revision}")
        }
    };
    run_git(&checkout, &["reset", "--hard", &spec])?;
    let commit = run_git(&checkout, &["rev-parse", "HEAD"])?
        .trim()
        .to_string();
    let package_folder = match subdirectory {
        Some(subdirectory) => checkout.join(subdirectory),
        None => checkout,
    };
    Ok(GitCheckout {
        package_folder,
        commit,
    })
}

/// Runs git in `folder`; its stdout, or its stderr as the failure. Git never
/// prompts for credentials: a private repository without a token fails.
fn run_git(folder: &Path, arguments: &[&str]) -> Result<String, GitFailure> {
    let output = Command::new("git")
        .args(arguments)
        .current_dir(folder)
        .env("LC_ALL", "C")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|error| GitFailure {
            message: format!(
                "cannot run git ({error}); fusionc needs the git program on PATH for git packages"
            ),
            host_unreachable: false,
        })?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Git's own lines, without the hints and the usage text.
    let message: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with("hint:"))
        .take_while(|line| !line.starts_with("usage: git"))
        .filter(|line| {
            !line.starts_with("Cloning into") && !line.starts_with("warning: --depth is ignored")
        })
        .collect();
    let message = message.join("\n");
    let host_unreachable = [
        "Could not resolve host",
        "Failed to connect",
        "Network is unreachable",
        "Connection timed out",
        "Connection refused",
        "Could not resolve hostname",
    ]
    .iter()
    .any(|symptom| message.contains(symptom));
    Err(GitFailure {
        message,
        host_unreachable,
    })
}
