//! Runs one unit test on its worker: the tested model rendered with each
//! given input read from a CTE of literal rows (and the test's overrides
//! of macros, vars and env vars), its rows compared with the expected ones
//! as a multiset, on the columns the expectation names. It reads nothing
//! the project builds: no upstream has to exist.

use super::context::RunContext;
use super::materialize::Built;
use super::node::SharedConnection;
use super::report::{NodeResult, Status};
use crate::unit_tests::{
    actual_query, rows_diff, rows_sql, ActualQuery, FixtureColumn, QueryInputs,
};
use fusion_frontend::runtime::{RunRenderOptions, Warehouse};
use fusion_frontend::unit_tests::{FixtureRows, UnitTest};
use fusion_ir::graph::NodeId;
use std::sync::Arc;

/// Runs unit test `id` and records its outcome in `result`: pass, fail
/// (the rows differ; the message shows how) or error (it could not run).
pub(super) fn execute_unit_test(
    context: &RunContext<'_>,
    connection: &Arc<SharedConnection>,
    id: NodeId,
    result: &mut NodeResult,
) {
    let project = context.project;
    let Some(unit_test) = project.unit_test(id) else {
        result.status = Status::Error;
        result.message = "this unit test was not loaded".to_string();
        return;
    };
    match run(context, connection, unit_test) {
        Ok(outcome) => {
            result.compiled = Some(outcome.compiled);
            let failed = outcome.diff.is_some();
            result.status = if failed { Status::Fail } else { Status::Pass };
            result.message = outcome.diff.unwrap_or_default();
            result.built = Some(Built {
                executed: outcome.executed,
                failures: Some(u64::from(failed)),
                should_error: failed,
                response: "OK".to_string(),
                ..Built::default()
            });
        }
        Err(failure) => {
            result.status = Status::Error;
            result.compiled = failure.compiled;
            result.message = failure.message;
        }
    }
}

struct Outcome {
    /// The model's query over the given rows (dbt's compiled code).
    compiled: String,
    executed: Vec<String>,
    /// How the rows differ, when they do.
    diff: Option<String>,
}

struct Failure {
    compiled: Option<String>,
    message: String,
}

impl Failure {
    fn new(message: String) -> Failure {
        Failure {
            compiled: None,
            message,
        }
    }
}

fn run(
    context: &RunContext<'_>,
    connection: &Arc<SharedConnection>,
    unit_test: &UnitTest,
) -> Result<Outcome, Failure> {
    let project = context.project;
    let details = project.details(unit_test.node);
    let warehouse: Arc<dyn Warehouse> = connection.clone();
    let ActualQuery {
        sql: compiled,
        untyped,
    } = actual_query(&QueryInputs {
        project,
        unit_test,
        output_schemas: context.output_schemas,
        semantics: context.dialect.semantics(),
        warehouse: Some(warehouse),
        which: context.kind.which(),
        full_refresh: context.full_refresh,
    })
    .map_err(Failure::new)?;
    let render_query = |sql: &str| {
        let options = RunRenderOptions {
            is_incremental: false,
            full_refresh: context.full_refresh,
            which: context.kind.which(),
            warehouse: Some(connection.clone() as Arc<dyn Warehouse>),
            unit_test: None,
        };
        project
            .render_string(sql, Some(unit_test.model), &options)
            .map_err(|diagnostic| Failure::new(diagnostic.message))
    };
    // Inputs whose columns nobody knows read untyped literals: say so,
    // as it is the likely cause of a type error.
    let untyped_note = if untyped.is_empty() {
        String::new()
    } else {
        format!(
            "\n  The columns of {} are known neither to the analysis (declare them in YAML) nor to the warehouse: their given rows are untyped literals.",
            untyped.join(", ")
        )
    };
    let execution_error = |message: String| {
        Failure {
        compiled: Some(compiled.clone()),
        message: format!(
            "Runtime Error in unit_test {} ({})\n  An error occurred during execution of unit test '{}'. There may be an error in the unit test definition: check the data types.\n   {message}{untyped_note}",
            details.name, details.original_file_path, details.name
        ),
    }
    };
    let actual = connection.run_query(&compiled).map_err(execution_error)?;
    let mut executed = vec![compiled.clone()];
    // The expected rows, cast to the types of the model's columns. Rows
    // written as mappings are compared on the columns they name; a query
    // must give every column.
    let actual_columns: Vec<FixtureColumn> = actual
        .column_names
        .iter()
        .zip(&actual.column_types)
        .map(|(name, type_name)| FixtureColumn {
            name: name.clone(),
            // A column that is always null has no type to cast to.
            type_name: (!type_name.eq_ignore_ascii_case("null")).then(|| type_name.clone()),
        })
        .collect();
    let (compared, expected_sql) = match &unit_test.expect.rows {
        // A query is cast to the model's types, as dbt's union of the
        // actual and expected rows unifies them; it must give every column.
        FixtureRows::Sql(sql) => {
            let sql = render_query(sql)?;
            let casts: Vec<String> = actual_columns
                .iter()
                .map(|column| {
                    let name = format!("\"{}\"", column.name.replace('"', "\"\""));
                    match &column.type_name {
                        Some(type_name) => format!("cast({name} as {type_name}) as {name}"),
                        None => name,
                    }
                })
                .collect();
            (
                actual.column_names.clone(),
                format!(
                    "select {} from (\n{}\n) as dbt_internal_unit_test_expected",
                    casts.join(", "),
                    sql.trim().trim_end_matches(';')
                ),
            )
        }
        FixtureRows::Rows(rows) => {
            // No expected rows name no column: all the model's are
            // compared, as dbt compares them.
            let mut compared = unit_test.expect.columns();
            if compared.is_empty() {
                compared.clone_from(&actual.column_names);
            }
            let mut typed: Vec<FixtureColumn> = Vec::new();
            for column in &mut compared {
                let Some(found) = actual_columns
                    .iter()
                    .find(|actual| actual.name.eq_ignore_ascii_case(column))
                else {
                    return Err(execution_error(format!(
                        "Binder Error: the model outputs no column \"{column}\" (its columns: {})",
                        actual.column_names.join(", ")
                    )));
                };
                column.clone_from(&found.name);
                typed.push(found.clone());
            }
            let sql = rows_sql(rows, &typed, &project.details(unit_test.model).name)
                .map_err(execution_error)?;
            (compared, sql)
        }
    };
    let expected = connection
        .run_query(&expected_sql)
        .map_err(execution_error)?;
    executed.push(expected_sql);
    let project_rows = |table: &fusion_frontend::runtime::QueryTable| {
        let positions: Vec<Option<usize>> = compared
            .iter()
            .map(|column| {
                table
                    .column_names
                    .iter()
                    .position(|name| name.eq_ignore_ascii_case(column))
            })
            .collect();
        table
            .rows
            .iter()
            .map(|row| {
                positions
                    .iter()
                    .map(|position| {
                        position
                            .and_then(|position| row.get(position).cloned())
                            .unwrap_or(serde_json::Value::Null)
                    })
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    let diff = rows_diff(&compared, &project_rows(&expected), &project_rows(&actual));
    Ok(Outcome {
        compiled,
        executed,
        diff,
    })
}
