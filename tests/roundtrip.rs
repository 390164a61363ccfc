//! Parse → print → parse over sqlglot's cases for every dialect
//! (`../shared/corpus`, read at test time, never copied here): every case
//! that parses (statements, or a bare expression, as `tests/corpus.rs` counts it) is printed back to SQL with
//! `sql_printer::print_sql`, parsed again with the same dialect, and the two
//! syntax trees are compared without their spans. The cases that do not
//! round-trip are snapshotted per dialect so progress shows as a shrinking
//! file. The hand-written parser fixtures (`tests/parser/<dialect>/ok/`) must
//! round-trip, and their printed SQL is snapshotted.

use fusion_dialects::syntax::ast;
use fusion_dialects::syntax::printer::{print_expression_tree, print_syntax_tree};
use fusion_dialects::syntax::sql_printer::{print_sql, print_sql_expression};
use fusion_dialects::{dialect_for_adapter, Dialect};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::FileId;
use fusionc_tests::{corpus_cases, corpus_dir};
use std::fmt::Write;

fn dialect(name: &str) -> &'static dyn Dialect {
    dialect_for_adapter(name).unwrap_or_else(|| panic!("no dialect {name}"))
}

fn first_error(diagnostics: &[Diagnostic]) -> Option<&Diagnostic> {
    diagnostics.iter().find(|diagnostic| diagnostic.is_error())
}

/// A compact tree without its byte offsets: every node line of
/// `print_syntax_tree` ends in its span (`(head 3..10` or `(head 3..10))`),
/// which differs between the source and the printed SQL.
fn without_spans(tree: &str) -> String {
    let mut out = String::with_capacity(tree.len());
    for line in tree.lines() {
        let closing = line.len() - line.trim_end_matches(')').len();
        let body = &line[..line.len() - closing];
        let stripped = match body.rsplit_once(' ') {
            Some((head, span)) if is_span(span) => head,
            _ => body,
        };
        out.push_str(stripped);
        out.push_str(&line[line.len() - closing..]);
        out.push('\n');
    }
    out
}

/// `12..40`.
fn is_span(text: &str) -> bool {
    text.split_once("..").is_some_and(|(start, end)| {
        !start.is_empty()
            && !end.is_empty()
            && start.bytes().all(|byte| byte.is_ascii_digit())
            && end.bytes().all(|byte| byte.is_ascii_digit())
    })
}

enum Outcome {
    /// The case does not parse without errors: not a round-trip case.
    NotParsed,
    RoundTrips {
        opaque_only: bool,
    },
    Fails {
        printed: String,
        reason: String,
    },
}

/// Round-trips `sql` the way the corpus runner (`tests/corpus.rs`) counts
/// it as parsed: as statements when they parse without errors and hold a
/// query; otherwise as a bare expression when it parses as one (`x::int`);
/// otherwise as statements when they parse without errors (opaque only).
fn round_trip(dialect: &dyn Dialect, sql: &str) -> Outcome {
    let statements = dialect.parse_syntax(sql, FileId(0));
    let statements_parse =
        first_error(&statements.diagnostics).is_none() && !statements.statements.is_empty();
    let has_query = statements
        .statements
        .iter()
        .any(|statement| matches!(statement, ast::Statement::Query(_)));
    if statements_parse && has_query {
        return round_trip_statements(dialect, sql, &statements.statements);
    }
    let (expression, expression_diagnostics) = dialect.parse_expression(sql, FileId(0));
    if first_error(&expression_diagnostics).is_none() {
        let printed = print_sql_expression(&expression, sql);
        let (again, again_diagnostics) = dialect.parse_expression(&printed, FileId(0));
        return compare(
            first_error(&again_diagnostics),
            print_expression_tree(&expression, sql),
            || print_expression_tree(&again, &printed),
            printed.clone(),
            false,
        );
    }
    if statements_parse {
        return round_trip_statements(dialect, sql, &statements.statements);
    }
    Outcome::NotParsed
}

fn round_trip_statements(
    dialect: &dyn Dialect,
    sql: &str,
    statements: &[ast::Statement],
) -> Outcome {
    let opaque_only = statements
        .iter()
        .all(|statement| matches!(statement, ast::Statement::Opaque { .. }));
    let printed = print_sql(statements, sql);
    let second = dialect.parse_syntax(&printed, FileId(0));
    compare(
        first_error(&second.diagnostics),
        print_syntax_tree(statements, sql),
        || print_syntax_tree(&second.statements, &printed),
        printed.clone(),
        opaque_only,
    )
}

/// Compares the tree of the source with the tree of the printed SQL, both
/// without spans, unless the printed SQL did not parse again.
fn compare(
    reparse_error: Option<&Diagnostic>,
    expected_tree: String,
    actual_tree: impl FnOnce() -> String,
    printed: String,
    opaque_only: bool,
) -> Outcome {
    if let Some(error) = reparse_error {
        let at = error
            .primary
            .as_ref()
            .map(|label| {
                let span = label.location.span;
                format!(" at {:?}", printed.get(span.range()).unwrap_or(""))
            })
            .unwrap_or_default();
        return Outcome::Fails {
            reason: format!("reparse: {}{at}: {}", error.code, error.message),
            printed,
        };
    }
    let expected = without_spans(&expected_tree);
    let actual = without_spans(&actual_tree());
    if expected == actual {
        return Outcome::RoundTrips { opaque_only };
    }
    let difference = expected
        .lines()
        .zip(actual.lines())
        .find(|(expected, actual)| expected != actual)
        .map(|(expected, actual)| {
            format!(
                "tree differs: expected `{}`, got `{}`",
                expected.trim(),
                actual.trim()
            )
        })
        .unwrap_or_else(|| "tree differs in length".to_string());
    Outcome::Fails {
        printed,
        reason: difference,
    }
}

fn check_corpus_round_trip(dialect: &dyn Dialect, files: &[&str], snapshot_name: &str) {
    let Some(dir) = corpus_dir("round-trip tests pass without checking anything") else {
        return;
    };
    let mut failures = String::new();
    let (mut parsed, mut round_trips, mut opaque) = (0, 0, 0);
    for file in files {
        for case in corpus_cases(&dir.join("parse").join(file)) {
            let (line, sql) = (case.line, case.sql);
            let origin = if files.len() > 1 {
                format!("{file} ")
            } else {
                String::new()
            };
            match round_trip(dialect, &sql) {
                Outcome::NotParsed => {}
                Outcome::RoundTrips { opaque_only } => {
                    parsed += 1;
                    round_trips += 1;
                    if opaque_only {
                        opaque += 1;
                    }
                }
                Outcome::Fails { printed, reason } => {
                    parsed += 1;
                    let _ = writeln!(
                        failures,
                        "{origin}line {line}: {}\n    printed: {}\n    {reason}",
                        sql.replace('\n', " "),
                        printed.replace('\n', " ")
                    );
                }
            }
        }
    }
    let summary = format!(
        "round-trip exactly: {round_trips}/{parsed} cases that parse (as the corpus runner counts them; of which {opaque} only opaque statements)\n\n"
    );
    eprintln!("{snapshot_name}: {summary}");
    insta::assert_snapshot!(snapshot_name, format!("{summary}{failures}"));
}

#[test]
fn duckdb_corpus_round_trip() {
    check_corpus_round_trip(dialect("duckdb"), &["duckdb.jsonl"], "duckdb_failures");
}

#[test]
fn snowflake_corpus_round_trip() {
    check_corpus_round_trip(
        dialect("snowflake"),
        &["snowflake.jsonl"],
        "snowflake_failures",
    );
}

#[test]
fn bigquery_corpus_round_trip() {
    check_corpus_round_trip(
        dialect("bigquery"),
        &["bigquery.jsonl"],
        "bigquery_failures",
    );
}

#[test]
fn databricks_corpus_round_trip() {
    check_corpus_round_trip(
        dialect("databricks"),
        &["databricks.jsonl", "spark.jsonl"],
        "databricks_failures",
    );
}

#[test]
fn redshift_corpus_round_trip() {
    check_corpus_round_trip(
        dialect("redshift"),
        &["redshift.jsonl"],
        "redshift_failures",
    );
}

#[test]
fn postgres_corpus_round_trip() {
    check_corpus_round_trip(
        dialect("postgres"),
        &["postgres.jsonl"],
        "postgres_failures",
    );
}

/// Every hand-written parser fixture that parses
/// (`tests/parser/<dialect>/ok/*.sql`) must round-trip; its printed SQL is
/// snapshotted next to it.
#[test]
fn parser_fixtures_round_trip() {
    for name in [
        "duckdb",
        "snowflake",
        "bigquery",
        "databricks",
        "redshift",
        "postgres",
    ] {
        let dialect = dialect(name);
        insta::glob!(&format!("parser/{name}/ok/*.sql"), |path| {
            let sql = std::fs::read_to_string(path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            let parsed = dialect.parse_syntax(&sql, FileId(0));
            if let Some(error) = first_error(&parsed.diagnostics) {
                panic!("{}: {} {}", path.display(), error.code, error.message);
            }
            match round_trip_statements(dialect, &sql, &parsed.statements) {
                Outcome::RoundTrips { .. } => {}
                Outcome::NotParsed => panic!("{}: does not parse", path.display()),
                Outcome::Fails { printed, reason } => {
                    panic!("{}: {reason}\nprinted:\n{printed}", path.display())
                }
            }
            insta::assert_snapshot!(format!("{}\n", print_sql(&parsed.statements, &sql)));
        });
    }
}
