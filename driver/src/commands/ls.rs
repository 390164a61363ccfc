//! `fusionc ls`: the selected nodes, one per line, in the format asked for.

use crate::cli::{ListArgs, ListOutput, Output};
use crate::session::{exit_code_for, load_session, report_diagnostics, select_nodes_and_declared};
use fusion_ir::graph::{NodeId, NodeKind};

/// `fusionc ls`: the selected nodes, one per line.
pub(crate) fn list(arguments: &ListArgs, output: &mut Output<'_>) -> i32 {
    let session = match load_session(&arguments.selection.project, output) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let project = session.project();
    report_diagnostics(
        &session.load,
        &session.load.diagnostics,
        arguments.selection.project.log_format,
        output,
    );
    let (selected, declared_selected) =
        match select_nodes_and_declared(&session, &arguments.selection, output) {
            Ok(selected) => selected,
            Err(code) => return code,
        };
    let wanted = |resource_type: &str| {
        arguments.resource_type.is_empty()
            || arguments
                .resource_type
                .iter()
                .any(|kind| kind == resource_type || kind == "all")
    };
    // Each listed line with its unique id: dbt sorts them all by it.
    let mut lines: Vec<(&str, String)> = Vec::new();
    let declared = project
        .listed_declared()
        .zip(declared_selected)
        .filter(|(resource, selected)| *selected && wanted(resource.kind.resource_type()))
        .map(|(resource, _)| resource);
    for resource in declared {
        let line = match arguments.output {
            ListOutput::Selector => format!(
                "{}:{}.{}",
                resource.kind.resource_type(),
                resource.package_name,
                resource.name
            ),
            ListOutput::Name => resource.name.clone(),
            ListOutput::Path => resource.original_file_path.clone(),
            ListOutput::Json => serde_json::json!({
                "name": resource.name,
                "resource_type": resource.kind.resource_type(),
                "package_name": resource.package_name,
                "original_file_path": resource.original_file_path,
                "unique_id": resource.unique_id,
                "config": resource.config,
                "tags": resource.tags(),
                "depends_on": {"macros": [], "nodes": resource.depends_on},
            })
            .to_string(),
        };
        lines.push((&resource.unique_id, line));
    }
    let listed: Vec<(NodeId, &fusion_frontend::NodeDetails)> = project
        .nodes
        .iter()
        .enumerate()
        .map(|(index, details)| (NodeId(index as u32), details))
        .filter(|(id, details)| selected[id.index()] && wanted(details.kind.resource_type()))
        .collect();
    for (id, details) in listed {
        let line = match arguments.output {
            ListOutput::Selector => match details.kind {
                NodeKind::Source => format!("source:{}", details.fqn.join(".")),
                // dbt lists a unit test by package and name, without its model.
                NodeKind::UnitTest => {
                    format!("unit_test:{}.{}", details.package_name, details.name)
                }
                _ => details.fqn.join("."),
            },
            ListOutput::Name => details.name.clone(),
            ListOutput::Path => details.original_file_path.clone(),
            ListOutput::Json => serde_json::json!({
                "name": details.name,
                "resource_type": details.kind.resource_type(),
                "package_name": details.package_name,
                "original_file_path": details.original_file_path,
                "unique_id": details.unique_id,
                "alias": details.alias,
                "config": details.config.values,
                "tags": details.config.tags(),
                "depends_on": {
                    "nodes": project
                        .graph
                        .parents(id)
                        .iter()
                        .map(|id| project.details(*id).unique_id.clone())
                        .collect::<Vec<_>>(),
                },
            })
            .to_string(),
        };
        lines.push((&details.unique_id, line));
    }
    lines.sort_by_key(|(unique_id, _)| *unique_id);
    for (_, line) in lines {
        let _ = writeln!(output.stdout, "{line}");
    }
    exit_code_for(&session.load.diagnostics)
}
