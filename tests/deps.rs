//! `fusionc deps` end to end: each folder of `tests/deps/cases/` is a
//! workspace (the root project in `proj/`, local packages beside it) with a
//! `steps.txt` of commands; the git repositories of `tests/deps/repos/` are
//! created on disk with `git init` first. One snapshot per case holds each
//! step's output, the installed tree and the lock file.
//!
//! A repository folder holds one folder per commit, in name order:
//! `NN-<branch>` commits that tree on `<branch>`, `NN-<branch>@<tag>` also
//! tags it. Commits have fixed authors and dates, so their hashes are stable
//! and a fixture may pin one. Packages name repositories as
//! `{{ env_var('FUSIONC_TEST_REPOS') }}/<repo>`, which also exercises the
//! Jinja rendering and the masking of env_var() values in output.
//!
//! Steps: `deps <arguments>` runs `fusionc deps --project-dir proj`;
//! `advance <repo> <branch>` adds a commit to a branch; `copy <from> <to>`
//! copies a file of the workspace; lines starting with `#` are comments.

use fusionc_tests::{copy_tree, git, regex_escape, repository_root, run_cli, sub_folders};
use std::fmt::Write as _;
use std::path::Path;

/// Creates every repository of `tests/deps/repos/` under `destination`.
fn create_repositories(destination: &Path) {
    for repository in sub_folders(&repository_root().join("tests/deps/repos")) {
        let name = repository.file_name().expect("a name");
        let folder = destination.join(name);
        std::fs::create_dir_all(&folder).expect("repository folder");
        git(&folder, &["init", "-q", "-b", "main"]);
        let mut first_commit = true;
        for commit in sub_folders(&repository) {
            let label = commit
                .file_name()
                .and_then(|name| name.to_str())
                .expect("utf-8");
            let (_, branch_and_tag) = label.split_once('-').expect("NN-<branch>[@<tag>]");
            let (branch, tag) = match branch_and_tag.split_once('@') {
                Some((branch, tag)) => (branch, Some(tag)),
                None => (branch_and_tag, None),
            };
            if !first_commit {
                let exists = git(&folder, &["branch", "--list", branch]);
                if exists.trim().is_empty() {
                    git(&folder, &["checkout", "-q", "-b", branch]);
                } else {
                    git(&folder, &["checkout", "-q", branch]);
                }
            }
            first_commit = false;
            git(&folder, &["rm", "-rq", "--ignore-unmatch", "."]);
            copy_tree(&commit, &folder).expect("commit tree copies");
            git(&folder, &["add", "-A"]);
            git(&folder, &["commit", "-qm", label]);
            if let Some(tag) = tag {
                git(&folder, &["tag", tag]);
            }
        }
        git(&folder, &["checkout", "-q", "main"]);
    }
}

/// Folder names under the install path, with symlinks' targets, and files
/// (without `.git`), as `tree` would list them.
fn describe_tree(folder: &Path, depth: usize, out: &mut String) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        let _ = writeln!(out, "{}(missing)", "  ".repeat(depth));
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let indent = "  ".repeat(depth);
        let path = entry.path();
        let metadata = std::fs::symlink_metadata(&path).expect("metadata");
        if metadata.file_type().is_symlink() {
            let target = std::fs::read_link(&path).expect("a link");
            let _ = writeln!(out, "{indent}{name} -> {}", target.display());
        } else if metadata.is_dir() {
            let _ = writeln!(out, "{indent}{name}/");
            describe_tree(&path, depth + 1, out);
        } else {
            let _ = writeln!(out, "{indent}{name}");
        }
    }
}

#[test]
fn deps_cases() {
    let repositories = tempfile::tempdir().expect("scratch");
    create_repositories(repositories.path());
    // Only this test reads these variables; each test file is its own process.
    std::env::set_var("FUSIONC_TEST_REPOS", repositories.path());
    // Port 9 (discard) refuses connections at once: the hub is unreachable.
    std::env::set_var("DBT_PACKAGE_HUB_URL", "http://127.0.0.1:9/");
    for case in sub_folders(&repository_root().join("tests/deps/cases")) {
        let name = case
            .file_name()
            .and_then(|name| name.to_str())
            .expect("utf-8")
            .to_string();
        let workspace = tempfile::tempdir().expect("scratch");
        copy_tree(&case, workspace.path()).expect("case copies");
        let case_repositories = workspace.path().join("repos");
        copy_tree(repositories.path(), &case_repositories).expect("repositories copy");
        std::env::set_var("FUSIONC_TEST_REPOS", &case_repositories);
        let project = workspace.path().join("proj");
        let steps = std::fs::read_to_string(case.join("steps.txt")).expect("steps.txt");
        let mut transcript = String::new();
        for step in steps
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        {
            let words: Vec<&str> = step.split_whitespace().collect();
            let _ = writeln!(transcript, "$ {step}");
            match words[0] {
                "deps" => {
                    let mut arguments = vec!["deps", "--project-dir"];
                    let project_dir = project.display().to_string();
                    arguments.push(&project_dir);
                    arguments.extend(&words[1..]);
                    let run = run_cli(&arguments);
                    let _ = write!(
                        transcript,
                        "exit code: {}\n--- stdout\n{}--- stderr\n{}--- installed packages\n",
                        run.exit_code, run.stdout, run.stderr
                    );
                    let settings = std::fs::read_to_string(project.join("dbt_project.yml"))
                        .expect("dbt_project.yml");
                    let install_path = settings
                        .lines()
                        .find_map(|line| line.strip_prefix("packages-install-path:"))
                        .map_or("dbt_packages", str::trim);
                    describe_tree(&project.join(install_path), 0, &mut transcript);
                    let lock = std::fs::read_to_string(project.join("package-lock.yml"))
                        .unwrap_or_else(|_| "(none)\n".to_string());
                    let _ = write!(transcript, "--- package-lock.yml\n{lock}\n");
                }
                "advance" => {
                    let folder = case_repositories.join(words[1]);
                    git(&folder, &["checkout", "-q", words[2]]);
                    git(&folder, &["commit", "-q", "--allow-empty", "-m", "advance"]);
                    git(&folder, &["checkout", "-q", "main"]);
                }
                "copy" => {
                    std::fs::copy(
                        workspace.path().join(words[1]),
                        workspace.path().join(words[2]),
                    )
                    .expect("copy step");
                }
                other => panic!("unknown step `{other}` in {name}"),
            }
        }
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(
            &regex_escape(&case_repositories.display().to_string()),
            "[repos]",
        );
        settings.add_filter(
            &regex_escape(&workspace.path().display().to_string()),
            "[workspace]",
        );
        settings.add_filter(r"/[^\s]*fusionc-deps-[0-9-]+", "[downloads]");
        // The hash covers the rendered URLs, which hold the scratch path of
        // the repositories; it is only stable where no URL reads env_var().
        let packages = std::fs::read_to_string(case.join("proj/packages.yml")).unwrap_or_default();
        if packages.contains("env_var(") {
            settings.add_filter(
                "sha1_hash: [0-9a-f]{40}",
                "sha1_hash: [hash of the rendered URLs]",
            );
        }
        settings.bind(|| insta::assert_snapshot!(format!("deps_{name}"), transcript));
    }
}
