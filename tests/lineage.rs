//! Data-driven tests of column lineage.
//!
//! Each `tests/lineage/*.sql` fixture starts with `-- schema: {...}` (the
//! format of the binder fixtures: table → column → DuckDB type, `null` for a
//! table whose columns are unknown). Every statement is parsed with the
//! DuckDB dialect, bound, and its lineage snapshotted as one line per edge:
//! `output_column <- table.column kind`.
//!
//! The TPC-H and TPC-DS tests compute the lineage of every output column of
//! every benchmark query of the shared corpus (`../shared/corpus/benchmarks`).

use fusion_dialects::duckdb::DuckDb;
use fusion_dialects::Dialect;
use fusion_ir::lineage::QueryColumnSources;
use fusion_ir::query::Statement;
use fusion_ir::schema::Catalog;
use fusion_ir::span::FileId;
use fusion_passes::bind::bind_query;
use fusion_passes::lineage::query_column_sources;
use fusion_passes::lookup::CatalogLookup;
use fusionc_tests::{catalog_from_json, run_cli, CliRun};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn line_of(text: &str, offset: u32) -> usize {
    let offset = (offset as usize).min(text.len());
    text[..offset].matches('\n').count() + 1
}

/// One line per edge, tables without the fixtures' default `db.main.`.
fn render_lineage(columns: &[QueryColumnSources]) -> String {
    let mut rendered = String::new();
    for column in columns {
        if column.sources.is_empty() {
            writeln!(rendered, "  {} <- (nothing)", column.column).ok();
        }
        for source in &column.sources {
            let table = source
                .table
                .strip_prefix("db.main.")
                .unwrap_or(&source.table);
            let read = match (&source.column, source.schema_known) {
                (Some(name), true) => format!("{table}.{name}"),
                (Some(name), false) => format!("{table}.{name} (unknown schema)"),
                (None, _) => format!("{table}.? (unknown schema)"),
            };
            writeln!(
                rendered,
                "  {} <- {read} {}",
                column.column,
                source.kind.as_str()
            )
            .ok();
        }
    }
    rendered
}

/// Parses, binds and computes the lineage of every statement of `sql`.
/// Returns the rendering and the number of queries with an error.
fn lineage_text(sql: &str, catalog: &Catalog) -> (String, usize) {
    let dialect = DuckDb;
    let semantics = dialect.semantics();
    let lookup = CatalogLookup::new(catalog, semantics);
    let parsed = dialect.parse(sql, FileId(0));
    let mut rendered = String::new();
    let mut failing = 0;
    for diagnostic in &parsed.diagnostics {
        writeln!(rendered, "syntax: {}", diagnostic.message).ok();
        failing += 1;
    }
    for statement in &parsed.statements {
        let Statement::Query(query) = statement else {
            writeln!(rendered, "(not a query)").ok();
            continue;
        };
        let start = query
            .root
            .map(|root| query.rel(root).span.start)
            .unwrap_or(0);
        let bound = bind_query(query, &lookup, semantics, FileId(0));
        writeln!(rendered, "query at line {}:", line_of(sql, start)).ok();
        let errors: Vec<&str> = bound
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.is_error())
            .map(|diagnostic| diagnostic.message.as_str())
            .collect();
        for error in &errors {
            writeln!(rendered, "  ! {error}").ok();
        }
        failing += usize::from(!errors.is_empty());
        let report = query_column_sources(query, &bound, Some(catalog));
        if !report.columns_known {
            writeln!(rendered, "  (output columns unknown)").ok();
        }
        for table in &report.unknown_tables {
            let table = table.strip_prefix("db.main.").unwrap_or(table);
            writeln!(rendered, "  reads {table}, whose columns are unknown").ok();
        }
        rendered.push_str(&render_lineage(&report.columns));
    }
    (rendered, failing)
}

fn fixtures() -> Vec<PathBuf> {
    fusionc_tests::files_with_extension(
        &fusionc_tests::repository_root().join("tests/lineage"),
        "sql",
    )
}

#[test]
fn lineage_fixtures() {
    let semantics = DuckDb.semantics();
    let files = fixtures();
    assert!(
        files.len() >= 7,
        "expected the lineage fixtures, found {}",
        files.len()
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("fixture is readable");
        let header = text
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("-- schema:"))
            .unwrap_or_else(|| panic!("{} must start with `-- schema: {{...}}`", path.display()));
        let schema: serde_json::Value = serde_json::from_str(header.trim())
            .unwrap_or_else(|error| panic!("schema header of {}: {error}", path.display()));
        let catalog = catalog_from_json(&schema, semantics);
        let (rendered, _) = lineage_text(&text, &catalog);
        let stem = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("fixture")
            .to_owned();
        insta::with_settings!({ input_file => &path, prepend_module_to_snapshot => true, description => text.clone() }, {
            insta::assert_snapshot!(stem, rendered);
        });
    }
}

/// The shared corpus folder, or `None` (with a notice) outside CI when it is missing.
fn benchmarks_folder() -> Option<PathBuf> {
    let folder = fusionc_tests::repository_root().join("../shared/corpus/benchmarks");
    if folder.is_dir() {
        return Some(folder);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the shared benchmarks are missing at {}",
        folder.display()
    );
    eprintln!(
        "notice: {} is missing; the benchmark lineage tests are skipped",
        folder.display()
    );
    None
}

fn benchmark(name: &str) {
    let Some(folder) = benchmarks_folder() else {
        return;
    };
    let folder: &Path = &folder;
    let semantics = DuckDb.semantics();
    let schema_text = std::fs::read_to_string(folder.join(format!("{name}.schema.json")))
        .expect("benchmark schema");
    let schema: serde_json::Value =
        serde_json::from_str(&schema_text).expect("benchmark schema is JSON");
    let catalog = catalog_from_json(&schema, semantics);
    let queries =
        std::fs::read_to_string(folder.join(format!("{name}.jsonl"))).expect("benchmark queries");
    let mut report = String::new();
    let (mut total, mut failing) = (0, 0);
    for line in queries.lines().filter(|line| !line.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("benchmark line is JSON");
        let id = case["id"].as_str().unwrap_or("?");
        let sql = case["sql"].as_str().unwrap_or("");
        let (rendered, failed) = lineage_text(sql, &catalog);
        total += 1;
        failing += usize::from(failed > 0);
        writeln!(report, "== {id}\n{rendered}").ok();
    }
    assert!(total > 0, "no {name} queries found in {}", folder.display());
    let summary = format!("{total} queries, {failing} with binding errors\n\n");
    insta::assert_snapshot!(format!("{name}_lineage"), summary + &report);
}

#[test]
fn tpch_lineage() {
    benchmark("tpch");
}

#[test]
fn tpcds_lineage() {
    benchmark("tpcds");
}

/// The example project end to end: `compile` writes `target/lineage.json`,
/// and `lineage` walks it up, down, to a depth and in every output format,
/// with an error (and the closest name) for a column that does not exist.
#[test]
fn example_shop_lineage_through_the_cli() {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path();
    fusionc_tests::copy_tree(
        &fusionc_tests::repository_root().join("examples/shop"),
        project,
    )
    .expect("the example copies");
    let project_dir = project.to_str().expect("a UTF-8 scratch path");
    let CliRun {
        exit_code: code,
        stderr,
        ..
    } = run_cli(&["compile", "--project-dir", project_dir]);
    assert_eq!(code, 0, "compile failed: {stderr}");
    let artifact: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(project.join("target/lineage.json")).expect("lineage.json"),
    )
    .expect("lineage.json is JSON");
    let mut summary = String::new();
    for node in artifact["nodes"].as_array().expect("nodes") {
        writeln!(
            summary,
            "{} ephemeral={} schema_known={}",
            node["unique_id"].as_str().unwrap_or("?"),
            node["ephemeral"],
            node["schema_known"]
        )
        .ok();
        for column in node["columns"].as_array().into_iter().flatten() {
            for edge in column["edges"].as_array().into_iter().flatten() {
                writeln!(
                    summary,
                    "  {} <- {}.{} {}",
                    column["name"].as_str().unwrap_or("?"),
                    edge["upstream"]["node"].as_str().unwrap_or("?"),
                    edge["upstream"]["column"]
                        .as_str()
                        .or(edge["upstream"]["column_as_written"].as_str())
                        .unwrap_or("?"),
                    edge["kind"].as_str().unwrap_or("?")
                )
                .ok();
            }
        }
    }
    insta::assert_snapshot!("example_shop_lineage_json", summary);

    let mut runs = String::new();
    for arguments in [
        vec!["lineage", "orders.amount"],
        vec!["lineage", "stg_orders.order_id", "--direction", "down"],
        vec![
            "lineage",
            "raw_payments.amount_cents",
            "--direction",
            "both",
            "--depth",
            "1",
        ],
        vec!["lineage", "customers", "--depth", "1"],
        vec![
            "lineage",
            "orders.amount",
            "--output",
            "dot",
            "--depth",
            "2",
        ],
        vec![
            "lineage",
            "orders.amount",
            "--output",
            "mermaid",
            "--depth",
            "2",
        ],
        vec![
            "lineage",
            "stg_orders.order_id",
            "--output",
            "json",
            "--direction",
            "down",
            "--depth",
            "1",
        ],
        vec!["lineage", "orders.amont"],
        vec!["lineage", "ordres.amount"],
    ] {
        let mut full = arguments.clone();
        full.extend(["--project-dir", project_dir]);
        let CliRun {
            exit_code: code,
            stdout,
            stderr,
        } = run_cli(&full);
        writeln!(
            runs,
            "$ fusionc {}\nexit {code}\n{stdout}{stderr}",
            arguments.join(" ")
        )
        .ok();
    }
    insta::assert_snapshot!("example_shop_lineage_cli", runs);
}
