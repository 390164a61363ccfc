//! Parser fixtures: every `tests/parser/<dialect>/ok/*.sql` and
//! `tests/parser/<dialect>/err/*.sql` is parsed with that dialect's front end and
//! snapshotted as three sections: the syntax tree, the lowered IR and the
//! diagnostics. `ok` fixtures must parse without errors, `err` fixtures
//! must report at least one.

use fusion_dialects::duckdb::DuckDb;
use fusion_dialects::syntax::printer::print_syntax_tree;
use fusion_dialects::{dialect_for_adapter, Dialect};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::FileId;
use std::fmt::Write;

fn describe_diagnostics(sql: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let location = match &diagnostic.primary {
            Some(label) => {
                let span = label.location.span;
                let text = sql.get(span.range()).unwrap_or("");
                format!("{}..{} {:?}", span.start, span.end, text)
            }
            None => "-".to_string(),
        };
        let _ = writeln!(
            out,
            "{} {:?} at {location}: {}",
            diagnostic.code, diagnostic.severity, diagnostic.message
        );
        if let Some(help) = &diagnostic.help {
            let _ = writeln!(out, "    help: {help}");
        }
    }
    if out.is_empty() {
        out.push_str("(none)\n");
    }
    out
}

/// The snapshot text of one fixture, and whether it had error diagnostics.
fn render(sql: &str) -> (String, bool) {
    render_in(&DuckDb, sql)
}

/// The snapshot text of one fixture in `dialect`, and whether it had errors.
fn render_in(dialect: &dyn Dialect, sql: &str) -> (String, bool) {
    let file = FileId(0);
    let syntax = dialect.parse_syntax(sql, file);
    let parsed = dialect.parse(sql, file);
    assert_eq!(
        syntax.diagnostics, parsed.diagnostics,
        "lowering must not change what the parser reported"
    );
    let mut out = String::new();
    out.push_str("## Syntax tree\n");
    out.push_str(&print_syntax_tree(&syntax.statements, sql));
    out.push_str("## IR\n");
    for statement in &parsed.statements {
        out.push_str(&statement.display().to_string());
    }
    out.push_str("## Diagnostics\n");
    out.push_str(&describe_diagnostics(sql, &parsed.diagnostics));
    let has_errors = parsed.diagnostics.iter().any(Diagnostic::is_error);
    (out, has_errors)
}

fn read_fixture(path: &std::path::Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

#[test]
fn duckdb_ok_fixtures_parse_without_errors() {
    insta::glob!("parser/duckdb/ok/*.sql", |path| {
        let sql = read_fixture(path);
        let (snapshot, has_errors) = render(&sql);
        assert!(
            !has_errors,
            "{} reported errors:\n{snapshot}",
            path.display()
        );
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn duckdb_err_fixtures_report_errors() {
    insta::glob!("parser/duckdb/err/*.sql", |path| {
        let sql = read_fixture(path);
        let (snapshot, has_errors) = render(&sql);
        assert!(
            has_errors,
            "{} reported no error:\n{snapshot}",
            path.display()
        );
        insta::assert_snapshot!(snapshot);
    });
}

macro_rules! dialect_fixture_tests {
    ($ok_test:ident, $err_test:ident, $dialect:literal) => {
        #[test]
        fn $ok_test() {
            let dialect = dialect_for_adapter($dialect).expect("a known dialect");
            insta::glob!(concat!("parser/", $dialect, "/ok/*.sql"), |path| {
                let sql = read_fixture(path);
                let (snapshot, has_errors) = render_in(dialect, &sql);
                assert!(
                    !has_errors,
                    "{} reported errors:\n{snapshot}",
                    path.display()
                );
                insta::assert_snapshot!(snapshot);
            });
        }

        #[test]
        fn $err_test() {
            let dialect = dialect_for_adapter($dialect).expect("a known dialect");
            insta::glob!(concat!("parser/", $dialect, "/err/*.sql"), |path| {
                let sql = read_fixture(path);
                let (snapshot, has_errors) = render_in(dialect, &sql);
                assert!(
                    has_errors,
                    "{} reported no error:\n{snapshot}",
                    path.display()
                );
                insta::assert_snapshot!(snapshot);
            });
        }
    };
}

dialect_fixture_tests!(
    snowflake_ok_fixtures_parse_without_errors,
    snowflake_err_fixtures_report_errors,
    "snowflake"
);
dialect_fixture_tests!(
    bigquery_ok_fixtures_parse_without_errors,
    bigquery_err_fixtures_report_errors,
    "bigquery"
);
dialect_fixture_tests!(
    databricks_ok_fixtures_parse_without_errors,
    databricks_err_fixtures_report_errors,
    "databricks"
);
dialect_fixture_tests!(
    postgres_ok_fixtures_parse_without_errors,
    postgres_err_fixtures_report_errors,
    "postgres"
);
dialect_fixture_tests!(
    redshift_ok_fixtures_parse_without_errors,
    redshift_err_fixtures_report_errors,
    "redshift"
);
