//! State-aware builds proven against full ones: each fixture in
//! `tests/state/` is built step by step twice, into two DuckDB files: state
//! -aware (target `aware`) and in full at every step (target `full`, with
//! `--force-node-selection`). After every build the two warehouses must
//! hold the same relations, column types and rows: reuse never hides new
//! data nor keeps stale results. What the state-aware build decided for
//! each node (built or reused, and why) is the snapshot.
//!
//! Before each build, `--explain` must predict exactly what it then does.
//!
//! `steps.txt`: `sql <statements>` runs on both warehouses, as another
//! connection would; `copy <folder>` lays changed files over the project;
//! `build [arguments]` builds both; `lagging build [arguments]` builds
//! both without comparing them (a model waiting for its `build_after`
//! lags the full build on purpose); `clock <seconds>` sets the time the
//! state sees (`FUSIONC_STATE_NOW`), counted from the fixture's start.

use fusion_driver::adapter::duckdb::DuckDbAdapter;
use fusion_driver::adapter::Adapter;
use fusionc_tests::{
    copy_tree, dump_duckdb_warehouse, repository_root, run_cli, split_step, sub_folders,
};
use std::fmt::Write as _;
use std::path::Path;

/// The time `clock 0` stands for: 2027-01-15T08:00:00Z.
const CLOCK_START: f64 = 1_800_000_000.0;

#[test]
fn state_aware_builds_equal_full_builds() {
    for fixture in sub_folders(&repository_root().join("tests/state")) {
        state_fixture(&fixture);
    }
}

fn run_sql(database: &Path, sql: &str) {
    let adapter =
        DuckDbAdapter::open(&database.display().to_string()).expect("the warehouse opens");
    let mut connection = adapter.connect().expect("a connection");
    connection.execute(sql).expect("the step's SQL runs");
}

/// `{unique_id} {status}: {message}` per node of the last run, sorted.
fn statuses(project: &Path) -> String {
    let text =
        std::fs::read_to_string(project.join("target/run_results.json")).expect("run_results.json");
    let results: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut lines: Vec<String> = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| {
            let status = result["status"].as_str().unwrap_or_default();
            let message = result["message"].as_str().unwrap_or_default();
            let id = result["unique_id"].as_str().unwrap_or_default();
            // Reasons are worth reading for reused and built nodes alike;
            // a build's own message (`OK`, row counts) is not.
            if status == "reused" {
                format!("{id} reused: {message}")
            } else {
                format!("{id} {status}")
            }
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

/// `--explain --log-format json`'s actions: unique id → `build` or `reuse`.
fn predictions(stdout: &str) -> Vec<(String, String)> {
    // Diagnostics come first, one JSON object per line; the explanation is
    // the one document spread over lines.
    let start = stdout.find("{\n").unwrap_or(0);
    let document: serde_json::Value = serde_json::from_str(&stdout[start..])
        .unwrap_or_else(|error| panic!("--explain prints one JSON document ({error}):\n{stdout}"));
    let mut actions: Vec<(String, String)> = document["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| {
            (
                node["unique_id"].as_str().unwrap_or_default().to_string(),
                node["action"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    actions.sort();
    actions
}

/// What the last run did with each node, as `--explain` words it: a node
/// reused is `reuse`; one that ran (whatever its result) or failed is `build`.
fn outcomes(project: &Path) -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(project.join("target/run_results.json")).expect("run_results.json");
    let results: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut actions: Vec<(String, String)> = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| {
            let action = if result["status"] == "reused" {
                "reuse"
            } else {
                "build"
            };
            (
                result["unique_id"].as_str().unwrap_or_default().to_string(),
                action.to_string(),
            )
        })
        .collect();
    actions.sort();
    actions
}

fn state_fixture(fixture: &Path) {
    let name = fixture
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_string();
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(fixture, &project).expect("the fixture copies");
    let profiles = project.join("profiles.yml");
    let profile_text = std::fs::read_to_string(&profiles).expect("a profiles.yml");
    std::fs::write(
        &profiles,
        profile_text.replace("__SCRATCH__", &scratch.path().display().to_string()),
    )
    .expect("the profile is written");
    let aware = scratch.path().join("aware.duckdb");
    let full = scratch.path().join("full.duckdb");
    let steps = std::fs::read_to_string(project.join("steps.txt")).expect("a steps.txt");
    let mut transcript = String::new();
    // Only this test of its binary reads the variable, and fixtures run one
    // after the other.
    std::env::remove_var("FUSIONC_STATE_NOW");
    for step in steps.lines().map(str::trim) {
        if step.is_empty() || step.starts_with('#') {
            continue;
        }
        if let Some(seconds) = step.strip_prefix("clock ") {
            let offset: f64 = seconds.trim().parse().expect("clock <seconds>");
            std::env::set_var("FUSIONC_STATE_NOW", (CLOCK_START + offset).to_string());
            let _ = writeln!(transcript, "##### {step}\n");
            continue;
        }
        if let Some(sql) = step.strip_prefix("sql ") {
            run_sql(&aware, sql);
            run_sql(&full, sql);
            let _ = writeln!(transcript, "##### {step}\n");
            continue;
        }
        if let Some(folder) = step.strip_prefix("copy ") {
            copy_tree(&project.join(folder.trim()), &project).expect("the change copies");
            let _ = writeln!(transcript, "##### {step}\n");
            continue;
        }
        let (compare, command_text) = match step.strip_prefix("lagging ") {
            Some(rest) => (false, rest),
            None => (true, step),
        };
        let Some(rest) = command_text.strip_prefix("build") else {
            panic!("{name}: unknown step `{step}`");
        };
        let extra = split_step(rest);
        let command = |target: &str, force: bool| {
            let mut arguments: Vec<String> = vec![
                "build".into(),
                "--project-dir".into(),
                project.display().to_string(),
                "--target".into(),
                target.into(),
            ];
            if force {
                arguments.push("--force-node-selection".into());
            }
            arguments.extend(extra.iter().cloned());
            arguments
        };
        // `--explain` first: it must predict exactly what the build does.
        let mut explain = command("aware", false);
        explain.extend(["--explain".into(), "--log-format".into(), "json".into()]);
        let explained = run_cli(&explain);
        let predicted = predictions(&explained.stdout);
        let aware_run = run_cli(&command("aware", false));
        let aware_statuses = statuses(&project);
        let actual = outcomes(&project);
        assert_eq!(
            predicted, actual,
            "{name}, `{step}`: --explain predicted other actions than the build took\n{}{}",
            explained.stdout, explained.stderr
        );
        let full_run = run_cli(&command("full", true));
        assert_eq!(
            aware_run.exit_code, full_run.exit_code,
            "{name}, `{step}`: the state-aware build and the full one end differently\n--- aware\n{}{}\n--- full\n{}{}",
            aware_run.stdout, aware_run.stderr, full_run.stdout, full_run.stderr
        );
        let aware_dump = dump_duckdb_warehouse(&aware, true);
        let full_dump = dump_duckdb_warehouse(&full, true);
        assert!(
            !compare || aware_dump == full_dump,
            "{name}, `{step}`: the state-aware warehouse differs from the full build's\n--- aware build\n{}{}",
            aware_run.stdout, aware_run.stderr
        );
        let _ = writeln!(
            transcript,
            "##### fusionc {step}\nexit code: {}\n{aware_statuses}\n",
            aware_run.exit_code
        );
    }
    std::env::remove_var("FUSIONC_STATE_NOW");
    insta::assert_snapshot!(format!("state_{name}"), transcript);
}
