//! dbt unit tests (`unit_tests:` in schema YAML, dbt 1.8+): how they are
//! written ([`UnitTestDecl`], read by [`read_unit_tests`]) and what the
//! loader makes of them ([`UnitTest`]: the tested model and each given
//! input resolved to nodes, fixtures read). Running them is the driver's.
//!
//! A unit test names a model, gives rows for the refs and sources it
//! reads (`given`), and the rows it must return (`expect`); rows are
//! written as YAML mappings (`format: dict`, the default), as CSV text
//! (`format: csv`) or as a query (`format: sql`), inline under `rows` or
//! in a file of `tests/fixtures/` named by `fixture`. `overrides` replaces
//! macros (`is_incremental` among them), vars and env vars for the render.

use crate::yaml::{describe_kind, field, find_key_span};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::NodeId;
use fusion_ir::span::{FileId, Span};
use serde_json::{Map, Value};

/// How a fixture's rows are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixtureFormat {
    Dict,
    Csv,
    Sql,
}

impl FixtureFormat {
    /// dbt's spelling, as `manifest.json` writes it.
    pub fn name(self) -> &'static str {
        match self {
            FixtureFormat::Dict => "dict",
            FixtureFormat::Csv => "csv",
            FixtureFormat::Sql => "sql",
        }
    }
}

/// Rows as written: mappings (from `dict` or `csv`; CSV values stay
/// strings, as dbt keeps them) or the text of a query (`sql`).
#[derive(Clone, Debug, PartialEq)]
pub enum FixtureRows {
    Rows(Vec<Map<String, Value>>),
    Sql(String),
}

/// The rows of one input or of the expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct Fixture {
    pub format: FixtureFormat,
    pub rows: FixtureRows,
    /// The fixture file's name (`fixture:`), when the rows come from one.
    pub fixture: Option<String>,
    /// Where each column of inline rows is first written (a key of a
    /// mapping, a name of the CSV header), for diagnostics.
    pub column_spans: Vec<(String, Span)>,
}

impl Fixture {
    /// The columns the rows name, in first-seen order (none for `sql`).
    pub fn columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = Vec::new();
        if let FixtureRows::Rows(rows) = &self.rows {
            for row in rows {
                for key in row.keys() {
                    if !columns.contains(key) {
                        columns.push(key.clone());
                    }
                }
            }
        }
        columns
    }
}

/// One `given:` entry as written.
#[derive(Clone, Debug)]
pub struct GivenDecl {
    /// `ref('orders')`, `source('shop', 'orders')` or `this`.
    pub input: String,
    /// Where the input is written.
    pub input_span: Span,
    /// The rows, `None` when they could not be read (reported).
    pub fixture: Option<Fixture>,
}

/// `overrides:` of a unit test.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    pub macros: Map<String, Value>,
    pub vars: Map<String, Value>,
    pub env_vars: Map<String, Value>,
}

/// A `unit_tests:` entry of a schema file.
#[derive(Clone, Debug)]
pub struct UnitTestDecl {
    pub name: String,
    /// The project or package whose YAML declares it (set by the loader).
    pub package: String,
    pub model: Option<String>,
    pub description: String,
    pub given: Vec<GivenDecl>,
    pub expect: Option<Fixture>,
    pub overrides: Overrides,
    /// `config:` (`tags`, `meta`, `enabled`).
    pub config: Map<String, Value>,
    /// `versions:` as written (`include`/`exclude`), kept for the manifest.
    pub versions: Option<Value>,
    pub file: FileId,
    pub yaml_path: String,
    /// Where `name: <name>` is written.
    pub name_span: Span,
    /// Where the model's name is written (the name's span without one).
    pub model_span: Span,
    /// Fixture names to read from `tests/fixtures/` once the project's
    /// test paths are known: (given index or `None` for `expect`, name, format).
    pub pending_fixture_files: Vec<(Option<usize>, String, FixtureFormat)>,
}

/// An input of a unit test, parsed from its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitTestInput {
    Ref {
        package: Option<String>,
        name: String,
    },
    Source {
        source_name: String,
        table_name: String,
    },
    /// `this`: the model's own relation (an incremental model's existing rows).
    This,
}

/// One given input, resolved.
#[derive(Clone, Debug)]
pub struct Given {
    /// The input as written (`ref('orders')`).
    pub text: String,
    pub input: UnitTestInput,
    /// The node the input names (the tested model for `this`).
    pub node: NodeId,
    pub fixture: Fixture,
    pub span: Span,
}

/// A loaded unit test: its node and what the driver runs.
#[derive(Clone, Debug)]
pub struct UnitTest {
    /// The unit test's own node (kind `UnitTest`).
    pub node: NodeId,
    /// The model it tests.
    pub model: NodeId,
    pub given: Vec<Given>,
    /// Given inputs in YAML order as written, for `manifest.json` (including
    /// any that name nothing).
    pub given_as_written: Vec<(String, Fixture)>,
    pub expect: Fixture,
    pub overrides: Overrides,
    pub versions: Option<Value>,
    pub file: FileId,
    pub name_span: Span,
}

/// Parses an input: `ref('m')`, `ref("pkg", "m")`, `source('s', 't')`, `this`.
pub fn parse_input(text: &str) -> Option<UnitTestInput> {
    let text = text.trim();
    if text == "this" {
        return Some(UnitTestInput::This);
    }
    let (function, rest) = text.split_once('(')?;
    let arguments = rest.trim_end().strip_suffix(')')?;
    let mut names = Vec::new();
    for argument in arguments.split(',') {
        let argument = argument.trim();
        // `ref('m', v=2)`: the version is not part of the name.
        if argument.contains('=') {
            continue;
        }
        let unquoted = argument
            .strip_prefix('\'')
            .and_then(|inner| inner.strip_suffix('\''))
            .or_else(|| {
                argument
                    .strip_prefix('"')
                    .and_then(|inner| inner.strip_suffix('"'))
            })?;
        names.push(unquoted.to_string());
    }
    match (function.trim(), names.as_slice()) {
        ("ref", [name]) => Some(UnitTestInput::Ref {
            package: None,
            name: name.clone(),
        }),
        ("ref", [package, name]) => Some(UnitTestInput::Ref {
            package: Some(package.clone()),
            name: name.clone(),
        }),
        ("source", [source_name, table_name]) => Some(UnitTestInput::Source {
            source_name: source_name.clone(),
            table_name: table_name.clone(),
        }),
        _ => None,
    }
}

fn shape_error(file: FileId, span: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::YamlShape, message).with_primary(file, span, "")
}

fn definition_error(file: FileId, span: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::UnitTestDefinition, message).with_primary(file, span, "")
}

/// Reads CSV text into rows of strings keyed by the header. An empty
/// value is a null.
pub fn csv_rows(text: &str) -> Result<Vec<Map<String, Value>>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.trim().as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|error| error.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| error.to_string())?;
        let mut row = Map::new();
        for (column, value) in header.iter().zip(record.iter()) {
            let value = if value.is_empty() {
                Value::Null
            } else {
                Value::String(value.to_string())
            };
            row.insert(column.clone(), value);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Reads the rows of a `given` entry or of `expect`: its format, and its
/// inline `rows` (or the name of its fixture file, left pending).
fn read_fixture(
    object: &Map<String, Value>,
    text: &str,
    file: FileId,
    near: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<Fixture>, Option<(String, FixtureFormat)>) {
    let format = match field(object, "format") {
        None | Some(Value::Null) => FixtureFormat::Dict,
        Some(Value::String(name)) => {
            match name.as_str() {
                "dict" => FixtureFormat::Dict,
                "csv" => FixtureFormat::Csv,
                "sql" => FixtureFormat::Sql,
                other => {
                    diagnostics.push(definition_error(
                    file,
                    find_key_span(text, "format", near),
                    format!("unit test fixture format '{other}' is not one of ['csv', 'dict', 'sql']"),
                ));
                    return (None, None);
                }
            }
        }
        Some(other) => {
            diagnostics.push(shape_error(
                file,
                find_key_span(text, "format", near),
                format!("`format` must be a string, found {}", describe_kind(other)),
            ));
            return (None, None);
        }
    };
    let fixture_name = field(object, "fixture")
        .and_then(Value::as_str)
        .map(str::to_string);
    let rows_span = find_key_span(text, "rows", near);
    let rows = match (format, field(object, "rows")) {
        (_, None | Some(Value::Null)) => match fixture_name {
            Some(name) => return (None, Some((name, format))),
            None => FixtureRows::Rows(Vec::new()),
        },
        (FixtureFormat::Dict, Some(Value::Array(items))) => {
            let mut rows = Vec::new();
            for item in items {
                match item {
                    Value::Object(row) => rows.push(row.clone()),
                    other => {
                        diagnostics.push(shape_error(
                            file,
                            rows_span,
                            format!(
                                "`rows` of format dict must be a list of mappings, found {} in it",
                                describe_kind(other)
                            ),
                        ));
                        return (None, None);
                    }
                }
            }
            FixtureRows::Rows(rows)
        }
        (FixtureFormat::Csv, Some(Value::String(csv_text))) => match csv_rows(csv_text) {
            Ok(rows) => FixtureRows::Rows(rows),
            Err(error) => {
                diagnostics.push(definition_error(
                    file,
                    rows_span,
                    format!("the CSV rows cannot be read: {error}"),
                ));
                return (None, None);
            }
        },
        (FixtureFormat::Sql, Some(Value::String(sql))) => FixtureRows::Sql(sql.trim().to_string()),
        (format, Some(other)) => {
            let expected = match format {
                FixtureFormat::Dict => "a list of mappings",
                FixtureFormat::Csv => "CSV text",
                FixtureFormat::Sql => "a query",
            };
            diagnostics.push(shape_error(
                file,
                rows_span,
                format!(
                    "`rows` of format {} must be {expected}, found {}",
                    format.name(),
                    describe_kind(other)
                ),
            ));
            return (None, None);
        }
    };
    (
        Some(Fixture {
            format,
            rows,
            fixture: fixture_name,
            column_spans: Vec::new(),
        }),
        None,
    )
}

fn mapping_of(object: &Map<String, Value>, key: &str) -> Map<String, Value> {
    match field(object, key) {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    }
}

/// Reads the `unit_tests:` list of a schema file.
pub fn read_unit_tests(
    object: &Map<String, Value>,
    text: &str,
    file: FileId,
    yaml_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<UnitTestDecl> {
    let entries = match field(object, "unit_tests") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(entries)) => entries,
        Some(other) => {
            diagnostics.push(shape_error(
                file,
                find_key_span(text, "unit_tests", 0),
                format!(
                    "`unit_tests` must be a list, found {}",
                    describe_kind(other)
                ),
            ));
            return Vec::new();
        }
    };
    let mut cursor = find_key_span(text, "unit_tests", 0).start as usize;
    let mut declarations = Vec::new();
    for entry in entries {
        let Some(entry) = entry.as_object() else {
            diagnostics.push(shape_error(
                file,
                find_key_span(text, "unit_tests", 0),
                format!(
                    "`unit_tests` must be a list of mappings, found {} in it",
                    describe_kind(entry)
                ),
            ));
            continue;
        };
        let Some(name) = field(entry, "name").and_then(Value::as_str) else {
            diagnostics.push(shape_error(
                file,
                find_key_span(text, "unit_tests", 0),
                "a unit test has no `name`".to_string(),
            ));
            continue;
        };
        let name_span = value_span(text, "name", name, cursor);
        cursor = name_span.end as usize;
        let model = field(entry, "model")
            .and_then(Value::as_str)
            .map(str::to_string);
        let model_span = match &model {
            Some(model) => value_span(text, "model", model, cursor),
            None => {
                diagnostics.push(definition_error(
                    file,
                    name_span,
                    format!("unit test `{name}` names no `model`"),
                ));
                name_span
            }
        };
        let mut pending_fixture_files = Vec::new();
        let mut given = Vec::new();
        let mut given_cursor = cursor;
        let given_entries = match field(entry, "given") {
            Some(Value::Array(entries)) => entries.as_slice(),
            None | Some(Value::Null) => &[],
            Some(other) => {
                diagnostics.push(shape_error(
                    file,
                    find_key_span(text, "given", cursor),
                    format!("`given` must be a list, found {}", describe_kind(other)),
                ));
                &[]
            }
        };
        for entry in given_entries {
            let input = entry
                .as_object()
                .and_then(|object| field(object, "input"))
                .and_then(Value::as_str);
            let (Some(object), Some(input)) = (entry.as_object(), input) else {
                diagnostics.push(shape_error(
                    file,
                    find_key_span(text, "given", cursor),
                    "each entry of `given` must be a mapping with an `input`".to_string(),
                ));
                continue;
            };
            let input_span = value_span(text, "input", input, given_cursor);
            given_cursor = given_cursor.max(input_span.end as usize);
            let (fixture, pending) = read_fixture(object, text, file, given_cursor, diagnostics);
            if let Some((fixture_name, format)) = pending {
                pending_fixture_files.push((Some(given.len()), fixture_name, format));
            }
            given.push(GivenDecl {
                input: input.to_string(),
                input_span,
                fixture,
            });
        }
        let expect_start = find_key_span(text, "expect", cursor).start as usize;
        // Each given's columns are looked for between its input and the
        // next entry's (or `expect:`).
        for index in 0..given.len() {
            let from = given[index].input_span.end as usize;
            let to = given.get(index + 1).map_or(expect_start.max(from), |next| {
                next.input_span.start as usize
            });
            if let Some(fixture) = &mut given[index].fixture {
                fixture.column_spans = column_spans(text, &fixture.columns(), from, to);
            }
        }
        let expect = match field(entry, "expect") {
            Some(Value::Object(object)) => {
                let near = expect_start;
                let (fixture, pending) = read_fixture(object, text, file, near, diagnostics);
                let fixture = fixture.map(|mut fixture| {
                    fixture.column_spans = column_spans(text, &fixture.columns(), near, text.len());
                    fixture
                });
                if let Some((fixture_name, format)) = pending {
                    pending_fixture_files.push((None, fixture_name, format));
                }
                fixture
            }
            _ => {
                diagnostics.push(definition_error(
                    file,
                    name_span,
                    format!("unit test `{name}` has no `expect` mapping"),
                ));
                None
            }
        };
        // `overrides`, its three parts and `config` are mappings.
        let mut expect_mapping = |object: &Map<String, Value>, key: &str| {
            if let Some(value) =
                field(object, key).filter(|value| !value.is_object() && !value.is_null())
            {
                diagnostics.push(shape_error(
                    file,
                    find_key_span(text, key, cursor),
                    format!("`{key}` must be a mapping, found {}", describe_kind(value)),
                ));
            }
        };
        expect_mapping(entry, "overrides");
        expect_mapping(entry, "config");
        let overrides = match field(entry, "overrides") {
            Some(Value::Object(object)) => {
                for key in ["macros", "vars", "env_vars"] {
                    expect_mapping(object, key);
                }
                Overrides {
                    macros: mapping_of(object, "macros"),
                    vars: mapping_of(object, "vars"),
                    env_vars: mapping_of(object, "env_vars"),
                }
            }
            _ => Overrides::default(),
        };
        declarations.push(UnitTestDecl {
            name: name.to_string(),
            package: String::new(),
            model,
            description: field(entry, "description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            given,
            expect,
            overrides,
            config: mapping_of(entry, "config"),
            versions: field(entry, "versions").cloned(),
            file,
            yaml_path: yaml_path.to_string(),
            name_span,
            model_span,
            pending_fixture_files,
        });
        cursor = cursor.max(given_cursor);
    }
    declarations
}

/// Where each of `columns` is first written as a key (or a CSV header
/// name) between `from` and `to`; a column not found there has no span.
fn column_spans(text: &str, columns: &[String], from: usize, to: usize) -> Vec<(String, Span)> {
    let mut spans = Vec::new();
    for column in columns {
        let key_span = find_key_span(text, column, from);
        let found = if !key_span.is_empty() && (key_span.end as usize) <= to {
            Some(key_span)
        } else {
            // A CSV header: the name between commas.
            text.get(from..to.min(text.len()))
                .and_then(|window| crate::text_search::find(window, column))
                .map(|offset| Span::from_range(from + offset..from + offset + column.len()))
        };
        if let Some(span) = found {
            spans.push((column.clone(), span));
        }
    }
    spans
}

/// Where the value `value` of `key:` is written, searching from `from`;
/// the key's span when the value is not found right after it.
fn value_span(text: &str, key: &str, value: &str, from: usize) -> Span {
    let key_span = find_key_span(text, key, from);
    if key_span.is_empty() {
        return key_span;
    }
    let after = key_span.end as usize;
    let line_end = text[after..]
        .find('\n')
        .map_or(text.len(), |offset| after + offset);
    match text[after..line_end].find(value) {
        Some(offset) => Span::from_range(after + offset..after + offset + value.len()),
        None => key_span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_parse_as_dbt_writes_them() {
        assert_eq!(
            parse_input("ref('orders')"),
            Some(UnitTestInput::Ref {
                package: None,
                name: "orders".into()
            })
        );
        assert_eq!(
            parse_input("ref(\"shop\", \"orders\")"),
            Some(UnitTestInput::Ref {
                package: Some("shop".into()),
                name: "orders".into()
            })
        );
        assert_eq!(
            parse_input(" source('raw', 'payments') "),
            Some(UnitTestInput::Source {
                source_name: "raw".into(),
                table_name: "payments".into()
            })
        );
        assert_eq!(parse_input("this"), Some(UnitTestInput::This));
        assert_eq!(parse_input("orders"), None);
        assert_eq!(parse_input("ref(orders)"), None);
    }

    #[test]
    fn csv_values_stay_strings_and_empty_is_null() {
        let rows = csv_rows("a,b\n1, x\n2,\n").expect("valid CSV");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["a"], Value::String("1".into()));
        assert_eq!(rows[0]["b"], Value::String("x".into()));
        assert_eq!(rows[1]["b"], Value::Null);
    }
}
