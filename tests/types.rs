//! Function result types against the shared corpus
//! (`../shared/corpus/types/function_types.jsonl`), per dialect: each row's
//! query is parsed with the dialect, bound against the corpus table `tbl`,
//! and the type of its single output column is compared with the expected
//! type after mapping both to `SqlType`. Each dialect's disagreements are a
//! snapshot, so progress shows as a shrinking file.
//!
//! The corpus is a strong hint, not the authority: where the warehouse's
//! documentation gives a different result type, the documentation wins and
//! the row is listed in `DOCUMENTATION_OVERRIDES` with the reason.

use fusion_dialects::dialect_for_adapter;
use fusion_dialects::signature::type_text::{split_field, split_type_text};
use fusion_ir::codes::Code;
use fusion_ir::name::Name;
use fusion_ir::query::Statement;
use fusion_ir::schema::{Catalog, Column, RelationName, RelationSchema, Schema};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;
use fusion_ir::types::{SqlType, StructField, TimeZoneKind};
use fusion_passes::bind::bind_query;
use fusion_passes::lookup::CatalogLookup;
use std::fmt::Write as _;
use std::sync::Arc;

/// Rows whose expected type the warehouse's documentation contradicts:
/// (dialect, expression, the documented type in the corpus's spelling, why).
const DOCUMENTATION_OVERRIDES: &[(&str, &str, &str, &str)] = &[
    (
        "snowflake",
        "AI_CLASSIFY('text', ['travel', 'cooking'], {'output_mode': 'multi'})",
        "OBJECT",
        "Snowflake documents AI_CLASSIFY as returning an OBJECT with a `labels` array",
    ),
    (
        "snowflake",
        "COALESCE(1.5, 2.7)",
        "NUMBER(2, 1)",
        "Snowflake types the literal 1.5 as NUMBER(2,1) (fixed-point), not DOUBLE",
    ),
    (
        "snowflake",
        "NVL(1, 3.14)",
        "NUMBER(38, 2)",
        "fixed-point literals: NVL of NUMBER(38,0) and NUMBER(3,2) is NUMBER(38,2)",
    ),
    (
        "snowflake",
        "IFNULL(1.5, 2.7)",
        "NUMBER(2, 1)",
        "Snowflake types the literal 1.5 as NUMBER(2,1) (fixed-point), not DOUBLE",
    ),
    (
        "snowflake",
        "IFF(FALSE, 1.5, 2.7)",
        "NUMBER(2, 1)",
        "Snowflake types the literal 1.5 as NUMBER(2,1) (fixed-point), not DOUBLE",
    ),
    (
        "snowflake",
        "NULLIFZERO(5.5)",
        "NUMBER(2, 1)",
        "NULLIFZERO keeps its argument's type, and 5.5 is NUMBER(2,1)",
    ),
    (
        "snowflake",
        "ZEROIFNULL(5.5)",
        "NUMBER(2, 1)",
        "ZEROIFNULL keeps its argument's type, and 5.5 is NUMBER(2,1)",
    ),
];

/// The dialects measured, by adapter name.
const DIALECTS: &[&str] = &[
    "duckdb",
    "snowflake",
    "bigquery",
    "databricks",
    "postgres",
    "redshift",
];

/// The spellings to try, in order, for a sqlglot type name that dialects
/// spell differently.
fn alternatives(upper: &str) -> &'static [&'static str] {
    match upper {
        "BINARY" | "VARBINARY" | "BYTES" | "BLOB" => {
            &["BINARY", "BYTES", "BLOB", "BYTEA", "VARBYTE", "VARBINARY"]
        }
        "STRING" | "TEXT" | "VARCHAR" => &["STRING", "VARCHAR", "TEXT"],
        "DOUBLE" => &["DOUBLE", "FLOAT64", "DOUBLE PRECISION"],
        "FLOAT" => &["FLOAT", "FLOAT64", "REAL"],
        "INT" => &["INT", "INTEGER", "INT64"],
        "BIGINT" => &["BIGINT", "INT64"],
        "TINYINT" => &["TINYINT", "SMALLINT", "INT64"],
        "BIGNUMERIC" | "BIGDECIMAL" => &["BIGNUMERIC", "DECIMAL(38,9)", "NUMERIC(38,9)"],
        "DECFLOAT" => &["DECFLOAT", "DOUBLE", "FLOAT64", "DOUBLE PRECISION"],
        "OBJECT" => &["OBJECT", "JSON", "VARIANT", "SUPER"],
        "BOOLEAN" => &["BOOLEAN", "BOOL"],
        "NUMERIC" | "DECIMAL" => &["NUMERIC", "DECIMAL"],
        _ => &[],
    }
}

/// Maps a type as the corpus spells it (sqlglot's names) onto `SqlType`
/// through the dialect's own type names.
fn corpus_type(dialect: &str, semantics: &dyn DialectSemantics, text: &str) -> SqlType {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    match upper.as_str() {
        "UNKNOWN" => return SqlType::Unknown,
        "TIMESTAMPNTZ" => {
            return SqlType::Timestamp {
                zone: TimeZoneKind::Without,
            }
        }
        "TIMESTAMPLTZ" => {
            return SqlType::Timestamp {
                zone: TimeZoneKind::Local,
            }
        }
        // sqlglot's TIMESTAMPTZ is Snowflake's TIMESTAMP_TZ, and elsewhere
        // an instant (BigQuery TIMESTAMP, Postgres timestamptz).
        "TIMESTAMPTZ" => {
            return SqlType::Timestamp {
                zone: if dialect == "snowflake" {
                    TimeZoneKind::WithOffset
                } else {
                    TimeZoneKind::Local
                },
            }
        }
        _ => {}
    }
    if let Some(parsed) = split_type_text(text) {
        let arguments = parsed.arguments.clone().unwrap_or_default();
        match (
            parsed.base.as_str(),
            parsed.angle_brackets,
            arguments.as_slice(),
        ) {
            ("ARRAY", true, [element]) => {
                return SqlType::Array(Box::new(corpus_type(dialect, semantics, element)))
            }
            ("MAP", true, [key, value]) => {
                return SqlType::Map(Box::new((
                    corpus_type(dialect, semantics, key),
                    corpus_type(dialect, semantics, value),
                )))
            }
            ("STRUCT", true, fields) => {
                let fields = fields
                    .iter()
                    .map(|field| match split_field(field) {
                        Some((name, ty)) => StructField {
                            name: Name::new(&name),
                            ty: corpus_type(dialect, semantics, ty),
                        },
                        None => StructField {
                            name: Name::new(""),
                            ty: corpus_type(dialect, semantics, field),
                        },
                    })
                    .collect();
                return SqlType::Struct(fields);
            }
            _ => {}
        }
    }
    std::iter::once(text)
        .chain(alternatives(&upper).iter().copied())
        .find_map(|spelling| semantics.parse_type_name(spelling))
        .unwrap_or_else(|| SqlType::Other(Name::new(&upper)))
}

/// The corpus, or `None` (with a notice) when it is not checked out beside
/// the repository.
fn corpus_folder() -> Option<std::path::PathBuf> {
    let folder = fusionc_tests::repository_root().join("../shared/corpus/types");
    if folder.is_dir() {
        return Some(folder);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the shared corpus is missing at {}",
        folder.display()
    );
    eprintln!(
        "notice: {} is missing; the corpus type test is skipped",
        folder.display()
    );
    None
}

struct Agreement {
    total: usize,
    agreeing: usize,
    report: String,
}

fn measure(folder: &std::path::Path, dialect_name: &str) -> Agreement {
    let Some(dialect) = dialect_for_adapter(dialect_name) else {
        panic!("no dialect {dialect_name}");
    };
    let semantics = dialect.semantics();
    let schema_text =
        std::fs::read_to_string(folder.join("function_types.schema.json")).expect("schema file");
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let mut catalog = Catalog::default();
    for (table, columns) in schema.as_object().into_iter().flatten() {
        let columns = columns
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, ty)| {
                Column::new(
                    Name::new(name),
                    corpus_type(dialect_name, semantics, ty.as_str().unwrap_or("")),
                    true,
                )
            })
            .collect();
        catalog.relations.insert(
            RelationName {
                database: None,
                schema: None,
                identifier: semantics.fold_identifier(&fusion_ir::query::Ident {
                    name: Name::new(table),
                    quoted: false,
                    span: fusion_ir::span::Span::default(),
                }),
            },
            RelationSchema::Known(Arc::new(Schema::new(columns))),
        );
    }
    let lookup = CatalogLookup::new(&catalog, semantics);
    let cases = std::fs::read_to_string(folder.join("function_types.jsonl")).expect("cases file");
    let mut agreement = Agreement {
        total: 0,
        agreeing: 0,
        report: String::new(),
    };
    for line in cases.lines().filter(|line| !line.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("case is JSON");
        if case["dialect"] != dialect_name {
            continue;
        }
        agreement.total += 1;
        let expression = case["expr"].as_str().unwrap_or("");
        let sql = case["query"].as_str().unwrap_or("");
        let override_type = DOCUMENTATION_OVERRIDES
            .iter()
            .find(|(dialect, overridden, _, _)| {
                *dialect == dialect_name && *overridden == expression
            });
        let expected_text = override_type
            .map(|(_, _, documented, _)| *documented)
            .unwrap_or_else(|| case["expected_type"].as_str().unwrap_or(""));
        let expected = corpus_type(dialect_name, semantics, expected_text);
        let parsed = dialect.parse(sql, FileId(0));
        let got = match parsed.statements.first() {
            Some(Statement::Query(query)) if parsed.diagnostics.iter().all(|d| !d.is_error()) => {
                let bound = bind_query(query, &lookup, semantics, FileId(0));
                // Rows that name columns the corpus schema leaves out are
                // still measured: the binder types such a column as unknown
                // and goes on. Likewise rows that call a window function
                // without OVER (the corpus lists expressions out of their
                // window): the error is right, the type is still measured.
                match (
                    &bound.output,
                    bound.diagnostics.iter().find(|diagnostic| {
                        diagnostic.is_error()
                            && !matches!(
                                diagnostic.code,
                                Code::UnknownColumn | Code::WindowFunctionWithoutOver
                            )
                    }),
                ) {
                    (_, Some(error)) => Err(format!("{} {}", error.code, error.message)),
                    (RelationSchema::Known(schema), None) => schema
                        .columns
                        .first()
                        .map(|column| column.ty.clone())
                        .ok_or_else(|| "no column".to_owned()),
                    (RelationSchema::Unknown, None) => Err("unknown output".to_owned()),
                }
            }
            _ => Err(format!(
                "did not parse: {}",
                parsed
                    .diagnostics
                    .first()
                    .map(|diagnostic| diagnostic.message.as_str())
                    .unwrap_or("not a query")
            )),
        };
        let documented = override_type
            .map(|(_, _, _, why)| format!(" (documentation: {why})"))
            .unwrap_or_default();
        match got {
            Ok(ty) if ty == expected => agreement.agreeing += 1,
            Ok(ty) => {
                writeln!(
                    agreement.report,
                    "{expression}: expected {}, got {}{documented}",
                    semantics.type_name(&expected),
                    semantics.type_name(&ty)
                )
                .ok();
            }
            Err(reason) => {
                writeln!(
                    agreement.report,
                    "{expression}: expected {}, got an error: {reason}{documented}",
                    semantics.type_name(&expected)
                )
                .ok();
            }
        }
    }
    agreement
}

/// The share of rows each dialect must keep agreeing on (per cent): the
/// level reached, so a regression fails the test.
fn floor_percent(dialect: &str) -> usize {
    match dialect {
        "duckdb" => 95,
        "snowflake" => 95,
        "bigquery" => 94,
        "databricks" => 95,
        "postgres" => 95,
        _ => 100,
    }
}

#[test]
fn function_result_types_agree_with_the_corpus() {
    let Some(folder) = corpus_folder() else {
        return;
    };
    let mut summary = String::new();
    for dialect in DIALECTS {
        let agreement = measure(&folder, dialect);
        let line = format!(
            "{dialect}: {} of {} rows agree\n",
            agreement.agreeing, agreement.total
        );
        summary.push_str(&line);
        insta::assert_snapshot!(
            format!("{dialect}_function_types"),
            format!("{line}{}", agreement.report)
        );
        assert!(
            agreement.total > 0
                && agreement.agreeing * 100 >= agreement.total * floor_percent(dialect),
            "{line}{}",
            agreement.report
        );
    }
    insta::assert_snapshot!("function_types_summary", summary);
}
