//! `fusionc show`: runs a model's query, or inline SQL with Jinja, against
//! the warehouse and prints its first rows as a table or as JSON. Nothing
//! is written to the warehouse.

use crate::artifacts::compiled::{compiled_sql, compiled_sql_of};
use crate::cli::{exit_code, Output, ShowArgs, ShowOutput};
use crate::run::node::{relation_of, SharedConnection};
use crate::session::{connect_to_warehouse, load_session, report_diagnostics, select_nodes};
use fusion_frontend::runtime::Warehouse;
use fusion_frontend::runtime::{QueryTable, RunRenderOptions};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use std::sync::Arc;

/// `fusionc show`: renders the selected model (or `--inline` SQL), runs it
/// with a row limit and prints the rows.
pub(crate) fn show(arguments: &ShowArgs, output: &mut Output<'_>) -> i32 {
    let log_format = arguments.selection.project.log_format;
    let session = match load_session(&arguments.selection.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let project = session.project();
    let (adapter, connection) = match connect_to_warehouse(&session, log_format, output) {
        Ok(warehouse) => (
            warehouse.adapter,
            SharedConnection::new(warehouse.connection),
        ),
        Err(code) => return code,
    };
    let (name, sql) = if let Some(inline) = &arguments.inline {
        let options = RunRenderOptions {
            is_incremental: false,
            full_refresh: false,
            which: "show",
            warehouse: Some(connection.clone() as Arc<dyn Warehouse>),
            unit_test: None,
        };
        let rendered = project.render_string(inline, None, &options);
        match rendered {
            Ok(sql) => ("inline".to_string(), sql),
            Err(diagnostic) => {
                report_diagnostics(&session.load, &[diagnostic], log_format, output);
                return exit_code::PROJECT_ERROR;
            }
        }
    } else {
        if arguments.selection.select.is_empty() {
            let _ = writeln!(
                output.stderr,
                "error: give a model with -s/--select, or SQL with --inline"
            );
            return exit_code::USAGE_ERROR;
        }
        let selected = match select_nodes(&session, &arguments.selection, output) {
            Ok(selected) => selected,
            Err(code) => return code,
        };
        let Some(index) = (0..selected.len()).find(|&index| {
            selected[index]
                && matches!(
                    project.nodes[index].kind,
                    NodeKind::Model
                        | NodeKind::Seed
                        | NodeKind::Snapshot
                        | NodeKind::Test
                        | NodeKind::Analysis
                )
        }) else {
            let _ = writeln!(output.stderr, "error: the selection matches no model");
            return exit_code::USAGE_ERROR;
        };
        let id = NodeId(index as u32);
        let details = project.details(id);
        let sql = if details.kind == NodeKind::Seed {
            format!(
                "select * from {}",
                adapter.flavor().quoted(&relation_of(details))
            )
        } else if details.introspective {
            let options = RunRenderOptions {
                is_incremental: false,
                full_refresh: false,
                which: "show",
                warehouse: Some(connection.clone() as Arc<dyn Warehouse>),
                unit_test: None,
            };
            match project.render_node_at_run_time(id, &options) {
                Ok(rendered) => compiled_sql_of(project, id, &rendered.sql).into_owned(),
                Err(diagnostic) => {
                    report_diagnostics(&session.load, &[diagnostic], log_format, output);
                    return exit_code::PROJECT_ERROR;
                }
            }
        } else {
            match compiled_sql(project, id) {
                Some(sql) => sql.into_owned(),
                None => {
                    report_diagnostics(
                        &session.load,
                        &session.load.diagnostics,
                        log_format,
                        output,
                    );
                    return exit_code::PROJECT_ERROR;
                }
            }
        };
        (details.name.clone(), sql)
    };
    let limit = usize::try_from(arguments.limit).ok();
    let body = sql.trim().trim_end_matches(';');
    let query = match limit {
        Some(limit) => format!("select * from (\n{body}\n) as dbt_show_query limit {limit}"),
        None => body.to_string(),
    };
    let table = match connection.lock().query(&query, limit) {
        Ok(table) => table,
        Err(error) => {
            let diagnostic = Diagnostic::new(
                Code::NodeExecutionFailed,
                format!(
                    "the query of `{name}` failed in the warehouse: {}",
                    error.message
                ),
            );
            report_diagnostics(&session.load, &[diagnostic], log_format, output);
            return exit_code::PROJECT_ERROR;
        }
    };
    match arguments.output {
        ShowOutput::Json => {
            let rows: Vec<serde_json::Value> = table
                .rows
                .iter()
                .map(|row| {
                    serde_json::Value::Object(
                        table
                            .column_names
                            .iter()
                            .cloned()
                            .zip(row.iter().cloned())
                            .collect(),
                    )
                })
                .collect();
            let document = serde_json::json!({ "node": name, "show": rows });
            let _ = writeln!(
                output.stdout,
                "{}",
                serde_json::to_string_pretty(&document).unwrap_or_default()
            );
        }
        ShowOutput::Text => {
            let _ = writeln!(output.stdout, "Previewing node '{name}':");
            let _ = write!(output.stdout, "{}", format_table(&table));
        }
    }
    exit_code::SUCCESS
}

fn cell_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The rows as a Markdown table; numbers right-aligned, as dbt shows them.
fn format_table(table: &QueryTable) -> String {
    let cells: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(cell_text).collect())
        .collect();
    let numeric: Vec<bool> = (0..table.column_names.len())
        .map(|column| {
            table.rows.iter().all(|row| {
                matches!(
                    row.get(column),
                    Some(serde_json::Value::Number(_) | serde_json::Value::Null)
                )
            })
        })
        .collect();
    let widths: Vec<usize> = table
        .column_names
        .iter()
        .enumerate()
        .map(|(column, name)| {
            cells
                .iter()
                .map(|row| row.get(column).map_or(0, |cell| cell.chars().count()))
                .chain([name.chars().count(), 3])
                .max()
                .unwrap_or(3)
        })
        .collect();
    let mut text = String::new();
    let line = |values: Vec<String>| format!("| {} |\n", values.join(" | "));
    text.push_str(&line(
        table
            .column_names
            .iter()
            .zip(&widths)
            .map(|(name, &width)| format!("{name:<width$}"))
            .collect(),
    ));
    text.push_str(&line(
        widths.iter().map(|&width| "-".repeat(width)).collect(),
    ));
    for row in &cells {
        text.push_str(&line(
            row.iter()
                .enumerate()
                .map(|(column, cell)| {
                    let width = widths.get(column).copied().unwrap_or(0);
                    if numeric.get(column).copied().unwrap_or(false) {
                        format!("{cell:>width$}")
                    } else {
                        format!("{cell:<width$}")
                    }
                })
                .collect(),
        ));
    }
    text
}
