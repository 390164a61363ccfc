//! A run's artifacts: `target/run_results.json` in dbt's layout, and the SQL
//! each node actually executed under `target/run/`.

use crate::cli::RunArgs;
use crate::run::context::RunKind;
use crate::run::report::{NodeResult, Status};
use fusion_frontend::Project;
use fusion_ir::graph::NodeKind;
use std::time::Instant;

/// Writes `target/run_results.json` and the executed SQL under `target/run/`.
pub(crate) fn write_run_results(
    project: &Project,
    kind: RunKind,
    results: &[NodeResult],
    started: Instant,
    arguments: &RunArgs,
) -> std::io::Result<()> {
    let target_dir = project.root_dir.join(&project.settings.target_path);
    std::fs::create_dir_all(&target_dir)?;
    for result in results {
        let details = project.details(result.id);
        let Some(built) = &result.built else { continue };
        if built.executed.is_empty() {
            continue;
        }
        let relative = crate::artifacts::compiled::compiled_relative_path(details).replacen(
            "compiled/",
            "run/",
            1,
        );
        let path = target_dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut text = built.executed.join(";\n\n");
        text.push_str(";\n");
        std::fs::write(path, text)?;
    }
    let (generated_at, invocation_id) = crate::artifacts::stamp::run_stamp();
    let entries: Vec<serde_json::Value> = results
        .iter()
        .map(|result| {
            let details = project.details(result.id);
            let relation = match details.kind {
                NodeKind::Test | NodeKind::UnitTest => serde_json::Value::Null,
                _ => serde_json::Value::String(project.relation_name(details)),
            };
            let rows = result.built.as_ref().and_then(|built| built.rows);
            serde_json::json!({
                "status": result.status.json(),
                "timing": [
                    {"name": "compile", "started_at": result.started_at, "completed_at": result.started_at},
                    {"name": "execute", "started_at": result.started_at, "completed_at": result.completed_at},
                ],
                "thread_id": format!("Thread-{} (worker)", result.worker + 1),
                "execution_time": result.elapsed,
                "adapter_response": match &result.built {
                    // A unit test's response is dbt's bare `OK`.
                    Some(built)
                        if result.status != Status::Error
                            && details.kind == NodeKind::UnitTest =>
                    {
                        serde_json::json!({"_message": built.response})
                    }
                    Some(built) if result.status != Status::Error => serde_json::json!({
                        "_message": built.response,
                        // The message less its counts, as dbt-postgres
                        // gives it: `INSERT 0 5` is `INSERT`, `CREATE VIEW`
                        // stays whole.
                        "code": built.response.trim_end_matches(|character: char| {
                            character.is_ascii_digit() || character == ' '
                        }),
                        "rows_affected": rows,
                    }),
                    _ => serde_json::json!({}),
                },
                // A unit test that passed has no message (dbt's null).
                "message": match details.kind {
                    NodeKind::UnitTest if result.message.is_empty() => serde_json::Value::Null,
                    _ => serde_json::Value::String(result.message.clone()),
                },
                "failures": result.built.as_ref().and_then(|built| built.failures),
                "unique_id": details.unique_id,
                "compiled": result.compiled.is_some(),
                "compiled_code": result.compiled,
                "relation_name": relation,
                "batch_results": null,
            })
        })
        .collect();
    let document = serde_json::json!({
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json",
            "dbt_version": "1.10.0",
            "generated_at": generated_at,
            "invocation_id": invocation_id,
            "env": {},
        },
        "results": entries,
        "elapsed_time": started.elapsed().as_secs_f64(),
        "args": {
            "which": kind.which(),
            "select": arguments.selection.select,
            "exclude": arguments.selection.exclude,
            "full_refresh": arguments.full_refresh,
            "threads": arguments.threads,
            "static_analysis": arguments.static_analysis.map(|flag| format!("{flag:?}").to_ascii_lowercase()),
            "invocation_command": format!("fusionc {}", kind.which()),
        },
    });
    let text = serde_json::to_string_pretty(&document).map_err(std::io::Error::other)?;
    std::fs::write(target_dir.join("run_results.json"), text)
}
