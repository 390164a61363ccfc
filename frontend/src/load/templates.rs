//! Phase: the templates of models, analyses, singular tests and snapshots.

use super::files::{discover, text_of, unreadable};
use super::LoadContext;
use crate::checksum::file_checksum;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::NodeKind;
use fusion_ir::span::{FileId, SourceFiles};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// A node that is rendered from a SQL template.
pub(super) struct TemplateNode {
    pub(super) kind: NodeKind,
    /// The unit (root project or installed package) it belongs to: its
    /// index in [`LoadContext::units`].
    pub(super) unit: usize,
    pub(super) name: String,
    pub(super) fqn: Vec<String>,
    /// Path from the root project's folder (a package's files under its
    /// install folder): the template's name and its file's.
    pub(super) original_file_path: String,
    pub(super) path: String,
    pub(super) file: FileId,
    pub(super) raw: Arc<str>,
    /// A snapshot's block body in `raw` (the rest of its file is blanked).
    pub(super) body: Option<std::ops::Range<usize>>,
    pub(super) checksum: String,
    /// Set when the node is one version of a versioned model (its `name`
    /// is then `<model>_v<version>`, which `ref(model, v=...)` looks up).
    pub(super) version: Option<ModelVersion>,
}

impl TemplateNode {
    /// The name dbt gives the node: a version's model name, else its own.
    pub(super) fn dbt_name(&self) -> &str {
        self.version
            .as_ref()
            .map_or(self.name.as_str(), |version| version.model_name.as_str())
    }

    /// dbt's unique id of the node (`model.shop.customers.v2` for a
    /// version).
    pub(super) fn unique_id(&self, project_name: &str) -> String {
        match &self.version {
            Some(version) => format!(
                "{}.v{}",
                unique_id_of(self.kind, project_name, &version.model_name),
                version.version
            ),
            None => unique_id_of(self.kind, project_name, &self.name),
        }
    }
}

/// Which version of which model a template node is.
#[derive(Clone, Debug)]
pub(super) struct ModelVersion {
    /// The model's name (`customers` of `customers_v2`).
    pub(super) model_name: String,
    pub(super) version: String,
    /// The model's latest version.
    pub(super) latest: String,
}

/// Reads the templates of models, analyses, singular tests and snapshots
/// (one node per snapshot block), in that order, with each template file
/// by path.
pub(super) fn read_templates(
    context: &LoadContext,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<TemplateNode>, FxHashMap<String, FileId>) {
    let mut template_files: FxHashMap<String, FileId> = FxHashMap::default();
    let mut template_nodes: Vec<TemplateNode> = Vec::new();
    let kinds_and_folders = context.units.iter().enumerate().flat_map(|(index, unit)| {
        let settings = &unit.settings;
        [
            (NodeKind::Model, &settings.model_paths),
            (NodeKind::Analysis, &settings.analysis_paths),
            (NodeKind::Test, &settings.test_paths),
            (NodeKind::Snapshot, &settings.snapshot_paths),
        ]
        .map(|(kind, folders)| (index, unit, kind, folders))
    });
    for (unit_index, unit, kind, folders) in kinds_and_folders {
        // Reading and hashing are parallel; registering files stays in order.
        let mut found_files = discover(&context.root_dir, &unit.folders(folders), &["sql"]);
        if kind == NodeKind::Test {
            // Files under a test folder's `generic/` hold generic tests
            // (read with the macros) and those under `fixtures/` unit
            // test fixtures: neither is a singular test, as in dbt.
            found_files.retain(|found| {
                !found.path.starts_with("generic/") && !found.path.starts_with("fixtures/")
            });
        }
        let contents: Vec<std::io::Result<(Arc<str>, String)>> = found_files
            .par_iter()
            .map(|found| {
                std::fs::read(&found.absolute).map(|bytes| {
                    let text = text_of(bytes);
                    let checksum = file_checksum(&text);
                    (text, checksum)
                })
            })
            .collect();
        for (found, content) in found_files.into_iter().zip(contents) {
            let (text, checksum) = match content {
                Ok(content) => content,
                Err(error) => {
                    diagnostics.push(unreadable(&found, &error));
                    continue;
                }
            };
            let file = files.add(found.original_file_path.clone(), text.clone());
            let name = found
                .path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .trim_end_matches(".sql")
                .to_string();
            if kind == NodeKind::Snapshot {
                // A snapshot file holds `{% snapshot name %}` blocks: one
                // node each, named by its block, not by its file.
                let folders_of_path: Vec<&str> = found.path.split('/').collect();
                for block in snapshot_blocks(&text) {
                    let mut fqn = vec![unit.name.clone()];
                    fqn.extend(
                        folders_of_path[..folders_of_path.len() - 1]
                            .iter()
                            .map(|part| part.to_string()),
                    );
                    fqn.push(name.clone());
                    fqn.push(block.name.clone());
                    template_nodes.push(TemplateNode {
                        kind,
                        unit: unit_index,
                        name: block.name,
                        fqn,
                        original_file_path: found.original_file_path.clone(),
                        path: found.path.clone(),
                        file,
                        checksum: checksum.clone(),
                        raw: block.template.into(),
                        body: Some(block.body),
                        version: None,
                    });
                }
                template_files.insert(found.original_file_path.clone(), file);
                continue;
            }
            let mut fqn = vec![unit.name.clone()];
            if kind == NodeKind::Analysis {
                fqn.push("analysis".into());
            }
            let folders_of_path: Vec<&str> = found.path.split('/').collect();
            fqn.extend(
                folders_of_path[..folders_of_path.len() - 1]
                    .iter()
                    .map(|part| part.to_string()),
            );
            fqn.push(name.clone());
            template_files.insert(found.original_file_path.clone(), file);
            template_nodes.push(TemplateNode {
                kind,
                unit: unit_index,
                name,
                fqn,
                original_file_path: found.original_file_path,
                path: found.path,
                file,
                checksum,
                raw: text,
                body: None,
                version: None,
            });
        }
    }
    (template_nodes, template_files)
}

/// dbt's unique id of a node the project defines.
pub(super) fn unique_id_of(kind: NodeKind, project_name: &str, name: &str) -> String {
    format!("{}.{project_name}.{name}", kind.resource_type())
}

/// One `{% snapshot name %} ... {% endsnapshot %}` block of a snapshot file.
struct SnapshotBlock {
    name: String,
    /// The file's text with everything but the block's body blanked out
    /// (each byte a space, newlines kept), so offsets, line numbers and the
    /// source map stay those of the file.
    template: String,
    /// Where the body lies in the file (and in `template`).
    body: std::ops::Range<usize>,
}

/// The snapshot blocks of a snapshot file, in order.
fn snapshot_blocks(text: &str) -> Vec<SnapshotBlock> {
    crate::blocks::named_blocks(text, "snapshot")
        .into_iter()
        .map(|block| {
            let body = block.body;
            let template: String = text
                .char_indices()
                .flat_map(|(offset, character)| {
                    let keep = body.contains(&offset) || character == '\n';
                    let replacement = if keep { character } else { ' ' };
                    let repeat = if keep { 1 } else { character.len_utf8() };
                    std::iter::repeat_n(replacement, repeat)
                })
                .collect();
            SnapshotBlock {
                name: block.name,
                template,
                body,
            }
        })
        .collect()
}
