//! Property-based fuzzing of every dialect's lexer and parser: generated
//! inputs must never make them panic or hang. Three kinds of input: random
//! bytes and strings; SQL-like token soup (keywords, operators, quotes,
//! brackets, dollar-quotes, backticks, comments, numbers); and mutations
//! (insertions, deletions, truncations, duplicated spans) of real queries
//! from `../shared/corpus`, read at test time and never copied here.
//! Whatever parses is also lowered and printed, so the printers are fuzzed
//! too. Each case runs on a worker thread with a generous time budget: the
//! budget only detects hangs, it says nothing about speed.
//!
//! Inputs that once panicked or hung live in `tests/fuzz_regressions/`, one
//! file each, and are replayed on every run.
//!
//! `FUSIONC_FUZZ_CASES=<n>` sets the number of cases per strategy and
//! dialect (default 256); `FUSIONC_FUZZ_LAST_INPUT=<prefix>` writes each
//! input to `<prefix>.<test>.<dialect>` before running it, so an abort (a
//! stack overflow) leaves the culprit behind.

use fusion_dialects::syntax::printer::print_syntax_tree;
use fusion_dialects::syntax::sql_printer::print_sql;
use fusion_dialects::{all_dialects, Dialect};
use fusion_ir::span::FileId;
use fusionc_tests::fuzzing::{apply_mutation, run_with_budget, Mutation};
use fusionc_tests::{corpus_dir, files_with_extension};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn case_count() -> u32 {
    fusionc_tests::fuzzing::case_count(256)
}

/// The lexer a dialect parses with (Redshift lexes as Postgres does).
fn lexer_of(dialect_name: &str) -> fn(&str) -> usize {
    match dialect_name {
        "duckdb" => |sql| fusion_dialects::duckdb::lexer::lex(sql).len(),
        "snowflake" => |sql| fusion_dialects::snowflake::lexer::lex(sql).len(),
        "bigquery" => |sql| fusion_dialects::bigquery::lexer::lex(sql).len(),
        "databricks" => |sql| fusion_dialects::databricks::lexer::lex(sql).len(),
        "redshift" | "postgres" => |sql| fusion_dialects::postgres::lexer::lex(sql).len(),
        other => panic!("the fuzz test does not know the lexer of dialect {other}"),
    }
}

/// Everything a front end does with user SQL: lex, parse and lower, parse
/// the syntax tree alone, parse as a bare expression, and print both trees.
/// Returns how much output it produced, so that nothing is optimised away.
fn run_front_end(dialect: &dyn Dialect, sql: &str) -> usize {
    let tokens = lexer_of(dialect.name())(sql);
    let parsed = dialect.parse(sql, FileId(0));
    let printed_ir: usize = parsed
        .statements
        .iter()
        .map(|statement| statement.display().to_string().len())
        .sum();
    let syntax = dialect.parse_syntax(sql, FileId(0));
    let printed_tree = print_syntax_tree(&syntax.statements, sql).len();
    // The SQL printer, and the parser again on what it printed.
    let printed_sql = print_sql(&syntax.statements, sql);
    let reparsed = dialect
        .parse_syntax(&printed_sql, FileId(0))
        .statements
        .len();
    let (_, expression_diagnostics) = dialect.parse_expression(sql, FileId(0));
    tokens
        + printed_ir
        + printed_tree
        + printed_sql.len()
        + reparsed
        + parsed.diagnostics.len()
        + expression_diagnostics.len()
}

/// Runs the front end of `dialect` over `sql` on a worker thread and
/// reports a panic or a run past the hang budget as an error naming the
/// input.
fn check_input(dialect: &'static dyn Dialect, sql: &str) -> Result<usize, String> {
    if let Some(path) = std::env::var_os("FUSIONC_FUZZ_LAST_INPUT") {
        // One file per test thread: the tests run in parallel.
        let mut path = PathBuf::from(path).into_os_string();
        path.push(format!(
            ".{}.{}",
            std::thread::current().name().unwrap_or("main"),
            dialect.name()
        ));
        let _ = std::fs::write(path, sql);
    }
    let owned = sql.to_string();
    // Dialects are stateless unit structs: nothing can be left half-updated.
    run_with_budget(format!("fuzz-{}", dialect.name()), move || {
        run_front_end(dialect, &owned)
    })
    .map_err(|failure| format!("{} {failure} on {sql:?}", dialect.name()))
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: case_count(),
        // Failures are kept as fixture files in tests/fuzz_regressions/, by hand.
        failure_persistence: None,
        max_shrink_iters: 2_000,
        max_shrink_time: 120_000,
        ..Config::default()
    })
}

/// Runs `strategy` against every dialect, each dialect with its own runner
/// (so each gets the full case count), and fails with the shrunk input.
fn fuzz_every_dialect(label: &str, strategy: impl Strategy<Value = String> + Clone) {
    let mut checked = 0usize;
    for dialect in all_dialects() {
        let mut runner = runner();
        let outcome = runner.run(&strategy, |sql| {
            check_input(dialect, &sql).map_err(TestCaseError::fail)?;
            Ok(())
        });
        if let Err(failure) = outcome {
            panic!("{label}, dialect {}: {failure}", dialect.name());
        }
        checked += 1;
    }
    eprintln!(
        "{label}: {} cases for each of {checked} dialects",
        case_count()
    );
    assert_eq!(checked, all_dialects().len());
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Pieces of SQL-like text, chosen to hit the places where lexers and
/// parsers differ: quoting and string forms, comments, dollar-quotes,
/// backticks, parameters, paths, brackets, and every clause keyword.
const TOKENS: &[&str] = &[
    // Clause and expression keywords.
    "select",
    "SELECT",
    "from",
    "where",
    "group",
    "by",
    "having",
    "order",
    "limit",
    "offset",
    "qualify",
    "with",
    "recursive",
    "as",
    "join",
    "left",
    "right",
    "full",
    "outer",
    "inner",
    "cross",
    "natural",
    "lateral",
    "asof",
    "positional",
    "semi",
    "anti",
    "on",
    "using",
    "union",
    "all",
    "intersect",
    "except",
    "minus",
    "distinct",
    "case",
    "when",
    "then",
    "else",
    "end",
    "cast",
    "try_cast",
    "safe_cast",
    "interval",
    "over",
    "partition",
    "rows",
    "range",
    "groups",
    "between",
    "unbounded",
    "preceding",
    "following",
    "current",
    "row",
    "in",
    "not",
    "null",
    "is",
    "and",
    "or",
    "like",
    "ilike",
    "rlike",
    "similar",
    "to",
    "escape",
    "exists",
    "any",
    "some",
    "values",
    "pivot",
    "unpivot",
    "for",
    "window",
    "filter",
    "within",
    "respect",
    "ignore",
    "nulls",
    "first",
    "last",
    "asc",
    "desc",
    "exclude",
    "replace",
    "rename",
    "columns",
    "struct",
    "array",
    "map",
    "list",
    "date",
    "timestamp",
    "time",
    "true",
    "false",
    "insert",
    "into",
    "create",
    "table",
    "view",
    "or",
    "temporary",
    "merge",
    "update",
    "delete",
    "set",
    "tablesample",
    "sample",
    "unnest",
    "flatten",
    "rollup",
    "cube",
    "grouping",
    "sets",
    "collate",
    "at",
    "zone",
    "extract",
    "position",
    "substring",
    "trim",
    "leading",
    "overlay",
    "connect",
    "prior",
    "match_recognize",
    "changes",
    "before",
    "qualify",
    "distribute",
    "cluster",
    "sort",
    "transform",
    "fetch",
    "next",
    "only",
    "ties",
    "returning",
    "do",
    // Names and calls.
    "t",
    "a",
    "b.c",
    "x",
    "f(",
    "count(*)",
    "sum(",
    "generate_series(",
    "\"Quoted\"",
    "`back`",
    "`",
    "[col]",
    "db.schema.t",
    "$1",
    "?",
    ":name",
    "@var",
    "@@session",
    "${x}",
    // Operators and punctuation.
    "+",
    "-",
    "*",
    "/",
    "%",
    "||",
    "::",
    ":",
    ".",
    ",",
    ";",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "<",
    ">",
    "<=",
    ">=",
    "<>",
    "!=",
    "=",
    "==",
    "=>",
    "->",
    "->>",
    "#>",
    "#>>",
    "@>",
    "<@",
    "?|",
    "?&",
    "&&",
    "&",
    "|",
    "^",
    "~",
    "!",
    "!~",
    "~*",
    "@",
    "#",
    "$",
    "<<",
    ">>",
    "**",
    "//",
    "...",
    "..",
    ":=",
    "^@",
    "|>",
    // Literals: numbers of every shape, strings of every form, some unterminated.
    "0",
    "1",
    "42",
    "1.5",
    ".5",
    "1.",
    "1e10",
    "1E-3",
    "1e",
    "0x1F",
    "0b101",
    "1_000",
    "99999999999999999999999999999999999999",
    "-1",
    "'s'",
    "'it''s'",
    "'\\''",
    "'",
    "\"",
    "E'a\\nb'",
    "e'",
    "r'raw'",
    "R\"raw\"",
    "b'bytes'",
    "x'AB'",
    "X'",
    "N'nat'",
    "U&'u'",
    "'''triple'''",
    "\"\"\"doc\"\"\"",
    "$$body$$",
    "$$",
    "$tag$body$tag$",
    "$tag$",
    "$a",
    // Comments, terminated or not.
    "-- line\n",
    "--",
    "/* block */",
    "/*",
    "*/",
    "/* /* nested */ */",
    "# hash\n",
    "//x\n",
    // Jinja left in by mistake, and whitespace oddities.
    "{{ ref('m') }}",
    "{%",
    "%}",
    "\n",
    "\t",
    "\r\n",
    "\u{a0}",
    "\u{feff}",
    "é",
    "🦆",
    "\0",
];

fn token_soup() -> impl Strategy<Value = String> + Clone {
    let piece = prop_oneof![
        80 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        10 => "[a-zA-Z_][a-zA-Z0-9_$]{0,8}",
        10 => "[0-9.eE+\\-]{1,6}",
        10 => any::<char>().prop_map(String::from),
        // Runs of one token, for the depth guards: `((((`, `not not not`,
        // `case when case when`, `[[[[`, `x::int::int`.
        1 => (proptest::sample::select(TOKENS), 2usize..3_000)
            .prop_map(|(token, count)| format!("{token} ").repeat(count)),
    ];
    let separator = proptest::sample::select(&[" ", " ", " ", "", "\n"][..]);
    proptest::collection::vec((piece, separator), 0..120).prop_map(|pieces| {
        let mut sql = String::new();
        for (piece, separator) in pieces {
            sql.push_str(&piece);
            sql.push_str(separator);
        }
        sql
    })
}

fn random_text() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        proptest::collection::vec(
            proptest::sample::select(&b"'\"`$()[]{}-*/\\:;.,#@?!|<>=\n ae01"[..]),
            0..400
        )
        .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        any::<String>(),
        ".{0,200}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> + Clone {
    let piece = prop_oneof![
        4 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        3 => (any::<usize>(), piece).prop_map(|(at, piece)| Mutation::Insert { at, piece }),
        3 => (any::<usize>(), 1usize..40).prop_map(|(at, length)| Mutation::Delete { at, length }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        2 => (any::<usize>(), 1usize..80, any::<usize>())
            .prop_map(|(at, length, to)| Mutation::Duplicate { at, length, to }),
    ]
}

/// Every query of the corpus (`parse/*.jsonl`, `benchmarks/*.jsonl`), read
/// once per test binary.
fn corpus_queries(dir: &Path) -> &'static [String] {
    static QUERIES: OnceLock<Vec<String>> = OnceLock::new();
    QUERIES.get_or_init(|| {
        let mut files = Vec::new();
        for folder in ["parse", "benchmarks"] {
            files.extend(files_with_extension(&dir.join(folder), "jsonl"));
        }
        files.sort();
        let mut queries = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
            for line in text.lines().filter(|line| !line.trim().is_empty()) {
                let value: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
                if let Some(sql) = value["sql"].as_str() {
                    queries.push(sql.to_string());
                }
            }
        }
        queries
    })
}

fn mutated_queries(queries: &'static [String]) -> impl Strategy<Value = String> + Clone {
    (
        0..queries.len(),
        proptest::collection::vec(mutation(), 1..6),
    )
        .prop_map(move |(index, mutations)| {
            let mut sql = queries[index].clone();
            for mutation in &mutations {
                apply_mutation(&mut sql, mutation);
            }
            sql
        })
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn random_text_never_panics_or_hangs() {
    fuzz_every_dialect("random text", random_text());
}

#[test]
fn token_soup_never_panics_or_hangs() {
    fuzz_every_dialect("token soup", token_soup());
}

#[test]
fn mutated_corpus_queries_never_panic_or_hang() {
    let Some(dir) = corpus_dir("the mutation fuzzing is skipped") else {
        return;
    };
    let queries = corpus_queries(&dir);
    assert!(
        queries.len() > 100,
        "too few corpus queries in {}: {}",
        dir.display(),
        queries.len()
    );
    fuzz_every_dialect("mutated corpus queries", mutated_queries(queries));
}

/// Every input that once panicked or hung, replayed in every dialect. A
/// fixture holds the input byte for byte; its name starts with the dialect
/// it was found in, but all dialects run it.
#[test]
fn fuzz_regressions_never_panic_or_hang() {
    let folder = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz_regressions"
    ));
    let files = files_with_extension(folder, "sql");
    assert!(!files.is_empty(), "no fixtures in {}", folder.display());
    let mut failures = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
        let sql = String::from_utf8_lossy(&bytes);
        for dialect in all_dialects() {
            if let Err(failure) = check_input(dialect, &sql) {
                failures.push(format!("{}: {failure}", file.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fuzz regressions failed:\n{}",
        failures.join("\n")
    );
}
