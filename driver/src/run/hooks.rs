//! The statements a run executes around its nodes rather than for one of
//! them: creating the schemas the nodes build in, and the project's
//! `on-run-start` and `on-run-end` hooks.

use super::context::RunContext;
use super::node::{relation_of, SharedConnection};
use super::report::RunReport;
use crate::cli::Output;
use fusion_frontend::runtime::{RunRenderOptions, Warehouse};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use std::sync::Arc;
use std::time::Instant;

/// Creates the schemas of the selected nodes that write a relation.
pub(crate) fn create_schemas(
    context: &RunContext<'_>,
    selected: &[bool],
    connection: &SharedConnection,
) -> Result<(), Diagnostic> {
    let mut schemas: Vec<(Option<String>, String)> = Vec::new();
    for (index, details) in context.project.nodes.iter().enumerate() {
        if !selected[index] || !super::node::writes_relation(details) {
            continue;
        }
        let relation = relation_of(details);
        if let Some(schema) = relation.schema {
            let key = (relation.database, schema);
            if !schemas.contains(&key) {
                schemas.push(key);
            }
        }
    }
    let mut connection = connection.lock();
    for (database, schema) in schemas {
        let sql = context
            .adapter
            .flavor()
            .create_schema(database.as_deref(), &schema);
        connection.execute(&sql).map_err(|error| {
            Diagnostic::new(
                Code::WarehouseUnavailable,
                format!("cannot create schema `{schema}`: {}", error.message),
            )
        })?;
    }
    Ok(())
}

/// Runs `on-run-start` or `on-run-end`; true when one failed.
pub(crate) fn run_project_hooks(
    context: &RunContext<'_>,
    connection: &Arc<SharedConnection>,
    hooks: &[String],
    label: &str,
    options: &RunRenderOptions<'_>,
    outcome: &mut RunReport,
    output: &mut Output<'_>,
) -> bool {
    if hooks.is_empty() {
        return false;
    }
    let _ = writeln!(
        output.stdout,
        "Running {} {label} hook{}",
        hooks.len(),
        if hooks.len() == 1 { "" } else { "s" }
    );
    for (index, hook) in hooks.iter().enumerate() {
        let started = Instant::now();
        let options = RunRenderOptions {
            is_incremental: false,
            full_refresh: options.full_refresh,
            which: options.which,
            warehouse: Some(connection.clone() as Arc<dyn Warehouse>),
            unit_test: None,
        };
        let sql = context.project.render_string(hook, None, &options);
        let result = match sql {
            Ok(sql) if sql.trim().is_empty() => Ok(()),
            Ok(sql) => {
                let mut connection = connection.lock();
                let result = connection.execute(&sql).map_err(|error| error.message);
                if crate::adapter::may_change_catalog(&sql) {
                    connection.catalog_unknown();
                }
                result
            }
            Err(diagnostic) => Err(diagnostic.message),
        };
        let name = format!(
            "{}-on-run-{}-{index}",
            context.project.name,
            if label == "on-run-start" {
                "start"
            } else {
                "end"
            }
        );
        match result {
            Ok(()) => {
                let _ = writeln!(
                    output.stdout,
                    "{} of {} OK hook: {name} [OK in {:.2}s]",
                    index + 1,
                    hooks.len(),
                    started.elapsed().as_secs_f64()
                );
            }
            Err(message) => {
                let _ = writeln!(
                    output.stdout,
                    "{} of {} ERROR hook: {name} [ERROR in {:.2}s]",
                    index + 1,
                    hooks.len(),
                    started.elapsed().as_secs_f64()
                );
                outcome
                    .hook_errors
                    .push(format!("{label} hook {name} failed: {message}"));
                return true;
            }
        }
    }
    false
}
