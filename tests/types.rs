//! DuckDB function result types against the shared corpus
//! (`../shared/corpus/types/function_types.jsonl`, rows with dialect
//! `duckdb`): each query is parsed, bound against the corpus table `tbl`, and
//! the type of its single output column is compared with the expected type
//! after mapping both to `SqlType`.
//!
//! The corpus is a strong hint, not the authority: where DuckDB's own
//! documentation gives a different result type, the documentation wins and
//! the row is listed in `DOCUMENTATION_OVERRIDES` with the reason.

use fusion_dialects::duckdb::DuckDb;
use fusion_dialects::Dialect;
use fusion_ir::name::Name;
use fusion_ir::query::Statement;
use fusion_ir::schema::{Catalog, Column, RelationName, RelationSchema, Schema};
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;
use fusion_ir::types::SqlType;
use fusion_passes::bind::bind_query;
use fusion_passes::lookup::CatalogLookup;
use std::fmt::Write as _;
use std::sync::Arc;

/// Rows whose expected type DuckDB's documentation contradicts: (expression,
/// the documented type, why). None so far: every row checked agrees with
/// the documentation.
const DOCUMENTATION_OVERRIDES: &[(&str, &str, &str)] = &[];

/// Maps the type spellings the corpus uses (sqlglot's, several dialects')
/// onto DuckDB spellings before parsing them.
fn corpus_type(semantics: &dyn DialectSemantics, text: &str) -> SqlType {
    let upper = text.to_ascii_uppercase();
    let mapped = match upper.as_str() {
        "BINARY" | "BYTES" | "VARBINARY" => "BLOB".to_owned(),
        "STRING" => "VARCHAR".to_owned(),
        "BIGNUMERIC" => "DECIMAL(38,9)".to_owned(),
        "DECFLOAT" => "DOUBLE".to_owned(),
        "OBJECT" => "JSON".to_owned(),
        "INT" => "INTEGER".to_owned(),
        other => match other
            .strip_prefix("ARRAY<")
            .and_then(|rest| rest.strip_suffix('>'))
        {
            Some(element) => format!(
                "{}[]",
                if element == "STRING" {
                    "VARCHAR"
                } else {
                    element
                }
            ),
            None => other.to_owned(),
        },
    };
    semantics
        .parse_type_name(&mapped)
        .unwrap_or_else(|| SqlType::Other(Name::new(&upper)))
}

#[test]
fn duckdb_function_result_types_agree_with_the_corpus() {
    let folder = fusionc_tests::repository_root().join("../shared/corpus/types");
    if !folder.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared corpus is missing at {}",
            folder.display()
        );
        eprintln!(
            "notice: {} is missing; the corpus type test is skipped",
            folder.display()
        );
        return;
    }
    let dialect = DuckDb;
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
                    corpus_type(semantics, ty.as_str().unwrap_or("")),
                    true,
                )
            })
            .collect();
        catalog.relations.insert(
            RelationName {
                database: None,
                schema: None,
                identifier: Name::new(table),
            },
            RelationSchema::Known(Arc::new(Schema::new(columns))),
        );
    }
    let lookup = CatalogLookup::new(&catalog, semantics);
    let cases = std::fs::read_to_string(folder.join("function_types.jsonl")).expect("cases file");
    let (mut total, mut agreeing) = (0, 0);
    let mut report = String::new();
    for line in cases.lines().filter(|line| !line.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("case is JSON");
        if case["dialect"] != "duckdb" {
            continue;
        }
        total += 1;
        let expression = case["expr"].as_str().unwrap_or("");
        let sql = case["query"].as_str().unwrap_or("");
        let override_type = DOCUMENTATION_OVERRIDES
            .iter()
            .find(|(overridden, _, _)| *overridden == expression);
        let expected_text = override_type
            .map(|(_, documented, _)| *documented)
            .unwrap_or_else(|| case["expected_type"].as_str().unwrap_or(""));
        let expected = corpus_type(semantics, expected_text);
        let parsed = dialect.parse(sql, FileId(0));
        let got = match parsed.statements.first() {
            Some(Statement::Query(query)) => {
                let bound = bind_query(query, &lookup, semantics, FileId(0));
                match (
                    &bound.output,
                    bound
                        .diagnostics
                        .iter()
                        .find(|diagnostic| diagnostic.is_error()),
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
                "did not parse: {:?}",
                parsed
                    .diagnostics
                    .first()
                    .map(|diagnostic| &diagnostic.message)
            )),
        };
        match got {
            Ok(ty) if ty == expected => agreeing += 1,
            Ok(ty) => {
                writeln!(
                    report,
                    "{expression}: expected {}, got {}",
                    semantics.type_name(&expected),
                    semantics.type_name(&ty)
                )
                .ok();
            }
            Err(reason) => {
                writeln!(
                    report,
                    "{expression}: expected {}, got an error: {reason}",
                    semantics.type_name(&expected)
                )
                .ok();
            }
        }
    }
    let summary = format!("{agreeing} of {total} DuckDB rows agree\n{report}");
    insta::assert_snapshot!("duckdb_function_types", summary);
    // The catalog must keep covering the corpus rows it covers today.
    assert!(total > 0 && agreeing * 10 >= total * 9, "{summary}");
}
