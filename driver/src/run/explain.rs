//! `--explain`: what each selected node would do and why, without touching
//! the warehouse's relations (the state store's own tables aside). The
//! text form is a line per node in DAG order; `--log-format json` prints
//! one JSON document with the same facts.

use crate::cli::{LogFormat, Output};
use crate::state::decide::Action;
use crate::state::StatePlan;
use fusion_frontend::Project;
use fusion_ir::graph::NodeKind;

pub(super) fn print_explanation(
    project: &Project,
    selected: &[bool],
    plan: &StatePlan,
    log_format: LogFormat,
    output: &mut Output<'_>,
) {
    let order: Vec<usize> = match project.graph.topological_order() {
        Ok(order) => order.iter().map(|id| id.index()).collect(),
        Err(_) => (0..project.nodes.len()).collect(),
    };
    let mut entries = Vec::new();
    for index in order {
        let details = &project.nodes[index];
        if !selected[index] || details.is_ephemeral() {
            continue;
        }
        let Some(decision) = &plan.decisions[index] else {
            continue;
        };
        let action = match decision.action {
            Action::Build => "build",
            Action::Reuse => "reuse",
        };
        entries.push((index, details, action, decision));
    }
    match log_format {
        LogFormat::Json => {
            let nodes: Vec<serde_json::Value> = entries
                .iter()
                .map(|(index, details, action, decision)| {
                    let previous = plan.previous[*index].as_ref();
                    serde_json::json!({
                        "unique_id": details.unique_id,
                        "resource_type": details.kind.resource_type(),
                        "action": action,
                        "reason": decision.reason,
                        "upstream_markers": decision.upstream_markers,
                        "last_built_at": previous.map(|state| state.built_at.clone()),
                    })
                })
                .collect();
            let document = serde_json::json!({
                "invocation_id": plan.invocation_id,
                "state_schema": plan.location.schema,
                "nodes": nodes,
            });
            let _ = writeln!(
                output.stdout,
                "{}",
                serde_json::to_string_pretty(&document).unwrap_or_default()
            );
        }
        LogFormat::Text => {
            let width = entries
                .iter()
                .map(|(_, details, _, _)| label(details).len())
                .max()
                .unwrap_or(0);
            for (_, details, action, decision) in &entries {
                let _ = writeln!(
                    output.stdout,
                    "{:<width$}  {:<6} {}",
                    label(details),
                    action.to_ascii_uppercase(),
                    decision.reason
                );
            }
            let builds = entries
                .iter()
                .filter(|(_, _, action, _)| *action == "build")
                .count();
            let _ = writeln!(
                output.stdout,
                "{} node{} would be built, {} reused",
                builds,
                if builds == 1 { "" } else { "s" },
                entries.len() - builds
            );
        }
    }
}

/// `model orders`, `test not_null_orders_id`.
fn label(details: &fusion_frontend::NodeDetails) -> String {
    let kind = match details.kind {
        NodeKind::UnitTest => "unit_test",
        other => other.resource_type(),
    };
    format!("{kind} {}", details.name)
}
