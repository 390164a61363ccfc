//! Conformance against sqlglot's cases for every dialect (`../shared/corpus`,
//! read at test time, never copied here): how many parse without errors,
//! with the failing cases snapshotted per dialect so progress shows as a
//! shrinking file; and the parser's never-panic guarantee, for every
//! dialect, over every corpus line and over truncations of every `ok`
//! fixture.

use fusion_dialects::duckdb::{lexer, DuckDb};
use fusion_dialects::{all_dialects, dialect_for_adapter, Dialect};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::query::Statement;
use fusion_ir::span::FileId;
use fusionc_tests::{corpus_cases, corpus_dir, files_with_extension};
use std::fmt::Write;
use std::path::Path;

fn first_error(diagnostics: &[Diagnostic]) -> Option<&Diagnostic> {
    diagnostics.iter().find(|diagnostic| diagnostic.is_error())
}

/// How one case fared: `Ok(false)` parsed as queries or as an expression,
/// `Ok(true)` only as opaque statements, `Err` the first error.
fn try_case(dialect: &dyn Dialect, sql: &str) -> Result<bool, String> {
    let parsed = dialect.parse(sql, FileId(0));
    let statement_error = first_error(&parsed.diagnostics);
    let has_query = parsed
        .statements
        .iter()
        .any(|statement| matches!(statement, Statement::Query(_)));
    if statement_error.is_none() && has_query {
        return Ok(false);
    }
    // A bare expression (`x::int`) reads as an opaque statement or fails as
    // one: the expression entry point decides.
    let (_, expression_diagnostics) = dialect.parse_expression(sql, FileId(0));
    if first_error(&expression_diagnostics).is_none() {
        return Ok(false);
    }
    let Some(statement_error) = statement_error else {
        return Ok(true);
    };
    let span = statement_error
        .primary
        .as_ref()
        .map(|label| label.location.span);
    let at = span
        .map(|span| format!("{}..{}", span.start, span.end))
        .unwrap_or_default();
    Err(format!(
        "{} at {at}: {}",
        statement_error.code, statement_error.message
    ))
}

/// Runs `dialect` over the corpus files and snapshots the summary and the
/// failing cases as `corpus__<snapshot_name>.snap`.
fn check_corpus_parse_rate(dialect: &dyn Dialect, files: &[&str], snapshot_name: &str) {
    let Some(dir) = corpus_dir("corpus tests pass without checking anything") else {
        return;
    };
    let mut failures = String::new();
    let (mut total, mut parsed, mut opaque) = (0, 0, 0);
    let (mut hard_total, mut hard_parsed, mut hard_opaque) = (0, 0, 0);
    for file in files {
        let cases = corpus_cases(&dir.join("parse").join(file));
        for case in &cases {
            let outcome = try_case(dialect, &case.sql);
            if case.unparsed_by_sqlglot {
                hard_total += 1;
            } else {
                total += 1;
            }
            match outcome {
                Ok(opaque_only) => {
                    let (parsed_count, opaque_count) = if case.unparsed_by_sqlglot {
                        (&mut hard_parsed, &mut hard_opaque)
                    } else {
                        (&mut parsed, &mut opaque)
                    };
                    *parsed_count += 1;
                    if opaque_only {
                        *opaque_count += 1;
                    }
                }
                Err(message) => {
                    let marker = if case.unparsed_by_sqlglot {
                        " [unparsed by sqlglot]"
                    } else {
                        ""
                    };
                    let origin = if files.len() > 1 {
                        format!("{file} ")
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        failures,
                        "{origin}line {}{marker}: {}\n    {message}",
                        case.line,
                        case.sql.replace('\n', " ")
                    );
                }
            }
        }
    }
    let summary = format!(
        "parsed without errors: {parsed}/{total} (of which {opaque} only as opaque statements)\n\
         unparsed_by_sqlglot cases: {hard_parsed}/{hard_total} (of which {hard_opaque} only as opaque statements)\n\n"
    );
    eprintln!("{snapshot_name}: {summary}");
    insta::assert_snapshot!(snapshot_name, format!("{summary}{failures}"));
}

fn dialect(name: &str) -> &'static dyn Dialect {
    dialect_for_adapter(name).unwrap_or_else(|| panic!("no dialect {name}"))
}

#[test]
fn duckdb_corpus_parse_rate() {
    check_corpus_parse_rate(&DuckDb, &["duckdb.jsonl"], "duckdb_failures");
}

#[test]
fn snowflake_corpus_parse_rate() {
    check_corpus_parse_rate(
        dialect("snowflake"),
        &["snowflake.jsonl"],
        "snowflake_failures",
    );
}

#[test]
fn bigquery_corpus_parse_rate() {
    check_corpus_parse_rate(
        dialect("bigquery"),
        &["bigquery.jsonl"],
        "bigquery_failures",
    );
}

#[test]
fn databricks_corpus_parse_rate() {
    check_corpus_parse_rate(
        dialect("databricks"),
        &["databricks.jsonl", "spark.jsonl"],
        "databricks_failures",
    );
}

#[test]
fn redshift_corpus_parse_rate() {
    check_corpus_parse_rate(
        dialect("redshift"),
        &["redshift.jsonl"],
        "redshift_failures",
    );
}

#[test]
fn postgres_corpus_parse_rate() {
    check_corpus_parse_rate(
        dialect("postgres"),
        &["postgres.jsonl"],
        "postgres_failures",
    );
}

fn assert_no_panics(label: &str, inputs: impl IntoIterator<Item = String>) {
    let mut panicked = Vec::new();
    for sql in inputs {
        for dialect in all_dialects() {
            // Dialects are stateless unit structs: nothing can be left half-updated.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let parsed = dialect.parse(&sql, FileId(0));
                let syntax = dialect.parse_syntax(&sql, FileId(0));
                let tree =
                    fusion_dialects::syntax::printer::print_syntax_tree(&syntax.statements, &sql);
                for statement in &parsed.statements {
                    let _ = statement.display().to_string();
                }
                let _ = dialect.parse_expression(&sql, FileId(0));
                tree.len()
            }));
            if outcome.is_err() {
                panicked.push(format!("{}: {sql}", dialect.name()));
            }
        }
    }
    assert!(
        panicked.is_empty(),
        "{label}: the parser panicked on {} inputs: {panicked:#?}",
        panicked.len()
    );
}

#[test]
fn parser_never_panics_on_corpus_lines() {
    let Some(dir) = corpus_dir("corpus tests pass without checking anything") else {
        return;
    };
    let mut inputs = Vec::new();
    let parse_dir = dir.join("parse");
    let files = files_with_extension(&parse_dir, "jsonl");
    for file in &files {
        inputs.extend(corpus_cases(file).into_iter().map(|case| case.sql));
    }
    for benchmark in ["benchmarks/tpch.jsonl", "benchmarks/tpcds.jsonl"] {
        let path = dir.join(benchmark);
        if let Ok(text) = std::fs::read_to_string(&path) {
            for line in text.lines().filter(|line| !line.trim().is_empty()) {
                let value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
                inputs.push(value["sql"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    assert!(
        !inputs.is_empty(),
        "no corpus lines found in {}",
        dir.display()
    );
    assert_no_panics("corpus", inputs);
}

#[test]
fn parser_never_panics_on_truncated_fixtures() {
    let fixtures = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/parser/duckdb/ok"
    ));
    let mut inputs = Vec::new();
    for path in files_with_extension(fixtures, "sql") {
        let sql = std::fs::read_to_string(&path).unwrap_or_default();
        for token in lexer::lex(&sql) {
            // Cut before and after every token: mid-clause, mid-call, mid-literal.
            inputs.push(sql[..token.span.start as usize].to_string());
            inputs.push(sql[..token.span.end as usize].to_string());
            // And drop the token alone: a missing keyword, comma or paren.
            inputs.push(format!(
                "{}{}",
                &sql[..token.span.start as usize],
                &sql[token.span.end as usize..]
            ));
        }
    }
    assert!(
        inputs.len() > 1000,
        "too few mutated inputs: {}",
        inputs.len()
    );
    assert_no_panics("truncated fixtures", inputs);
}

#[test]
fn benchmark_queries_parse_without_errors() {
    let Some(dir) = corpus_dir("corpus tests pass without checking anything") else {
        return;
    };
    let mut failures = Vec::new();
    for benchmark in ["benchmarks/tpch.jsonl", "benchmarks/tpcds.jsonl"] {
        let path = dir.join(benchmark);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
            let sql = value["sql"].as_str().unwrap_or_default();
            let parsed = DuckDb.parse(sql, FileId(0));
            if let Some(error) = first_error(&parsed.diagnostics) {
                failures.push(format!(
                    "{benchmark} {}: {} {}",
                    value["id"], error.code, error.message
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "benchmark queries with errors:\n{}",
        failures.join("\n")
    );
}

#[test]
fn parser_survives_deep_nesting() {
    // Within the budget (99 levels, 260 chained operators): parsed, lowered
    // and printed without errors and without exhausting a test thread's stack.
    let nesting = 99;
    let chain = 260;
    let within_budget = vec![
        format!("select {}1{}", "(".repeat(nesting), ")".repeat(nesting)),
        format!(
            "select {}1{}",
            "(select ".repeat(nesting / 2),
            ")".repeat(nesting / 2)
        ),
        format!(
            "select {}1{}",
            "f(".repeat(nesting / 2),
            ")".repeat(nesting / 2)
        ),
        format!("select {}1", "- ".repeat(nesting)),
        format!("select 1{}", " + 1".repeat(chain)),
        format!("select 1 {}", "union all select 1 ".repeat(chain)),
        format!("select * from t{}", " join t using (id)".repeat(chain)),
        format!("select x{}", "[1]".repeat(chain)),
    ];
    for sql in &within_budget {
        let parsed = DuckDb.parse(sql, FileId(0));
        let syntax = DuckDb.parse_syntax(sql, FileId(0));
        fusion_dialects::syntax::printer::print_syntax_tree(&syntax.statements, sql);
        for statement in &parsed.statements {
            let _ = statement.display().to_string();
        }
        assert!(
            parsed.diagnostics.is_empty(),
            "{:?} for {}...",
            parsed.diagnostics,
            &sql[..60.min(sql.len())]
        );
    }
    // Far beyond it: one diagnostic or a few, never a crash.
    let depth = 5_000;
    let inputs = vec![
        format!("select {}1{}", "(".repeat(depth), ")".repeat(depth)),
        format!("select {}1{}", "(select ".repeat(depth), ")".repeat(depth)),
        format!("select {}1{}", "f(".repeat(depth), ")".repeat(depth)),
        format!("select {}1{}", "[".repeat(depth), "]".repeat(depth)),
        format!("select {}1", "- ".repeat(depth)),
        format!("select {}true", "not ".repeat(depth)),
        format!("select 1{}", " + 1".repeat(depth)),
        format!("select x{}", "[1]".repeat(depth)),
        format!("select x{}", "::int".repeat(depth)),
        format!(
            "select {}1{}",
            "case when true then ".repeat(depth),
            " end".repeat(depth)
        ),
        format!(
            "select cast(x as {}int{})",
            "struct(a ".repeat(depth),
            ")".repeat(depth)
        ),
        format!("select * from {}t{}", "(".repeat(depth), ")".repeat(depth)),
        format!(
            "select * from {}t{}",
            "(select * from ".repeat(depth),
            ")".repeat(depth)
        ),
        format!("select 1 {}", "union select 1 ".repeat(depth)),
        format!(
            "with {} select 1",
            vec!["a as (select 1)"; depth].join(", ")
        ),
        format!("select * from t{}", " join t on true".repeat(depth)),
    ];
    for sql in &inputs {
        let parsed = DuckDb.parse(sql, FileId(0));
        let syntax = DuckDb.parse_syntax(sql, FileId(0));
        fusion_dialects::syntax::printer::print_syntax_tree(&syntax.statements, sql);
        for statement in &parsed.statements {
            let _ = statement.display().to_string();
        }
        let _ = DuckDb.parse_expression(sql, FileId(0));
        assert!(
            parsed.diagnostics.len() <= 3,
            "deep nesting should give at most a few diagnostics, got {:?} for {}...",
            parsed.diagnostics,
            &sql[..60.min(sql.len())]
        );
    }
}
