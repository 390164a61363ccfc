//! End-to-end tests of the `fusionc` command line: fixture projects in
//! `tests/projects/` (each broken in one way) and the example project, run
//! through `fusion_driver::run_command_line` with captured output.

use fusionc_tests::{copy_tree, regex_escape, repository_root, run_cli, sub_folders, CliRun};
use std::path::Path;

/// Copies a fixture project to a scratch folder, so runs never write into the tree.
fn scratch_copy(project: &Path) -> tempfile::TempDir {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    copy_tree(project, scratch.path()).expect("the fixture copies");
    scratch
}

/// A fixture folder's own name.
fn folder_name(fixture: &Path) -> String {
    fixture
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_string()
}

fn filters(scratch: &Path) -> Vec<(String, String)> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/nonexistent-home".to_string());
    vec![
        (
            regex_escape(&scratch.display().to_string()),
            "[project]".to_string(),
        ),
        (regex_escape(&home), "[home]".to_string()),
        (r"in \d+\.\d+s".to_string(), "in [elapsed]".to_string()),
    ]
}

fn snapshot_run(name: &str, scratch: &Path, run: &CliRun) {
    let text = format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        run.exit_code, run.stdout, run.stderr
    );
    let mut settings = insta::Settings::clone_current();
    for (pattern, replacement) in filters(scratch) {
        settings.add_filter(&pattern, replacement);
    }
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn broken_projects_report_code_file_and_line() {
    for fixture in sub_folders(&repository_root().join("tests/projects")) {
        let name = folder_name(&fixture);
        let scratch = scratch_copy(&fixture);
        let project_dir = scratch.path().display().to_string();
        let run = run_cli(&["compile", "--project-dir", &project_dir]);
        assert_ne!(run.exit_code, 0, "fixture {name} is broken and must fail");
        snapshot_run(&format!("compile_{name}"), scratch.path(), &run);

        let json_run = run_cli(&[
            "compile",
            "--project-dir",
            &project_dir,
            "--log-format",
            "json",
        ]);
        assert_eq!(
            json_run.exit_code, run.exit_code,
            "fixture {name}: same exit code in JSON mode"
        );
        for line in json_run.stdout.lines() {
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("fixture {name}: `{line}` is not JSON: {error}"));
            assert!(
                value.get("code").is_some() || value.get("summary").is_some(),
                "{line}"
            );
        }
    }
}

/// One field of the manifest's nodes, by unique id, for the nodes `keep`
/// accepts.
fn node_fields(
    manifest: &serde_json::Value,
    field: &str,
    keep: impl Fn(&str, &serde_json::Value) -> bool,
) -> serde_json::Map<String, serde_json::Value> {
    manifest["nodes"]
        .as_object()
        .map(|nodes| {
            nodes
                .iter()
                .filter(|(unique_id, node)| keep(unique_id, node))
                .map(|(unique_id, node)| (unique_id.clone(), node[field].clone()))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn example_project_compiles_cleanly() {
    let scratch = scratch_copy(&repository_root().join("examples/shop"));
    let project_dir = scratch.path().display().to_string();
    let run = run_cli(&["compile", "--project-dir", &project_dir]);
    snapshot_run("compile_example_shop", scratch.path(), &run);
    assert_eq!(run.exit_code, 0, "{}", run.stderr);

    let manifest_text =
        std::fs::read_to_string(scratch.path().join("target/manifest.json")).expect("a manifest");
    let manifest: serde_json::Value =
        serde_json::from_str(&manifest_text).expect("the manifest is JSON");
    insta::assert_json_snapshot!("example_shop_parent_map", manifest["parent_map"]);
    // Where each node's YAML declaration lives, as dbt writes it:
    // `<package>://<path of the YAML file>`.
    let patch_paths = node_fields(&manifest, "patch_path", |_, node| {
        !node["patch_path"].is_null()
    });
    insta::assert_json_snapshot!("example_shop_patch_paths", patch_paths);
    // Each node's checksum: dbt hashes a file's text stripped of leading
    // and trailing whitespace, and writes `none` for generic tests. These
    // are the checksums dbt-core 1.11's manifest holds for this project.
    let checksums = node_fields(&manifest, "checksum", |_, _| true);
    insta::assert_json_snapshot!("example_shop_checksums", checksums);
    // A snapshot's code is its block's body as written (what dbt-core
    // 1.11's manifest holds for these two).
    let snapshot_code = node_fields(&manifest, "raw_code", |unique_id, _| {
        unique_id.starts_with("snapshot.")
    });
    insta::assert_json_snapshot!("example_shop_snapshot_code", snapshot_code);
    // Docs blocks: listed under `docs`, and a description's `doc()` call
    // replaced by its block's text.
    insta::assert_json_snapshot!(
        "example_shop_docs",
        serde_json::json!({
            "docs": manifest["docs"],
            "customers description": manifest["nodes"]["model.shop.customers"]["description"],
            "customers doc_blocks": manifest["nodes"]["model.shop.customers"]["doc_blocks"],
        })
    );
    assert_eq!(
        manifest["metadata"]["dbt_schema_version"],
        "https://schemas.getdbt.com/dbt/manifest/v12.json"
    );

    let compiled_root = scratch.path().join("target/compiled/shop");
    let mut compiled = Vec::new();
    collect_files(&compiled_root, &compiled_root, &mut compiled);
    compiled.sort();
    let listing: String = compiled
        .iter()
        .map(|(path, text)| format!("=== {path}\n{text}\n"))
        .collect();
    insta::assert_snapshot!("example_shop_compiled_sql", listing);
}

fn collect_files(root: &Path, folder: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &path, found);
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

#[test]
fn ls_applies_selectors() {
    let example = repository_root().join("examples/shop");
    let project_dir = example.display().to_string();
    let cases: [&[&str]; 5] = [
        &[
            "ls",
            "--project-dir",
            &project_dir,
            "-s",
            "+orders",
            "--resource-type",
            "model",
            "seed",
            "source",
        ],
        &[
            "ls",
            "--project-dir",
            &project_dir,
            "-s",
            "stg_orders+1",
            "--output",
            "name",
        ],
        &[
            "ls",
            "--project-dir",
            &project_dir,
            "-s",
            "tag:marts",
            "--exclude",
            "customers",
            "--output",
            "path",
        ],
        &[
            "ls",
            "--project-dir",
            &project_dir,
            "-s",
            "resource_type:test,stg_customers+",
        ],
        &[
            "ls",
            "--project-dir",
            &project_dir,
            "-s",
            "path:models/staging",
            "--output",
            "json",
        ],
    ];
    let mut transcript = String::new();
    for arguments in cases {
        let run = run_cli(arguments);
        assert_eq!(run.exit_code, 0, "{arguments:?}: {}", run.stderr);
        transcript.push_str(&format!(
            "$ fusionc {}\n{}\n",
            arguments[3..].join(" "),
            run.stdout
        ));
    }
    insta::assert_snapshot!("ls_selectors", transcript);
}

/// Exposures, metrics, semantic models and saved queries are listed and
/// selected with the nodes, and versioned models as `name.v<N>`: each
/// listing here is the one dbt-core 1.11's `dbt ls` prints for the fixture.
#[test]
fn ls_lists_resources_that_never_run() {
    let fixture = repository_root().join("tests/frontend/resources");
    let project_dir = fixture.display().to_string();
    let cases: [&[&str]; 11] = [
        &[],
        &["-s", "+exposure:weekly_dashboard"],
        &["-s", "stg_orders+"],
        &["--resource-type", "exposure", "metric"],
        &["-s", "metric:order_total+"],
        &["-s", "semantic_model:orders_sm"],
        &["-s", "+saved_query:order_metrics"],
        &["-s", "dim_customers"],
        &["-s", "fqn:shop.marts.dim_customers.v1"],
        &["-s", "tag:data_science"],
        &["-s", "exposure:shop.churn_notebook", "--output", "json"],
    ];
    let mut transcript = String::new();
    for extra in cases {
        let mut arguments = vec!["ls", "--project-dir", &project_dir];
        arguments.extend_from_slice(extra);
        let run = run_cli(&arguments);
        assert_eq!(run.exit_code, 0, "{arguments:?}: {}", run.stderr);
        transcript.push_str(&format!(
            "$ fusionc ls {}\n{}\n",
            extra.join(" "),
            run.stdout
        ));
    }
    insta::assert_snapshot!("ls_resources", transcript);
}

/// The manifest's maps of exposures, metrics, semantic models, saved
/// queries and groups, its parent and child maps, and the versions of a
/// model: dbt-core 1.11.8's manifest of the fixture holds the same values
/// (its `created_at` aside).
#[test]
fn manifest_holds_resources_that_never_run() {
    let scratch = scratch_copy(&repository_root().join("tests/frontend/resources"));
    let project_dir = scratch.path().display().to_string();
    let run = run_cli(&["compile", "--project-dir", &project_dir]);
    assert_eq!(run.exit_code, 0, "{}", run.stderr);
    let manifest_text =
        std::fs::read_to_string(scratch.path().join("target/manifest.json")).expect("a manifest");
    let manifest: serde_json::Value =
        serde_json::from_str(&manifest_text).expect("the manifest is JSON");
    // The versions of dim_customers, and orders (in group sales), as dbt
    // writes them.
    let mut versions = serde_json::Map::new();
    for field in [
        "name",
        "fqn",
        "alias",
        "version",
        "latest_version",
        "deprecation_date",
        "group",
        "original_file_path",
        "refs",
    ] {
        let values = node_fields(&manifest, field, |unique_id, _| {
            unique_id.starts_with("model.shop.dim_customers") || unique_id == "model.shop.orders"
        });
        versions.insert(field.to_string(), serde_json::Value::Object(values));
    }
    insta::assert_json_snapshot!(
        "resources_manifest",
        serde_json::json!({
            "exposures": manifest["exposures"],
            "metrics": manifest["metrics"],
            "semantic_models": manifest["semantic_models"],
            "saved_queries": manifest["saved_queries"],
            "groups": manifest["groups"],
            "group_map": manifest["group_map"],
            "parent_map": manifest["parent_map"],
            "child_map": manifest["child_map"],
            "versions": versions,
        })
    );
}

#[test]
fn usage_errors_exit_2() {
    let missing = run_cli(&["compile", "--project-dir", "/nonexistent/fusionc/project"]);
    assert_eq!(missing.exit_code, 2);
    assert!(missing.stderr.contains("FC0001"), "{}", missing.stderr);

    let example = repository_root()
        .join("examples/shop")
        .display()
        .to_string();
    let bad_selector = run_cli(&["ls", "--project-dir", &example, "-s", "colour:red"]);
    assert_eq!(bad_selector.exit_code, 2);
    assert!(
        bad_selector.stderr.contains("unknown method `colour`"),
        "{}",
        bad_selector.stderr
    );

    let bad_vars = run_cli(&["parse", "--project-dir", &example, "--vars", "[1, 2"]);
    assert_eq!(bad_vars.exit_code, 2, "{}", bad_vars.stderr);

    let unknown_flag = run_cli(&["compile", "--frobnicate"]);
    assert_eq!(unknown_flag.exit_code, 2);
}

/// Node selection against dbt's: each project of `tests/selectors/` holds
/// a `selectors.yml` and a `cases.txt` of `fusionc` argument lines (run
/// with the project's folder as `--project-dir` and `--profiles-dir`).
/// Every line's output is snapshotted, and so is the manifest's
/// `selectors` map. The listings and the map were compared with
/// dbt-core 1.11's `dbt ls` and `dbt parse` on the same project.
#[test]
fn selector_fixtures_select_as_dbt_does() {
    for fixture in sub_folders(&repository_root().join("tests/selectors")) {
        let name = folder_name(&fixture);
        let scratch = scratch_copy(&fixture);
        let project_dir = scratch.path().display().to_string();
        let cases = std::fs::read_to_string(fixture.join("cases.txt")).expect("cases.txt");
        let mut transcript = String::new();
        for line in cases.lines().filter(|line| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with('#')
        }) {
            let mut arguments: Vec<String> = line.split_whitespace().map(str::to_string).collect();
            arguments.extend([
                "--project-dir".to_string(),
                project_dir.clone(),
                "--profiles-dir".to_string(),
                project_dir.clone(),
            ]);
            let run = run_cli(&arguments);
            transcript.push_str(&format!(
                "=== {line}\nexit code: {}\n{}{}",
                run.exit_code, run.stdout, run.stderr
            ));
        }
        let mut settings = insta::Settings::clone_current();
        for (pattern, replacement) in filters(scratch.path()) {
            settings.add_filter(&pattern, replacement);
        }
        settings.bind(|| insta::assert_snapshot!(format!("selectors_{name}"), transcript));

        let run = run_cli(&[
            "compile",
            "--project-dir",
            &project_dir,
            "--profiles-dir",
            &project_dir,
        ]);
        assert_eq!(run.exit_code, 0, "{}", run.stderr);
        let manifest: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(scratch.path().join("target/manifest.json"))
                .expect("a manifest"),
        )
        .expect("the manifest is JSON");
        insta::assert_json_snapshot!(format!("selectors_{name}_manifest"), manifest["selectors"]);
    }
}
