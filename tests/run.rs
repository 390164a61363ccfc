//! End-to-end runs on DuckDB: each fixture project in `tests/run/` holds a
//! `steps.txt` of fusionc commands (and `copy <folder>` steps that lay
//! changed files over the project). Every command's output and the state of
//! the warehouse after it (relations, column types, rows) are snapshotted,
//! so what a build creates, what a second build changes, and what a failure
//! leaves behind are all reviewed as data.
//!
//! The warehouse is a DuckDB file in a scratch copy of the fixture: the
//! fixture's profile names it `__SCRATCH__/...`, replaced here.

use fusion_driver::adapter::duckdb::DuckDbAdapter;
use fusion_driver::adapter::Adapter;
use fusionc_tests::{
    copy_tree, dump_duckdb_warehouse, regex_escape, repository_root, run_cli, split_step,
    sub_folders,
};
use std::fmt::Write as _;
use std::path::Path;

fn run_fixture(fixture: &Path) {
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
    let steps = std::fs::read_to_string(project.join("steps.txt")).expect("a steps.txt");
    let mut transcript = String::new();
    for step in steps.lines().map(str::trim) {
        if step.is_empty() || step.starts_with('#') {
            continue;
        }
        if let Some(folder) = step.strip_prefix("copy ") {
            copy_tree(&project.join(folder.trim()), &project).expect("the change copies");
            let _ = writeln!(transcript, "##### {step}\n");
            continue;
        }
        let mut arguments = split_step(step);
        arguments.push("--project-dir".into());
        arguments.push(project.display().to_string());
        let run = run_cli(&arguments);
        let _ = writeln!(
            transcript,
            "##### fusionc {step}\nexit code: {}\n--- stdout\n{}--- stderr\n{}--- warehouse\n{}",
            run.exit_code,
            run.stdout,
            run.stderr,
            dump_duckdb_warehouse(&scratch.path().join("warehouse.duckdb"), false)
        );
    }
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        &regex_escape(&scratch.path().display().to_string()),
        "[scratch]",
    );
    settings.add_filter(r"in \d+\.\d+s", "in [elapsed]");
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\.\d+(\+\d{2}(:\d{2})?)?",
        "[now]",
    );
    settings.bind(|| insta::assert_snapshot!(format!("run_{name}"), transcript));
}

#[test]
fn run_fixtures_build_what_their_snapshots_show() {
    for fixture in sub_folders(&repository_root().join("tests/run")) {
        run_fixture(&fixture);
    }
}

#[test]
fn example_project_builds_twice_with_the_same_result() {
    let fixture = repository_root().join("examples/shop");
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(&fixture, &project).expect("the example copies");
    let _ = std::fs::remove_dir_all(project.join("target"));
    let database = scratch.path().join("shop.duckdb");
    let profile = format!(
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{}\"\n      schema: main\n      threads: 2\n",
        database.display()
    );
    std::fs::write(project.join("profiles.yml"), profile).expect("the profile is written");
    let arguments = |extra: &[&str]| -> Vec<String> {
        ["build", "--project-dir", &project.display().to_string()]
            .iter()
            .chain(extra)
            .map(|text| text.to_string())
            .collect()
    };
    let first = run_cli(&arguments(&[]));
    assert_eq!(first.exit_code, 0, "{}\n{}", first.stdout, first.stderr);
    let after_first = dump_duckdb_warehouse(&database, false);
    let second = run_cli(&arguments(&[]));
    assert_eq!(second.exit_code, 0, "{}\n{}", second.stdout, second.stderr);
    let after_second = dump_duckdb_warehouse(&database, false);
    // Snapshots keep history: with unchanged data a second build adds no
    // version, so the whole warehouse is the same.
    assert_eq!(after_first, after_second);
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\.\d+(\+\d{2}(:\d{2})?)?",
        "[now]",
    );
    settings.bind(|| insta::assert_snapshot!("run_example_shop_warehouse", after_first));
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.join("target/run_results.json"))
            .expect("run_results.json"),
    )
    .expect("run_results.json is JSON");
    let statuses: Vec<String> = results["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| {
            format!(
                "{} {}",
                result["unique_id"].as_str().unwrap_or_default(),
                result["status"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let mut statuses = statuses;
    statuses.sort();
    insta::assert_snapshot!("run_example_shop_statuses", statuses.join("\n"));
}

/// The Python that has dbt-duckdb's `duckdb` module: `FUSIONC_TEST_PYTHON`,
/// else `python3`, when it imports `duckdb` of the release fusionc links.
fn python_with_same_duckdb() -> Result<String, String> {
    let python = std::env::var("FUSIONC_TEST_PYTHON").unwrap_or_else(|_| "python3".to_string());
    // The local-iteration library preload (README) is fusionc's, not Python's.
    let output = std::process::Command::new(&python)
        .env_remove("LD_PRELOAD")
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output()
        .map_err(|error| format!("`{python}` does not run: {error}"))?;
    if !output.status.success() {
        return Err(format!("`{python}` has no duckdb module"));
    }
    let python_version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let adapter = DuckDbAdapter::open(":memory:").expect("an in-memory DuckDB");
    let mut connection = adapter.connect().expect("a connection");
    let version = connection
        .query("select version()", None)
        .expect("the linked DuckDB answers");
    let linked = version.rows[0][0].as_str().unwrap_or_default().to_string();
    if linked.trim_start_matches('v') != python_version {
        return Err(format!(
            "`{python}` has duckdb {python_version}, fusionc links {linked}"
        ));
    }
    Ok(python)
}

/// Item 10 of the real-projects issue: a database file written by the
/// DuckDB that dbt-duckdb installs opens in fusionc, and fusionc's opens
/// there. Needs a Python with that `duckdb` module (`pip install
/// "dbt-duckdb==1.11.*"`; point `FUSIONC_TEST_PYTHON` at its Python);
/// without one the test says so and checks nothing else.
#[test]
fn dbt_duckdb_database_files_open_both_ways() {
    let python = match python_with_same_duckdb() {
        Ok(python) => python,
        Err(reason) => {
            eprintln!(
                "skipped: {reason}; set FUSIONC_TEST_PYTHON to a Python with dbt-duckdb's duckdb module"
            );
            return;
        }
    };
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(
        &repository_root().join("tests/interop/dbt_duckdb"),
        &project,
    )
    .expect("the fixture copies");
    let database = scratch.path().join("shared.duckdb");
    let profiles = project.join("profiles.yml");
    let profile_text = std::fs::read_to_string(&profiles).expect("a profiles.yml");
    std::fs::write(
        &profiles,
        profile_text.replace("__DATABASE__", &database.display().to_string()),
    )
    .expect("the profile is written");
    let python_step = |code: &str| -> String {
        let output = std::process::Command::new(&python)
            .env_remove("LD_PRELOAD")
            .args(["-c", code, &database.display().to_string()])
            .output()
            .expect("python runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    python_step(
        "import duckdb, sys\n\
         c = duckdb.connect(sys.argv[1])\n\
         c.execute('create schema raw')\n\
         c.execute('create table raw.orders as select * from (values (1, 10.5), (2, 4.5), (3, 5)) t(id, amount)')\n\
         c.close()",
    );
    let run = run_cli(&["build", "--project-dir", &project.display().to_string()]);
    assert_eq!(run.exit_code, 0, "{}\n{}", run.stdout, run.stderr);
    let read_back = python_step(
        "import duckdb, sys\n\
         c = duckdb.connect(sys.argv[1])\n\
         print(c.execute('select orders, total from main.order_totals').fetchall())",
    );
    assert_eq!(read_back.trim(), "[(3, Decimal('20.0'))]");
}

/// `fusionc docs generate` on DuckDB: the catalog read from the database
/// file (`duckdb_tables()`, `duckdb_views()`, `duckdb_columns()`) holds
/// every relation the build made, with the columns and types the catalog
/// inferred at compile time gives them.
#[test]
fn docs_generate_reads_the_duckdb_catalog() {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(&repository_root().join("tests/run/incremental"), &project)
        .expect("the fixture copies");
    let profile = std::fs::read_to_string(project.join("profiles.yml")).expect("a profile");
    std::fs::write(
        project.join("profiles.yml"),
        profile.replace("__SCRATCH__", &scratch.path().display().to_string()),
    )
    .expect("the profile is written");
    let project_dir = project.display().to_string();
    let built = run_cli(&["build", "--project-dir", &project_dir]);
    assert_eq!(built.exit_code, 0, "{}{}", built.stdout, built.stderr);
    let read_catalog = || -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(project.join("target/catalog.json")).expect("catalog.json"),
        )
        .expect("catalog.json is JSON")
    };
    let inferred = read_catalog();
    let generated = run_cli(&["docs", "generate", "--project-dir", &project_dir]);
    assert_eq!(
        generated.exit_code, 0,
        "{}{}",
        generated.stdout, generated.stderr
    );
    let served = read_catalog();
    assert!(served["errors"].is_null(), "{}", served["errors"]);
    let columns_of = |entry: &serde_json::Value| -> Vec<(u64, String, String)> {
        let mut columns: Vec<(u64, String, String)> = entry["columns"]
            .as_object()
            .expect("columns")
            .values()
            .map(|column| {
                (
                    column["index"].as_u64().unwrap_or_default(),
                    column["name"].as_str().unwrap_or_default().to_string(),
                    column["type"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        columns.sort();
        columns
    };
    let inferred_nodes = inferred["nodes"].as_object().expect("nodes");
    let served_nodes = served["nodes"].as_object().expect("nodes");
    assert_eq!(
        served_nodes
            .keys()
            .collect::<std::collections::BTreeSet<_>>(),
        inferred_nodes
            .keys()
            .collect::<std::collections::BTreeSet<_>>(),
        "the same relations"
    );
    for (unique_id, entry) in served_nodes {
        let expected = &inferred_nodes[unique_id];
        assert_eq!(entry["unique_id"].as_str(), Some(unique_id.as_str()));
        assert_eq!(
            entry["metadata"]["type"], expected["metadata"]["type"],
            "{unique_id}"
        );
        assert_eq!(columns_of(entry), columns_of(expected), "{unique_id}");
        assert!(!columns_of(entry).is_empty(), "{unique_id} has columns");
    }
    // A selection narrows the catalog to the selected nodes, as dbt's does;
    // `--empty-catalog` asks the warehouse nothing.
    let first = served_nodes.keys().next().expect("a node").clone();
    let name = first.rsplit('.').next().expect("a node name").to_string();
    for (arguments, expected) in [
        (
            vec!["--no-compile", "-s", name.as_str()],
            vec![first.clone()],
        ),
        (vec!["--empty-catalog"], Vec::new()),
    ] {
        let mut command = vec!["docs", "generate", "--project-dir", &project_dir];
        command.extend(arguments.iter().copied());
        let generated = run_cli(&command);
        assert_eq!(
            generated.exit_code, 0,
            "{arguments:?}: {}{}",
            generated.stdout, generated.stderr
        );
        let catalog = read_catalog();
        let nodes: Vec<String> = catalog["nodes"]
            .as_object()
            .expect("nodes")
            .keys()
            .cloned()
            .collect();
        assert_eq!(nodes, expected, "{arguments:?}");
    }
}
