//! Each warehouse's naming, end to end: every folder under `tests/naming/`
//! is a small dbt project compiled with `fusionc compile` on each target its
//! `targets.txt` lists (one profile output per line). The snapshot holds,
//! per target, the diagnostics, the `relation_name` of every node and
//! source in `manifest.json`, and every file under `target/compiled`:
//! what dbt-core 1.11 with the target's adapter writes for the same
//! project (each fixture's `dbt_project.yml` says how that was checked).

use fusionc_tests::{copy_tree, repository_root, run_cli, sub_folders};
use std::fmt::Write;
use std::path::Path;

/// Every file under `folder`, as (path from `root`, text), sorted by path.
fn files_under(root: &Path, folder: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(root, &path, found);
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            found.push((relative, text));
        }
    }
}

/// What one compile on one target wrote and said.
fn compile_on_target(fixture: &Path, target: &str) -> String {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    copy_tree(fixture, scratch.path()).expect("the fixture copies");
    let project_dir = scratch.path().display().to_string();
    let run = run_cli(&[
        "compile",
        "--project-dir",
        &project_dir,
        "--target",
        target,
        "--log-format",
        "json",
    ]);
    let mut summary = format!("===== target {target}: exit code {}\n", run.exit_code);
    summary.push_str("-- diagnostics\n");
    for line in run.stdout.lines() {
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("`{line}` is not JSON: {error}"));
        if let Some(code) = value.get("code").and_then(serde_json::Value::as_str) {
            let _ = writeln!(
                summary,
                "{code} {} {}",
                value["severity"].as_str().unwrap_or_default(),
                value["message"].as_str().unwrap_or_default()
            );
        }
    }
    let manifest_path = scratch.path().join("target/manifest.json");
    if let Ok(text) = std::fs::read_to_string(&manifest_path) {
        let manifest: serde_json::Value =
            serde_json::from_str(&text).expect("the manifest is JSON");
        summary.push_str("-- relation_name\n");
        let mut names: Vec<(String, String)> = ["nodes", "sources"]
            .iter()
            .filter_map(|map| manifest[map].as_object())
            .flatten()
            .map(|(unique_id, node)| {
                let name = match &node["relation_name"] {
                    serde_json::Value::String(name) => name.clone(),
                    other => other.to_string(),
                };
                (unique_id.clone(), name)
            })
            .collect();
        names.sort();
        for (unique_id, name) in names {
            let _ = writeln!(summary, "{unique_id}: {name}");
        }
    }
    let compiled_root = scratch.path().join("target/compiled");
    let mut compiled = Vec::new();
    files_under(&compiled_root, &compiled_root, &mut compiled);
    compiled.sort();
    for (path, text) in compiled {
        let _ = writeln!(summary, "-- {path}\n{}", text.trim_end());
    }
    summary
}

#[test]
fn each_target_names_relations_as_its_dbt_adapter_does() {
    let fixtures = sub_folders(&repository_root().join("tests/naming"));
    assert!(!fixtures.is_empty(), "tests/naming holds fixture projects");
    for fixture in fixtures {
        let name = fixture
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default()
            .to_string();
        let targets = std::fs::read_to_string(fixture.join("targets.txt"))
            .unwrap_or_else(|error| panic!("{name}/targets.txt: {error}"));
        let mut summary = String::new();
        for target in targets
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
        {
            summary.push_str(&compile_on_target(&fixture, target));
            summary.push('\n');
        }
        insta::assert_snapshot!(name, summary);
    }
}
