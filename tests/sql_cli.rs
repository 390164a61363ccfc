//! `fusionc sql parse` and `fusionc sql check`: fixture files in, the
//! printed output and exit code snapshotted.

use fusion_driver::cli::Output;
use fusion_driver::run_command_line;

fn fixture(name: &str) -> String {
    format!("{}/tests/sql_cli/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs fusionc with `arguments` and renders exit code, stdout and stderr.
fn run_captured(arguments: &[&str]) -> String {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = {
        let mut output = Output {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: false,
        };
        run_command_line(arguments.iter().copied(), &mut output)
    };
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    format!(
        "exit code: {code}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&stdout).replace(root, ""),
        String::from_utf8_lossy(&stderr).replace(root, "")
    )
}

#[test]
fn sql_check_prints_columns_with_types() {
    let schema = format!(
        "{}/../shared/corpus/benchmarks/tpch.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    if !std::path::Path::new(&schema).is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{schema} is missing: CI must run with ../shared/corpus beside the clone"
        );
        eprintln!("notice: {schema} is missing; nothing checked");
        return;
    }
    let query = fixture("tpch_query.sql");
    let text = run_captured(&[
        "fusionc",
        "sql",
        "check",
        "--dialect",
        "duckdb",
        "--schema",
        &schema,
        &query,
    ]);
    assert!(text.starts_with("exit code: 0"), "{text}");
    insta::assert_snapshot!("check_text", text);
    let json = run_captured(&[
        "fusionc",
        "sql",
        "check",
        "--dialect",
        "snowflake",
        "--schema",
        &schema,
        "--output",
        "json",
        &query,
    ]);
    insta::assert_snapshot!("check_json", json);
}

#[test]
fn sql_parse_reports_syntax_errors_with_exit_code_one() {
    let broken = fixture("broken.sql");
    let text = run_captured(&["fusionc", "sql", "parse", "--dialect", "snowflake", &broken]);
    assert!(text.starts_with("exit code: 1"), "{text}");
    insta::assert_snapshot!("parse_broken", text);
    let ok = fixture("tpch_query.sql");
    let text = run_captured(&["fusionc", "sql", "parse", "--dialect", "bigquery", &ok]);
    assert!(text.starts_with("exit code: 0"), "{text}");
    insta::assert_snapshot!("parse_ok", text);
}

#[test]
fn sql_lineage_names_source_columns_and_edge_kinds() {
    let query = fixture("lineage_query.sql");
    let schema = fixture("lineage_schema.json");
    let text = run_captured(&[
        "fusionc",
        "sql",
        "lineage",
        "--dialect",
        "duckdb",
        "--schema",
        &schema,
        &query,
    ]);
    assert!(text.starts_with("exit code: 0"), "{text}");
    insta::assert_snapshot!("lineage_text", text);
    let json = run_captured(&[
        "fusionc",
        "sql",
        "lineage",
        "--dialect",
        "duckdb",
        "--schema",
        &schema,
        "--output",
        "json",
        &query,
    ]);
    insta::assert_snapshot!("lineage_json", json);
}

#[test]
fn sql_lineage_sees_through_flatten_and_lateral_view() {
    let mut transcript = String::new();
    for (dialect, query, schema) in [
        (
            "snowflake",
            "lineage_flatten_snowflake.sql",
            "lineage_flatten_schema.json",
        ),
        (
            "databricks",
            "lineage_lateral_view_databricks.sql",
            "lineage_lateral_view_schema.json",
        ),
    ] {
        let (query, schema) = (fixture(query), fixture(schema));
        let text = run_captured(&[
            "fusionc",
            "sql",
            "lineage",
            "--dialect",
            dialect,
            "--schema",
            &schema,
            &query,
        ]);
        assert!(text.starts_with("exit code: 0"), "{text}");
        transcript.push_str(&format!("## {dialect}\n{text}\n"));
    }
    insta::assert_snapshot!("lineage_flatten_lateral_view", transcript);
}
