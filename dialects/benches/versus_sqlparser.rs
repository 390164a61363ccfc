//! fusionc's front ends next to sqlparser-rs (`cargo bench -p fusion-dialects --bench
//! versus_sqlparser`): for every dialect, lexing and parsing the TPC-H and
//! TPC-DS queries of `../shared/corpus/benchmarks` with fusionc, and parsing
//! the same queries with sqlparser-rs in its matching dialect, as throughput
//! in bytes per second.
//!
//! sqlparser-rs stops at a statement's first error while fusionc always
//! returns a tree, so the comparison runs only over the queries that both
//! parse: sqlparser-rs returns `Ok` and fusionc reports no error. The
//! queries left out are counted and printed per dialect before measuring.
//! Every query is parsed on its own by both, so neither gains from one
//! large text.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fusion_dialects::{dialect_for_adapter, Dialect};
use fusion_ir::span::FileId;
use sqlparser::dialect::{
    BigQueryDialect, DatabricksDialect, Dialect as SqlparserDialect, DuckDbDialect,
    PostgreSqlDialect, RedshiftSqlDialect, SnowflakeDialect,
};
use sqlparser::parser::Parser;
use std::path::Path;

/// A fusionc dialect, its lexer, and the sqlparser-rs dialect that matches it.
struct DialectPair {
    name: &'static str,
    lex: fn(&str) -> usize,
    sqlparser: Box<dyn SqlparserDialect>,
}

fn dialect_pairs() -> Vec<DialectPair> {
    vec![
        DialectPair {
            name: "duckdb",
            lex: |sql| fusion_dialects::duckdb::lexer::lex(sql).len(),
            sqlparser: Box::new(DuckDbDialect {}),
        },
        DialectPair {
            name: "snowflake",
            lex: |sql| fusion_dialects::snowflake::lexer::lex(sql).len(),
            sqlparser: Box::new(SnowflakeDialect),
        },
        DialectPair {
            name: "bigquery",
            lex: |sql| fusion_dialects::bigquery::lexer::lex(sql).len(),
            sqlparser: Box::new(BigQueryDialect),
        },
        DialectPair {
            name: "databricks",
            lex: |sql| fusion_dialects::databricks::lexer::lex(sql).len(),
            sqlparser: Box::new(DatabricksDialect {}),
        },
        DialectPair {
            // Redshift lexes with the Postgres lexer.
            name: "redshift",
            lex: |sql| fusion_dialects::postgres::lexer::lex(sql).len(),
            sqlparser: Box::new(RedshiftSqlDialect {}),
        },
        DialectPair {
            name: "postgres",
            lex: |sql| fusion_dialects::postgres::lexer::lex(sql).len(),
            sqlparser: Box::new(PostgreSqlDialect {}),
        },
    ]
}

/// The queries of one benchmark set (`tpch`, `tpcds`) with their ids, or
/// nothing when the shared corpus is not beside the repository.
fn benchmark_queries(set: &str) -> Option<Vec<(String, String)>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/benchmarks")
        .join(format!("{set}.jsonl"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "benches: {} not found; versus_sqlparser skipped",
            path.display()
        );
        return None;
    };
    Some(
        text.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|case| {
                let id = case["id"].as_str().unwrap_or_default().to_string();
                case["sql"].as_str().map(|sql| (id, sql.to_string()))
            })
            .collect(),
    )
}

fn fusionc_parses(dialect: &dyn Dialect, sql: &str) -> bool {
    !dialect
        .parse_syntax(sql, FileId(0))
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.is_error())
}

fn versus_sqlparser(criterion: &mut Criterion) {
    for set in ["tpch", "tpcds"] {
        let Some(queries) = benchmark_queries(set) else {
            continue;
        };
        for pair in dialect_pairs() {
            let Some(dialect) = dialect_for_adapter(pair.name) else {
                eprintln!("benches: fusionc has no dialect {}", pair.name);
                continue;
            };
            let mut sqlparser_failures = Vec::new();
            let mut fusionc_failures = Vec::new();
            let mut both = Vec::new();
            for (id, sql) in &queries {
                let sqlparser_ok = Parser::parse_sql(&*pair.sqlparser, sql).is_ok();
                let fusionc_ok = fusionc_parses(dialect, sql);
                if !sqlparser_ok {
                    sqlparser_failures.push(id.as_str());
                }
                if !fusionc_ok {
                    fusionc_failures.push(id.as_str());
                }
                if sqlparser_ok && fusionc_ok {
                    both.push(sql.as_str());
                }
            }
            eprintln!(
                "versus_sqlparser {set}/{}: {} queries; sqlparser-rs fails on {} {:?}, \
                 fusionc on {} {:?}; measuring the {} both parse",
                pair.name,
                queries.len(),
                sqlparser_failures.len(),
                sqlparser_failures,
                fusionc_failures.len(),
                fusionc_failures,
                both.len()
            );
            if both.is_empty() {
                continue;
            }
            let bytes: usize = both.iter().map(|sql| sql.len()).sum();
            let mut group =
                criterion.benchmark_group(format!("versus_sqlparser/{set}/{}", pair.name));
            group.throughput(Throughput::Bytes(bytes as u64));
            group.bench_function("fusionc_lex", |bencher| {
                bencher.iter(|| both.iter().map(|sql| (pair.lex)(sql)).sum::<usize>())
            });
            group.bench_function("fusionc_parse", |bencher| {
                bencher.iter(|| {
                    both.iter()
                        .map(|sql| dialect.parse_syntax(sql, FileId(0)).statements.len())
                        .sum::<usize>()
                })
            });
            group.bench_function("fusionc_parse_and_lower", |bencher| {
                bencher.iter(|| {
                    both.iter()
                        .map(|sql| dialect.parse(sql, FileId(0)).statements.len())
                        .sum::<usize>()
                })
            });
            group.bench_function("sqlparser_parse", |bencher| {
                bencher.iter(|| {
                    both.iter()
                        .map(|sql| {
                            Parser::parse_sql(&*pair.sqlparser, sql)
                                .map(|statements| statements.len())
                                .unwrap_or(0)
                        })
                        .sum::<usize>()
                })
            });
            group.finish();
        }
    }
}

criterion_group!(benches, versus_sqlparser);
criterion_main!(benches);
