//! `fusionc sql`: single queries without a project. `sql parse` checks the
//! syntax of a text in one dialect; `sql check` also binds and type checks
//! each statement against the tables of a schema file and prints the output
//! columns with their types in the dialect's spelling.

use crate::cli::{exit_code, Output, SqlCheckArgs, SqlInputArgs, SqlOutput};
use crate::diagnostics::DiagnosticContext;
use fusion_dialects::{dialect_for_adapter, Dialect};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::name::Name;
use fusion_ir::query::Statement;
use fusion_ir::schema::{Catalog, Column, RelationName, RelationSchema, Schema};
use fusion_ir::span::{FileId, SourceFiles};
use fusion_ir::types::SqlType;
use fusion_passes::bind::bind_query;
use fusion_passes::lookup::CatalogLookup;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// A text read for `fusionc sql`, registered for diagnostics.
struct SqlInput {
    dialect: &'static dyn Dialect,
    files: SourceFiles,
    file: FileId,
    text: Arc<str>,
}

fn read_input(arguments: &SqlInputArgs, output: &mut Output<'_>) -> Result<SqlInput, i32> {
    let Some(dialect) = dialect_for_adapter(&arguments.dialect) else {
        let _ = writeln!(
            output.stderr,
            "error: unknown dialect `{}` (expected duckdb, snowflake, bigquery, databricks, spark, redshift or postgres)",
            arguments.dialect
        );
        return Err(exit_code::USAGE_ERROR);
    };
    let (label, text) = match &arguments.file {
        Some(path) if path != Path::new("-") => match std::fs::read_to_string(path) {
            Ok(text) => (path.display().to_string(), text),
            Err(error) => {
                let _ = writeln!(
                    output.stderr,
                    "error: cannot read {}: {error}",
                    path.display()
                );
                return Err(exit_code::USAGE_ERROR);
            }
        },
        _ => {
            let mut text = String::new();
            if let Err(error) = std::io::stdin().read_to_string(&mut text) {
                let _ = writeln!(output.stderr, "error: cannot read standard input: {error}");
                return Err(exit_code::USAGE_ERROR);
            }
            ("<stdin>".to_string(), text)
        }
    };
    let text: Arc<str> = Arc::from(text);
    let mut files = SourceFiles::default();
    let file = files.add(label, Arc::clone(&text));
    Ok(SqlInput {
        dialect,
        files,
        file,
        text,
    })
}

fn json_diagnostics(input: &SqlInput, diagnostics: &[Diagnostic]) -> Vec<serde_json::Value> {
    let context = DiagnosticContext::new(&input.files);
    diagnostics
        .iter()
        .map(|diagnostic| context.render_json(diagnostic))
        .collect()
}

fn write_plain_diagnostics(input: &SqlInput, diagnostics: &[Diagnostic], output: &mut Output<'_>) {
    let context = DiagnosticContext::new(&input.files);
    for diagnostic in diagnostics {
        let _ = write!(output.stderr, "{}", context.render_plain(diagnostic));
    }
}

/// `fusionc sql parse`: exit 0 when the text parses without errors.
pub(crate) fn parse(arguments: &SqlInputArgs, output: &mut Output<'_>) -> i32 {
    let input = match read_input(arguments, output) {
        Ok(input) => input,
        Err(code) => return code,
    };
    let parsed = input.dialect.parse(&input.text, input.file);
    let has_errors = parsed.diagnostics.iter().any(Diagnostic::is_error);
    match arguments.output {
        SqlOutput::Text => {
            write_plain_diagnostics(&input, &parsed.diagnostics, output);
            let syntax = input.dialect.parse_syntax(&input.text, input.file);
            let tree = fusion_dialects::syntax::printer::print_syntax_tree(
                &syntax.statements,
                &input.text,
            );
            let _ = write!(output.stdout, "{tree}");
        }
        SqlOutput::Json => {
            let diagnostics = json_diagnostics(&input, &parsed.diagnostics);
            let statements: Vec<serde_json::Value> = parsed
                .statements
                .iter()
                .map(|statement| serde_json::to_value(statement).unwrap_or_default())
                .collect();
            let value = serde_json::json!({
                "dialect": input.dialect.name(),
                "statements": statements,
                "diagnostics": diagnostics,
            });
            let _ = writeln!(
                output.stdout,
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
    }
    if has_errors {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    }
}

/// The type a schema file spells, read by the dialect, else by DuckDB's
/// rules (the benchmark schemas use DuckDB's names), else kept by name.
fn schema_type(dialect: &dyn Dialect, text: &str) -> SqlType {
    dialect
        .semantics()
        .parse_type_name(text)
        .or_else(|| {
            dialect_for_adapter("duckdb")
                .and_then(|duckdb| duckdb.semantics().parse_type_name(text))
        })
        .unwrap_or_else(|| SqlType::Other(Name::new(text)))
}

/// Reads a schema file into a catalog: `{"table" or "schema.table": {column: type}}`.
fn read_catalog(path: &Path, dialect: &dyn Dialect) -> Result<Catalog, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| format!("{} is not JSON: {error}", path.display()))?;
    let Some(tables) = value.as_object() else {
        return Err(format!(
            "{}: expected an object of tables, each an object of column types",
            path.display()
        ));
    };
    let mut catalog = Catalog::default();
    for (table, columns) in tables {
        let Some(columns) = columns.as_object() else {
            return Err(format!(
                "{}: table `{table}` should map column names to type names",
                path.display()
            ));
        };
        let columns = columns
            .iter()
            .map(|(column, type_name)| {
                let type_name = type_name.as_str().unwrap_or("");
                Column::new(Name::new(column), schema_type(dialect, type_name), true)
            })
            .collect();
        let mut parts: Vec<&str> = table.split('.').collect();
        let identifier = parts.pop().unwrap_or_default();
        let name = RelationName {
            database: if parts.len() > 1 {
                Some(Name::new(parts[0]))
            } else {
                None
            },
            schema: parts.last().map(|schema| Name::new(schema)),
            identifier: Name::new(identifier),
        };
        catalog
            .relations
            .insert(name, RelationSchema::Known(Arc::new(Schema::new(columns))));
    }
    Ok(catalog)
}

/// The SQL input and the `--schema` catalog `sql check` and `sql lineage`
/// read; the exit code when either cannot be read.
fn input_and_catalog(
    arguments: &SqlCheckArgs,
    output: &mut Output<'_>,
) -> Result<(SqlInput, Catalog), i32> {
    let input = read_input(&arguments.input, output)?;
    let catalog = match &arguments.schema {
        Some(path) => read_catalog(path, input.dialect).map_err(|message| {
            let _ = writeln!(output.stderr, "error: {message}");
            exit_code::USAGE_ERROR
        })?,
        None => Catalog::default(),
    };
    Ok((input, catalog))
}

/// `fusionc sql check`: parse, bind and type check every statement; exit 0
/// when nothing is an error.
pub(crate) fn check(arguments: &SqlCheckArgs, output: &mut Output<'_>) -> i32 {
    let (input, catalog) = match input_and_catalog(arguments, output) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let semantics = input.dialect.semantics();
    let lookup = CatalogLookup::new(&catalog, semantics);
    let parsed = input.dialect.parse(&input.text, input.file);
    let mut diagnostics = parsed.diagnostics.clone();
    let mut statements_json = Vec::new();
    let mut text_report = String::new();
    for (index, statement) in parsed.statements.iter().enumerate() {
        let Statement::Query(query) = statement else {
            continue;
        };
        let bound = bind_query(query, &lookup, semantics, input.file);
        diagnostics.extend(bound.diagnostics.iter().cloned());
        let columns: Vec<(String, String)> = match &bound.output {
            RelationSchema::Known(schema) => schema
                .columns
                .iter()
                .map(|column| (column.name.to_string(), semantics.type_name(&column.ty)))
                .collect(),
            RelationSchema::Unknown => Vec::new(),
        };
        if parsed.statements.len() > 1 {
            text_report.push_str(&format!("-- statement {}\n", index + 1));
        }
        if matches!(bound.output, RelationSchema::Unknown) {
            text_report.push_str("(columns unknown)\n");
        }
        for (name, type_name) in &columns {
            text_report.push_str(&format!("{name} {type_name}\n"));
        }
        statements_json.push(
            columns
                .into_iter()
                .map(|(name, type_name)| serde_json::json!({"name": name, "type": type_name}))
                .collect::<Vec<_>>(),
        );
    }
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    match arguments.input.output {
        SqlOutput::Text => {
            write_plain_diagnostics(&input, &diagnostics, output);
            let _ = write!(output.stdout, "{text_report}");
        }
        SqlOutput::Json => {
            let rendered = json_diagnostics(&input, &diagnostics);
            // One statement: its columns; several: the columns of each.
            let columns = if statements_json.len() == 1 {
                serde_json::Value::Array(statements_json.pop().unwrap_or_default())
            } else {
                serde_json::Value::Array(
                    statements_json
                        .into_iter()
                        .map(serde_json::Value::Array)
                        .collect(),
                )
            };
            let value = serde_json::json!({
                "columns": columns,
                "diagnostics": rendered,
            });
            let _ = writeln!(
                output.stdout,
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
    }
    if has_errors {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    }
}

/// `fusionc sql lineage`: for each output column of each query, the table
/// columns it reads and how (copy, rename, transform, aggregate, window,
/// filter, join_key).
pub(crate) fn lineage(arguments: &SqlCheckArgs, output: &mut Output<'_>) -> i32 {
    let (input, catalog) = match input_and_catalog(arguments, output) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let semantics = input.dialect.semantics();
    let lookup = CatalogLookup::new(&catalog, semantics);
    let parsed = input.dialect.parse(&input.text, input.file);
    let mut diagnostics = parsed.diagnostics.clone();
    let mut reports = Vec::new();
    for statement in &parsed.statements {
        let Statement::Query(query) = statement else {
            continue;
        };
        let bound = bind_query(query, &lookup, semantics, input.file);
        diagnostics.extend(bound.diagnostics.iter().cloned());
        reports.push(fusion_passes::lineage::query_column_sources(
            query,
            &bound,
            Some(&catalog),
        ));
    }
    match arguments.input.output {
        SqlOutput::Text => {
            write_plain_diagnostics(&input, &diagnostics, output);
            for (index, report) in reports.iter().enumerate() {
                if reports.len() > 1 {
                    let _ = writeln!(output.stdout, "-- statement {}", index + 1);
                }
                if !report.columns_known {
                    let _ = writeln!(
                        output.stdout,
                        "(columns unknown: the schema of {} is not known)",
                        report.unknown_tables.join(", ")
                    );
                }
                for column in &report.columns {
                    let sources: Vec<String> = column
                        .sources
                        .iter()
                        .map(|source| {
                            let kind = serde_json::to_value(source.kind)
                                .ok()
                                .and_then(|value| value.as_str().map(str::to_string))
                                .unwrap_or_default();
                            let column_name = source.column.as_deref().unwrap_or("*");
                            let unknown = if source.schema_known {
                                ""
                            } else {
                                ", schema unknown"
                            };
                            format!("{}.{column_name} ({kind}{unknown})", source.table)
                        })
                        .collect();
                    let _ = writeln!(output.stdout, "{} <- {}", column.column, sources.join(", "));
                }
            }
        }
        SqlOutput::Json => {
            let rendered = json_diagnostics(&input, &diagnostics);
            let statements = if reports.len() == 1 {
                serde_json::to_value(&reports[0]).unwrap_or_default()
            } else {
                serde_json::to_value(&reports).unwrap_or_default()
            };
            let value = serde_json::json!({"lineage": statements, "diagnostics": rendered});
            let _ = writeln!(
                output.stdout,
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        exit_code::PROJECT_ERROR
    } else {
        exit_code::SUCCESS
    }
}
