//! What every part of a run shares: which command runs ([`RunKind`]) and
//! the read-only context the workers share ([`RunContext`]). In a module of
//! their own so the run's parts import them without importing the pipeline
//! in `run/mod.rs` that calls those parts.

use super::modes::AnalysisMode;
use crate::adapter::Adapter;
use fusion_frontend::Project;
use fusion_ir::graph::NodeKind;

/// Which command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunKind {
    Seed,
    Run,
    Snapshot,
    Test,
    Build,
}

impl RunKind {
    /// Whether this command runs nodes of this kind.
    pub fn runs(self, kind: NodeKind) -> bool {
        match self {
            RunKind::Seed => kind == NodeKind::Seed,
            RunKind::Run => kind == NodeKind::Model,
            RunKind::Snapshot => kind == NodeKind::Snapshot,
            RunKind::Test => matches!(kind, NodeKind::Test | NodeKind::UnitTest),
            RunKind::Build => matches!(
                kind,
                NodeKind::Model
                    | NodeKind::Seed
                    | NodeKind::Snapshot
                    | NodeKind::Test
                    | NodeKind::UnitTest
            ),
        }
    }

    /// `flags.WHICH` as dbt spells it.
    pub fn which(self) -> &'static str {
        match self {
            RunKind::Seed => "seed",
            RunKind::Run => "run",
            RunKind::Snapshot => "snapshot",
            RunKind::Test => "test",
            RunKind::Build => "build",
        }
    }
}

/// Everything the workers share, read-only.
pub(crate) struct RunContext<'a> {
    pub project: &'a Project,
    pub dialect: &'static dyn fusion_dialects::Dialect,
    pub adapter: &'a dyn Adapter,
    pub kind: RunKind,
    pub full_refresh: bool,
    pub modes: Vec<AnalysisMode>,
    /// Incremental models whose relation exists (their `is_incremental()` is true).
    pub incremental_exists: Vec<bool>,
    /// Each node's output schema as the analysis inferred it (unit tests
    /// type their given rows with it).
    pub output_schemas: &'a [fusion_ir::schema::RelationSchema],
    /// The state-aware plan: which nodes are reused, and how builds are
    /// recorded. Set right before the nodes run (after `on-run-start`
    /// hooks); empty when the store could not be used.
    pub state: std::sync::OnceLock<crate::state::StatePlan>,
}
