//! Phase: seed nodes from the project's CSV files.

use super::files::{discover, read_file};
use super::project::project_file_layers;
use super::LoadContext;
use crate::adapter_naming::AdapterNaming;
use crate::checksum::file_checksum;
use crate::config::{Materialization, NodeConfig};
use crate::package_scope::ByPackage;
use crate::project::{NodeDetails, SeedColumn};
use crate::schema_yaml::NodePatch;
use crate::seeds::{infer_column_type, parse_csv};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::NodeKind;
use fusion_ir::name::Name;
use fusion_ir::span::{FileId, SourceFiles, Span};
use serde_json::Value;
use std::sync::Arc;

/// Reads the enabled seeds, each with its config (project, then YAML) and
/// its columns' types; their relations are named later, with the others.
pub(super) fn read_seeds(
    context: &LoadContext,
    seed_patches: &ByPackage<NodePatch>,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<NodeDetails> {
    let mut seed_nodes: Vec<NodeDetails> = Vec::new();
    let found_seeds = context.units.iter().flat_map(|unit| {
        discover(
            &context.root_dir,
            &unit.folders(&unit.settings.seed_paths),
            &["csv"],
        )
        .into_iter()
        .map(move |found| (unit, found))
    });
    for (unit, found) in found_seeds {
        let project_name = &unit.name;
        let Some((file, text)) = read_file(&found, files, diagnostics) else {
            continue;
        };
        let name = found
            .path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".csv")
            .to_string();
        let mut fqn = vec![project_name.clone()];
        let parts: Vec<&str> = found.path.split('/').collect();
        fqn.extend(parts[..parts.len() - 1].iter().map(|part| part.to_string()));
        fqn.push(name.clone());
        let mut config = NodeConfig::default();
        config.values.insert(
            "materialized".into(),
            Value::String(Materialization::Seed.name().into()),
        );
        let (own_layers, root_layers) =
            project_file_layers(context, unit, |settings| &settings.seeds, &fqn);
        for layer in &own_layers {
            config.apply(layer);
        }
        let patch = seed_patches.get_in(project_name, &name);
        if let Some(patch) = patch {
            config.apply(&patch.config);
        }
        for layer in &root_layers {
            config.apply(layer);
        }
        let seed_columns = seed_columns(&text, &config, context.adapter_naming, file, diagnostics);
        if !config.enabled() {
            continue;
        }
        seed_nodes.push(NodeDetails {
            kind: NodeKind::Seed,
            unique_id: format!("seed.{project_name}.{name}"),
            package_name: project_name.clone(),
            fqn,
            original_file_path: unit.own_path(&found.original_file_path).to_string(),
            path: found.path.clone(),
            file: Some(file),
            checksum: file_checksum(&text),
            raw_code: Arc::from(""),
            raw_code_body: None,
            config,
            description: patch
                .map(|patch| patch.description.clone())
                .unwrap_or_default(),
            doc_blocks: patch
                .map(|patch| patch.doc_blocks.clone())
                .unwrap_or_default(),
            patch_path: patch.map(|patch| format!("{project_name}://{}", patch.yaml_path)),
            columns: patch.map(|patch| patch.columns.clone()).unwrap_or_default(),
            refs: Vec::new(),
            sources: Vec::new(),
            macros_called: Vec::new(),
            depends_on_macros: Vec::new(),
            rendered: None,
            introspective: false,
            database: None,
            schema: None,
            alias: name.clone(),
            quoting: context.relation_quoting,
            seed_columns,
            source: None,
            test: None,
            version: None,
            latest_version: None,
            deprecation_date: None,
            time_spine: None,
            name,
        });
    }
    seed_nodes
}

/// A seed's columns: each with its `column_types` entry or the type its
/// values infer (spelled as the adapter spells it); none, and a diagnostic, for a malformed CSV.
fn seed_columns(
    text: &str,
    config: &NodeConfig,
    adapter_naming: &dyn AdapterNaming,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<SeedColumn> {
    let column_types = config.column_types();
    match parse_csv(text) {
        Ok(table) => table
            .header
            .iter()
            .enumerate()
            .map(
                |(index, column)| match column_types.get(column).and_then(Value::as_str) {
                    Some(declared) => SeedColumn {
                        name: column.clone(),
                        sql_type: fusion_ir::types::SqlType::Other(Name::new(declared)),
                        type_name: declared.to_string(),
                    },
                    None => {
                        let sql_type =
                            infer_column_type(table.rows.iter().map(|row| row[index].as_str()));
                        SeedColumn {
                            name: column.clone(),
                            type_name: adapter_naming.seed_type_name(&sql_type),
                            sql_type,
                        }
                    }
                },
            )
            .collect(),
        Err(error) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::SeedCsv,
                    format!("malformed seed CSV: {}", error.message),
                )
                .with_primary(
                    file,
                    Span::from_range(error.offset..error.offset),
                    format!("line {}", error.line),
                ),
            );
            Vec::new()
        }
    }
}
