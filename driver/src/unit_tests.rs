//! Unit tests in the driver: what the analysis checks of them
//! ([`check_unit_test`]), the SQL of their given and expected rows
//! ([`rows_sql`]), and how a failure shows the rows
//! that differ ([`rows_diff`], in the layout of the daff table dbt prints).
//! Running one is `run::unit_test`'s; its manifest entry is
//! `artifacts::manifest_unit_tests`'s.
//!
//! Given rows are literals cast to the input's column types, which the
//! analysis knows without the warehouse (a seed's, a source's declared
//! columns, a model's inferred output), so a unit test needs no upstream
//! built: every column the rows leave out is a typed null, and an empty
//! input is a typed row limited to nothing.

use fusion_frontend::runtime::{RelationRef, RunRenderOptions, UnitTestRender, Warehouse};
use fusion_frontend::unit_tests::{Fixture, FixtureRows, Given, UnitTest, UnitTestInput};
use fusion_frontend::Project;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{ephemeral_cte_name, NodeId};
use fusion_ir::schema::RelationSchema;
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::types::SqlType;
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::Arc;

/// A column of a fixture: its name and its type in the warehouse's
/// spelling (`None`: unknown, the literal is not cast).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FixtureColumn {
    pub name: String,
    pub type_name: Option<String>,
}

/// The columns of a relation as the analysis knows them, typed in the
/// dialect's spelling; `None` when they are not known.
pub(crate) fn known_columns(
    schema: &RelationSchema,
    semantics: &dyn DialectSemantics,
) -> Option<Vec<FixtureColumn>> {
    match schema {
        RelationSchema::Known(schema) => Some(
            schema
                .columns
                .iter()
                .map(|column| FixtureColumn {
                    name: column.name.as_str().to_string(),
                    // A column that is always null (`null as x`) has no
                    // type to cast to: its literals stay bare.
                    type_name: (!column.ty.is_unknown() && column.ty != SqlType::Null)
                        .then(|| semantics.type_name(&column.ty)),
                })
                .collect(),
        ),
        RelationSchema::Unknown => None,
    }
}

/// The CTE a given input is read from, as dbt names it:
/// `__dbt__cte__<model>`, `__dbt__cte__<source>__<table>`.
pub(crate) fn cte_name(project: &Project, unit_test: &UnitTest, given: &Given) -> String {
    match &given.input {
        UnitTestInput::Ref { name, .. } => ephemeral_cte_name(name),
        UnitTestInput::Source {
            source_name,
            table_name,
        } => ephemeral_cte_name(&format!("{source_name}__{table_name}")),
        UnitTestInput::This => ephemeral_cte_name(&project.details(unit_test.model).name),
    }
}

/// A JSON value as a SQL literal.
fn literal(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => format!("'{}'", text.replace('\'', "''")),
        other => format!("'{}'", other.to_string().replace('\'', "''")),
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn typed(value: &Value, column: &FixtureColumn) -> String {
    match &column.type_name {
        Some(type_name) => format!("cast({} as {type_name})", literal(value)),
        None => literal(value),
    }
}

/// The column of `columns` named `name` (names compare case-insensitively).
fn find_column<'a>(columns: &'a [FixtureColumn], name: &str) -> Option<&'a FixtureColumn> {
    columns
        .iter()
        .find(|column| column.name.eq_ignore_ascii_case(name))
}

/// The query of rows given as mappings, with every one of `columns` (in
/// their order) cast to its type; one typed row limited to nothing when
/// there are no rows. A key that is not a column is an error (dbt's
/// message).
pub(crate) fn rows_sql(
    rows: &[serde_json::Map<String, Value>],
    columns: &[FixtureColumn],
    input_name: &str,
) -> Result<String, String> {
    for row in rows {
        for key in row.keys() {
            if find_column(columns, key).is_none() {
                let accepted: Vec<String> = columns
                    .iter()
                    .map(|column| format!("'{}'", column.name))
                    .collect();
                return Err(format!(
                    "Invalid column name: '{key}' in unit test fixture for '{input_name}'.\nAccepted columns for '{input_name}' are: [{}]",
                    accepted.join(", ")
                ));
            }
        }
    }
    if rows.is_empty() {
        let nulls: Vec<String> = columns
            .iter()
            .map(|column| {
                format!(
                    "{} as {}",
                    typed(&Value::Null, column),
                    quoted(&column.name)
                )
            })
            .collect();
        return Ok(format!("select {}\nlimit 0", nulls.join(", ")));
    }
    let selects: Vec<String> = rows
        .iter()
        .map(|row| {
            let values: Vec<String> = columns
                .iter()
                .map(|column| {
                    let value = row
                        .iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(&column.name))
                        .map_or(&Value::Null, |(_, value)| value);
                    format!("{} as {}", typed(value, column), quoted(&column.name))
                })
                .collect();
            format!("select {}", values.join(", "))
        })
        .collect();
    Ok(selects.join("\nunion all\n"))
}

/// The columns of the given rows themselves, untyped: what a fixture
/// reads when its input's columns are known neither to the analysis nor
/// to the warehouse.
pub(crate) fn columns_of_rows(given: &Given) -> Vec<FixtureColumn> {
    given
        .fixture
        .columns()
        .into_iter()
        .map(|name| FixtureColumn {
            name,
            type_name: None,
        })
        .collect()
}

/// What the query of a unit test's model over its given rows is built from.
pub(crate) struct QueryInputs<'a> {
    pub project: &'a Project,
    pub unit_test: &'a UnitTest,
    /// Each node's output schema as the analysis inferred it.
    pub output_schemas: &'a [RelationSchema],
    pub semantics: &'a dyn DialectSemantics,
    /// The warehouse, when there is one: it answers the columns of an input
    /// the analysis does not know, and the model's introspection.
    pub warehouse: Option<Arc<dyn Warehouse>>,
    /// `flags.WHICH`.
    pub which: &'a str,
    pub full_refresh: bool,
}

/// The model's query over the given rows (dbt's compiled code of a unit
/// test), and the inputs whose rows went untyped.
pub(crate) struct ActualQuery {
    pub sql: String,
    pub untyped: Vec<String>,
}

/// The columns of a given input: as the analysis knows them, else as the
/// warehouse has them, else those the rows name (untyped).
fn input_columns(inputs: &QueryInputs<'_>, given: &Given) -> Vec<FixtureColumn> {
    if let Some(columns) =
        known_columns(&inputs.output_schemas[given.node.index()], inputs.semantics)
    {
        return columns;
    }
    let details = inputs.project.details(given.node);
    let relation = RelationRef {
        database: details.database.clone(),
        schema: details.schema.clone(),
        identifier: match &details.source {
            Some(source) => source.identifier.clone(),
            None => details.alias.clone(),
        },
    };
    let found = inputs
        .warehouse
        .as_ref()
        .and_then(|warehouse| warehouse.get_columns_in_relation(&relation).ok())
        .unwrap_or_default();
    if found.is_empty() {
        return columns_of_rows(given);
    }
    found
        .into_iter()
        .map(|column| FixtureColumn {
            name: column.name,
            type_name: Some(column.data_type),
        })
        .collect()
}

/// Builds the model's query over the given rows: each input a CTE of its
/// rows (or its query), read by the model rendered with the unit test's
/// overrides. Errors are dbt's messages: an input the model reads that is
/// not given, a given column the input lacks, a render that fails.
pub(crate) fn actual_query(inputs: &QueryInputs<'_>) -> Result<ActualQuery, String> {
    let QueryInputs {
        project, unit_test, ..
    } = *inputs;
    let details = project.details(unit_test.node);
    // Every input the model reads must be given, as dbt requires.
    for parent in project.graph.parents(unit_test.model) {
        if unit_test.given.iter().any(|given| given.node == parent) {
            continue;
        }
        let parent_details = project.details(parent);
        let (kind, name) = match &parent_details.source {
            Some(source) => (
                "source",
                format!("{}.{}", source.source_name, source.table_name),
            ),
            None => ("node", parent_details.name.clone()),
        };
        return Err(format!(
            "Compilation Error in unit_test {} ({})\n  Unit_Test '{}' ({}) depends on a {kind} named '{name}' which was not found",
            details.name, details.original_file_path, details.unique_id, details.original_file_path
        ));
    }
    let options = |unit_test_render: Option<Arc<UnitTestRender>>| RunRenderOptions {
        is_incremental: false,
        full_refresh: inputs.full_refresh,
        which: inputs.which,
        warehouse: inputs.warehouse.clone(),
        unit_test: unit_test_render,
    };
    let mut render = UnitTestRender::default();
    let mut ctes: Vec<String> = Vec::new();
    let mut untyped: Vec<String> = Vec::new();
    for given in &unit_test.given {
        let columns = input_columns(inputs, given);
        let name = input_name(project, given);
        if columns.iter().all(|column| column.type_name.is_none())
            && !matches!(given.fixture.rows, FixtureRows::Sql(_))
        {
            untyped.push(given.text.clone());
        }
        // A query is used as written (rendered: it is Jinja, as dbt
        // renders it); rows are cast to the input's column types.
        let sql = match &given.fixture.rows {
            FixtureRows::Sql(sql) => project
                .render_string(sql, Some(unit_test.model), &options(None))
                .map_err(|diagnostic| diagnostic.message)?
                .trim()
                .trim_end_matches(';')
                .to_string(),
            FixtureRows::Rows(rows) => rows_sql(rows, &columns, &name).map_err(|message| {
                format!(
                    "Compilation Error in unit_test {} ({})\n  {message}",
                    details.name, details.original_file_path
                )
            })?,
        };
        let cte = cte_name(project, unit_test, given);
        match &given.input {
            UnitTestInput::Ref { package, name } => {
                render
                    .refs
                    .push((package.clone(), name.clone(), cte.clone()));
            }
            UnitTestInput::Source {
                source_name,
                table_name,
            } => render
                .sources
                .push((source_name.clone(), table_name.clone(), cte.clone())),
            UnitTestInput::This => render.this = Some(cte.clone()),
        }
        ctes.push(format!("{cte} as (\n-- Fixture for {name}\n{sql}\n)"));
    }
    render.vars = unit_test.overrides.vars.clone();
    render.env_vars = unit_test.overrides.env_vars.clone();
    render.macros = unit_test.overrides.macros.clone();
    let rendered = project
        .render_node_at_run_time(unit_test.model, &options(Some(Arc::new(render))))
        .map_err(|diagnostic| diagnostic.message)?;
    let model_sql = rendered.sql.trim().trim_end_matches(';').to_string();
    let sql = if ctes.is_empty() {
        model_sql
    } else {
        format!(
            "with {}\nselect * from (\n{model_sql}\n) as dbt_internal_unit_test_actual",
            ctes.join(",\n")
        )
    };
    Ok(ActualQuery { sql, untyped })
}

/// The name of a given input's node as dbt's messages name it.
pub(crate) fn input_name(project: &Project, given: &Given) -> String {
    project.details(given.node).name.clone()
}

/// What the analysis finds wrong with a unit test, before anything runs:
/// a ref or source of the model with no given rows (FC2009, which dbt
/// reports when the test runs), a given input the model does not read
/// (FC2010), a given column its input does not have and an expected
/// column the model does not output (FC4020; only when no override changes
/// how the model renders).
pub(crate) fn check_unit_test<'schema>(
    project: &Project,
    unit_test: &UnitTest,
    output_of: &dyn Fn(NodeId) -> &'schema RelationSchema,
    semantics: &dyn DialectSemantics,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let details = project.details(unit_test.node);
    let model = project.details(unit_test.model);
    let file = unit_test.file;
    let given_nodes: Vec<NodeId> = unit_test.given.iter().map(|given| given.node).collect();
    for parent in project.graph.parents(unit_test.model) {
        if given_nodes.contains(&parent) {
            continue;
        }
        let parent_details = project.details(parent);
        let (kind, written) = match &parent_details.source {
            Some(source) => (
                "source",
                format!("source('{}', '{}')", source.source_name, source.table_name),
            ),
            None => ("node", format!("ref('{}')", parent_details.name)),
        };
        let shown = match &parent_details.source {
            Some(source) => format!("{}.{}", source.source_name, source.table_name),
            None => parent_details.name.clone(),
        };
        diagnostics.push(
            Diagnostic::new(
                Code::UnitTestInputMissing,
                format!(
                    "unit test '{}' gives no rows for {written}, which model `{}` reads: dbt fails it (depends on a {kind} named '{shown}' which was not found)",
                    details.name, model.name
                ),
            )
            .with_primary(file, unit_test.name_span, "")
            .with_help(format!(
                "add `- input: {written}` with `rows: []` (or the rows the test needs) under `given`"
            )),
        );
    }
    let model_parents = project.graph.parents(unit_test.model);
    for given in &unit_test.given {
        if given.input != UnitTestInput::This && !model_parents.contains(&given.node) {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnitTestInputUnused,
                    format!(
                        "model `{}` does not read `{}`: the rows given for it are not used",
                        model.name, given.text
                    ),
                )
                .with_primary(file, given.span, "not read by the model"),
            );
        }
        if let FixtureRows::Rows(rows) = &given.fixture.rows {
            diagnostics.extend(values_that_do_not_fit(
                &given.fixture,
                rows,
                output_of(given.node),
                semantics,
                &format!("given to `{}`", given.text),
                (file, given.span),
            ));
        }
        let Some(columns) = known_columns(output_of(given.node), semantics) else {
            continue;
        };
        for column in given.fixture.columns() {
            if find_column(&columns, &column).is_none() {
                let accepted: Vec<&str> =
                    columns.iter().map(|column| column.name.as_str()).collect();
                diagnostics.push(
                    Diagnostic::new(
                        Code::UnitTestUnknownColumn,
                        format!(
                            "the rows given for `{}` name column `{column}`, which `{}` does not have",
                            given.text,
                            input_name(project, given)
                        ),
                    )
                    .with_primary(
                        file,
                        column_span(&given.fixture, &column).unwrap_or(given.span),
                        format!("`{}` has no column `{column}`", input_name(project, given)),
                    )
                    .with_note(format!("its columns: {}", accepted.join(", "))),
                );
            }
        }
    }
    // Overrides render the model differently from its compile (a var may
    // add a column): its compiled output says nothing of the test's, and
    // the comparison when the test runs is what reports a mismatch.
    let overrides = &unit_test.overrides;
    if !overrides.vars.is_empty() || !overrides.macros.is_empty() || !overrides.env_vars.is_empty()
    {
        return diagnostics;
    }
    if let FixtureRows::Rows(rows) = &unit_test.expect.rows {
        diagnostics.extend(values_that_do_not_fit(
            &unit_test.expect,
            rows,
            output_of(unit_test.model),
            semantics,
            "expected",
            (file, unit_test.name_span),
        ));
    }
    if let Some(columns) = known_columns(output_of(unit_test.model), semantics) {
        for column in unit_test.expect.columns() {
            if find_column(&columns, &column).is_none() {
                let accepted: Vec<&str> =
                    columns.iter().map(|column| column.name.as_str()).collect();
                diagnostics.push(
                    Diagnostic::new(
                        Code::UnitTestUnknownColumn,
                        format!(
                            "the expected rows of unit test '{}' name column `{column}`, which model `{}` does not output",
                            details.name, model.name
                        ),
                    )
                    .with_primary(
                        file,
                        column_span(&unit_test.expect, &column).unwrap_or(unit_test.name_span),
                        format!("`{}` outputs no `{column}`", model.name),
                    )
                    .with_note(format!("the model outputs: {}", accepted.join(", "))),
                );
            }
        }
    }
    diagnostics
}

/// Where a fixture's column is first written, when it is known.
fn column_span(fixture: &Fixture, column: &str) -> Option<fusion_ir::span::Span> {
    fixture
        .column_spans
        .iter()
        .find(|(name, _)| name == column)
        .map(|(_, span)| *span)
}

/// Whether a value written in a fixture casts to `ty` (null casts to any
/// type; CSV values are strings, so a string is read as what it spells).
fn value_fits(value: &Value, ty: &SqlType) -> bool {
    let is_number = |text: &str| text.trim().parse::<f64>().is_ok();
    // `YYYY-MM-DD`, alone or starting a timestamp.
    let starts_with_date = |text: &str| {
        let bytes = text.trim().as_bytes();
        bytes.len() >= 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && [0, 1, 2, 3, 5, 6, 8, 9]
                .iter()
                .all(|&index| bytes[index].is_ascii_digit())
            && bytes
                .get(10)
                .is_none_or(|&next| next == b' ' || next == b'T')
    };
    match (value, ty) {
        (Value::Null, _) => true,
        (
            Value::Number(_) | Value::Bool(_),
            SqlType::Boolean
            | SqlType::Int { .. }
            | SqlType::UInt { .. }
            | SqlType::Decimal { .. }
            | SqlType::Float32
            | SqlType::Float64,
        ) => true,
        (Value::String(text), SqlType::Boolean) => matches!(
            text.trim().to_ascii_lowercase().as_str(),
            "true" | "false" | "t" | "f" | "1" | "0"
        ),
        (
            Value::String(text),
            SqlType::Int { .. }
            | SqlType::UInt { .. }
            | SqlType::Decimal { .. }
            | SqlType::Float32
            | SqlType::Float64,
        ) => is_number(text),
        (Value::String(text), SqlType::Date | SqlType::Timestamp { .. }) => starts_with_date(text),
        (_, SqlType::Date | SqlType::Timestamp { .. }) => false,
        (Value::Array(_) | Value::Object(_), SqlType::Boolean)
        | (Value::Array(_) | Value::Object(_), SqlType::Int { .. } | SqlType::UInt { .. })
        | (Value::Array(_) | Value::Object(_), SqlType::Float32 | SqlType::Float64)
        | (Value::Array(_) | Value::Object(_), SqlType::Decimal { .. }) => false,
        _ => true,
    }
}

/// FC4021 for each column of `rows` with a value that does not cast to
/// the column's type in `schema` (the first such value of each column).
fn values_that_do_not_fit(
    fixture: &Fixture,
    rows: &[serde_json::Map<String, Value>],
    schema: &RelationSchema,
    semantics: &dyn DialectSemantics,
    described: &str,
    at: (fusion_ir::span::FileId, fusion_ir::span::Span),
) -> Vec<Diagnostic> {
    let RelationSchema::Known(schema) = schema else {
        return Vec::new();
    };
    let mut reported: Vec<&str> = Vec::new();
    let mut diagnostics = Vec::new();
    for row in rows {
        for (key, value) in row {
            let Some(column) = schema
                .columns
                .iter()
                .find(|column| column.name.as_str().eq_ignore_ascii_case(key))
            else {
                continue;
            };
            if reported.contains(&key.as_str()) || value_fits(value, &column.ty) {
                continue;
            }
            reported.push(key);
            let type_name = semantics.type_name(&column.ty);
            diagnostics.push(
                Diagnostic::new(
                    Code::UnitTestValueType,
                    format!(
                        "the value {value} {described} for column `{key}` cannot be cast to its type {type_name}"
                    ),
                )
                .with_primary(
                    at.0,
                    column_span(fixture, key).unwrap_or(at.1),
                    format!("`{key}` is {type_name}"),
                ),
            );
        }
    }
    diagnostics
}

/// A cell as the diff shows it: daff writes null as `NULL` in the rows
/// both sides have, and as `null` in a row only one side has.
fn shown(value: &Value, in_both: bool) -> String {
    match value {
        Value::Null if in_both => "NULL".to_string(),
        Value::Null => "null".to_string(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// How the rows of `actual` differ from `expected` (both with the same
/// columns), laid out as dbt's daff table: a header `@@`, then the rows in
/// the actual rows' order, each unchanged (blank) or changed (`→`, each
/// differing cell `expected→actual`), an expected row missing from the
/// actual ones (`---`) just before the next row that both sides have, and
/// an actual row nobody expected (`+++`). A changed row is an expected row
/// and an actual one left unmatched with the same first cell. `None` when
/// they are the same multiset of rows.
pub(crate) fn rows_diff(
    columns: &[String],
    expected: &[Vec<Value>],
    actual: &[Vec<Value>],
) -> Option<String> {
    // Which expected row each actual row is: the same row first, then one
    // with the same first cell (changed).
    let mut partner: Vec<Option<usize>> = vec![None; actual.len()];
    let mut taken = vec![false; expected.len()];
    for (index, row) in actual.iter().enumerate() {
        if let Some(found) =
            (0..expected.len()).find(|&other| !taken[other] && expected[other] == *row)
        {
            taken[found] = true;
            partner[index] = Some(found);
        }
    }
    let exact = partner.iter().flatten().count();
    if exact == expected.len() && exact == actual.len() {
        return None;
    }
    for (index, row) in actual.iter().enumerate() {
        if partner[index].is_some() {
            continue;
        }
        if let Some(found) = (0..expected.len())
            .find(|&other| !taken[other] && expected[other].first() == row.first())
        {
            taken[found] = true;
            partner[index] = Some(found);
        }
    }
    let mut lines: Vec<(&str, Vec<String>)> = Vec::new();
    let mut emitted = vec![false; expected.len()];
    let removed = |row: &[Value]| row.iter().map(|value| shown(value, false)).collect();
    for (index, row) in actual.iter().enumerate() {
        let Some(found) = partner[index] else {
            lines.push(("+++", row.iter().map(|value| shown(value, false)).collect()));
            continue;
        };
        // The expected rows missing from the actual ones come before the
        // next row both sides have.
        for earlier in 0..found {
            if !taken[earlier] && !emitted[earlier] {
                emitted[earlier] = true;
                lines.push(("---", removed(&expected[earlier])));
            }
        }
        emitted[found] = true;
        let cells: Vec<String> = expected[found]
            .iter()
            .zip(row)
            .map(|(before, after)| {
                let (before, after) = (shown(before, true), shown(after, true));
                if before == after {
                    before
                } else {
                    format!("{before}→{after}")
                }
            })
            .collect();
        let action = if expected[found] == *row { "" } else { "→" };
        lines.push((action, cells));
    }
    for (index, row) in expected.iter().enumerate() {
        if !emitted[index] {
            lines.push(("---", removed(row)));
        }
    }
    let mut widths: Vec<usize> = columns.iter().map(|name| name.chars().count()).collect();
    for (_, cells) in &lines {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    // Every column padded to its width but the last.
    let joined = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(index, (cell, &width))| {
                if index + 1 == cells.len() {
                    cell.clone()
                } else {
                    format!(
                        "{cell}{}",
                        " ".repeat(width.saturating_sub(cell.chars().count()))
                    )
                }
            })
            .collect::<Vec<String>>()
            .join(",")
    };
    let mut text = String::from("actual differs from expected:\n\n");
    let _ = writeln!(text, "@@ ,{}", joined(columns));
    for (action, cells) in &lines {
        let _ = writeln!(
            text,
            "{action}{},{}",
            " ".repeat(3usize.saturating_sub(action.chars().count())),
            joined(cells)
        );
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[Value]) -> Vec<Value> {
        cells.to_vec()
    }

    #[test]
    fn the_diff_shows_changed_missing_and_extra_rows_as_dbt_does() {
        let columns = vec![
            "customer_id".to_string(),
            "first_name".to_string(),
            "order_count".to_string(),
        ];
        let expected = vec![
            row(&[1.into(), "ANN".into(), 2.into()]),
            row(&[3.into(), "CID".into(), 0.into()]),
            row(&[4.into(), Value::Null, 0.into()]),
        ];
        let actual = vec![
            row(&[1.into(), "ANN".into(), 1.into()]),
            row(&[4.into(), Value::Null, 0.into()]),
            row(&[5.into(), "EVE".into(), 0.into()]),
        ];
        let diff = rows_diff(&columns, &expected, &actual).expect("they differ");
        assert_eq!(
            diff,
            "actual differs from expected:\n\n\
             @@ ,customer_id,first_name,order_count\n\
             →  ,1          ,ANN       ,2→1\n\
             ---,3          ,CID       ,0\n   \
             ,4          ,NULL      ,0\n\
             +++,5          ,EVE       ,0\n"
        );
        // Between rows both sides have, the added rows come before the
        // missing ones; nulls of a row one side has are `null`.
        let expected = vec![
            row(&[1.into(), Value::Null, Value::Null]),
            row(&[2.into(), "X".into(), Value::Null]),
        ];
        let actual = vec![
            row(&[1.into(), "ANN".into(), Value::Null]),
            row(&[3.into(), Value::Null, Value::Null]),
        ];
        assert_eq!(
            rows_diff(&columns, &expected, &actual).expect("they differ"),
            "actual differs from expected:\n\n\
             @@ ,customer_id,first_name,order_count\n\
             →  ,1          ,NULL→ANN  ,NULL\n\
             +++,3          ,null      ,null\n\
             ---,2          ,X         ,null\n"
        );
    }

    #[test]
    fn values_fit_the_types_they_cast_to() {
        let int = SqlType::Int { bits: 32 };
        assert!(value_fits(&1.into(), &int));
        assert!(value_fits(&"12".into(), &int));
        assert!(value_fits(&Value::Null, &int));
        assert!(!value_fits(&"abc".into(), &int));
        assert!(value_fits(&"2024-01-05".into(), &SqlType::Date));
        assert!(value_fits(
            &"2024-01-05 10:00:00".into(),
            &SqlType::TIMESTAMP
        ));
        assert!(!value_fits(&"soon".into(), &SqlType::Date));
        assert!(!value_fits(&5.into(), &SqlType::Date));
        assert!(value_fits(&5.into(), &SqlType::String { max_len: None }));
        assert!(!value_fits(&"maybe".into(), &SqlType::Boolean));
    }

    #[test]
    fn rows_in_another_order_are_the_same_rows() {
        let columns = vec!["a".to_string()];
        let one = vec![row(&[1.into()]), row(&[2.into()]), row(&[2.into()])];
        let other = vec![row(&[2.into()]), row(&[1.into()]), row(&[2.into()])];
        assert_eq!(rows_diff(&columns, &one, &other), None);
        let fewer = vec![row(&[2.into()]), row(&[1.into()])];
        assert!(rows_diff(&columns, &one, &fewer).is_some());
    }

    #[test]
    fn fixtures_cast_given_values_and_fill_missing_columns_with_typed_nulls() {
        let columns = vec![
            FixtureColumn {
                name: "id".into(),
                type_name: Some("INTEGER".into()),
            },
            FixtureColumn {
                name: "name".into(),
                type_name: Some("VARCHAR".into()),
            },
        ];
        let mut first = serde_json::Map::new();
        first.insert("id".into(), 1.into());
        assert_eq!(
            rows_sql(&[first], &columns, "people").expect("known columns"),
            "select cast(1 as INTEGER) as \"id\", cast(null as VARCHAR) as \"name\""
        );
        assert_eq!(
            rows_sql(&[], &columns, "people").expect("no rows"),
            "select cast(null as INTEGER) as \"id\", cast(null as VARCHAR) as \"name\"\nlimit 0"
        );
        let mut wrong = serde_json::Map::new();
        wrong.insert("nickname".into(), "x".into());
        let error = rows_sql(&[wrong], &columns, "people").expect_err("unknown column");
        assert!(error.starts_with("Invalid column name: 'nickname'"));
    }
}
