//! Project-wide column lineage from the compile pipeline's analysis, and
//! its artifact `target/lineage.json`.
//!
//! The lineage comes from the queries and bindings that analysis already
//! built for type checking (`pipeline::Analysis`): nothing is parsed again.

use crate::pipeline::Analysis;
use fusion_frontend::Project;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::lineage::{NodeLineage, ProjectLineage};
use fusion_ir::schema::RelationSchema;
use fusion_passes::lineage::project::{project_lineage, NodeLineageInput};
use serde::Serialize;
use std::path::Path;

/// The version of the `lineage.json` layout, bumped on incompatible changes.
const LINEAGE_ARTIFACT_VERSION: u32 = 1;

/// Column lineage of every node of `project` (tests left out) from `analysis`.
/// `order` is the graph's topological order.
pub(crate) fn lineage_of_project(
    project: &Project,
    order: &[NodeId],
    analysis: &Analysis,
) -> ProjectLineage {
    let unknown = RelationSchema::Unknown;
    let inputs: Vec<NodeLineageInput<'_>> = project
        .nodes
        .iter()
        .enumerate()
        .map(|(index, details)| {
            let schema = analysis.schemas.get(index);
            NodeLineageInput {
                query: analysis.queries.get(index).and_then(Option::as_ref),
                bound: schema.and_then(|schema| schema.bound.as_ref()),
                output: schema.map_or(&unknown, |schema| &schema.output),
                ephemeral: details.kind == NodeKind::Model
                    && details.config.materialization()
                        == fusion_frontend::config::Materialization::Ephemeral,
            }
        })
        .collect();
    project_lineage(&project.graph, order, &inputs)
}

#[derive(Serialize)]
struct LineageArtifact<'a> {
    version: u32,
    nodes: &'a [NodeLineage],
}

/// Writes `lineage` as `target/lineage.json` (through a temporary file and a
/// rename, so a reader never sees half of it).
pub(crate) fn write_lineage_artifact(
    project: &Project,
    lineage: &ProjectLineage,
) -> std::io::Result<()> {
    let target_dir = project.root_dir.join(&project.settings.target_path);
    write_lineage_json(&target_dir.join("lineage.json"), lineage)
}

fn write_lineage_json(path: &Path, lineage: &ProjectLineage) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temporary = path.with_extension("tmp-fusionc");
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&temporary)?);
    let artifact = LineageArtifact {
        version: LINEAGE_ARTIFACT_VERSION,
        nodes: &lineage.nodes,
    };
    serde_json::to_writer(&mut writer, &artifact).map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut writer)?;
    drop(writer);
    std::fs::rename(&temporary, path)
}
