//! State-aware runs: rebuild only what has new code or new data.
//!
//! The parts: `hash` (what a node's hash covers), `store` (the tables in
//! the warehouse that remember each node's last build), `markers` (how the
//! warehouse tells that a source's data changed), `decide` (build or
//! reuse, and why). [`prepare`] and [`plan`] put them together for a run
//! (hashes first, then the decisions against the warehouse); the run records
//! each build with the statements [`StatePlan::record_statements`] gives,
//! inside the build's own transaction.
//!
//! *Invariant:* the store only ever says what the warehouse holds. A row is
//! written in the transaction that built the node, so a build that did not
//! commit is never recorded, and a job killed halfway leaves the store
//! consistent with the relations. `frontend` and `passes` know nothing of
//! this module.

pub mod decide;
pub mod hash;
pub mod lease;
pub mod markers;
pub mod store;

use crate::adapter::{AdapterError, Connection, SqlFlavor};
use decide::{Decision, DecisionInputs};
use fusion_dialects::Dialect;
use fusion_frontend::Project;
use fusion_ir::graph::NodeId;
use hash::NodeHash;
use store::{NodeState, StoreLocation};

/// How a run uses the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateMode {
    /// Reuse what has neither new code nor new data (`build`, `run`).
    Aware,
    /// Build every selected node, and record it (`--force-node-selection`,
    /// and the commands that always build: `seed`, `snapshot`, `test`).
    Forced(&'static str),
}

/// What the run knows of the state before it starts.
pub struct StatePlan {
    pub location: StoreLocation,
    pub invocation_id: String,
    pub hashes: Vec<Option<NodeHash>>,
    pub decisions: Vec<Option<Decision>>,
    /// The last recorded build of each planned node.
    pub previous: Vec<Option<NodeState>>,
    /// The job's leases, where the warehouse lets several jobs write at
    /// once (see [`lease`]); `None` where one process writes alone.
    pub leases: Option<std::sync::Arc<lease::Leases>>,
    /// Renews the leases while the run lasts.
    pub heartbeat: Option<lease::Heartbeat>,
    /// The marker readers see of each node another job built while this
    /// run waited for it, and that this run reused: their records take it
    /// as that upstream's marker.
    pub reused_meanwhile: std::sync::Mutex<rustc_hash::FxHashMap<String, String>>,
}

impl StatePlan {
    /// Whether the run reuses this node instead of building it.
    pub fn reuses(&self, id: NodeId) -> bool {
        matches!(
            self.decisions.get(id.index()),
            Some(Some(decision)) if decision.action == decide::Action::Reuse
        )
    }

    /// The record of a finished build of `id` (`status`, `message`, a
    /// test's `failures`), for [`store::record_statements`].
    pub fn state_of(
        &self,
        project: &Project,
        id: NodeId,
        outcome: &BuildOutcome<'_>,
    ) -> Option<NodeState> {
        let details = project.details(id);
        let hash = self.hashes[id.index()].as_ref()?;
        let decision = self.decisions[id.index()].as_ref();
        let (built_at, built_epoch) = now();
        Some(NodeState {
            unique_id: details.unique_id.clone(),
            node_hash: hash.hash.clone(),
            components: hash.components.clone(),
            relation: hash.components.get("relation").cloned().unwrap_or_default(),
            built_at,
            built_epoch,
            status: outcome.status.to_string(),
            message: outcome.message.to_string(),
            invocation_id: self.invocation_id.clone(),
            upstream_markers: decision
                .map(|_| self.upstream_markers_now(project, id))
                .unwrap_or_default(),
            output_marker: built_marker(&self.invocation_id, &details.unique_id),
            failures: outcome.failures,
            profile: hash.profile.clone(),
        })
    }

    /// The statements that record a finished build of `id`, run in its
    /// transaction.
    pub fn record_statements(
        &self,
        project: &Project,
        flavor: &dyn SqlFlavor,
        id: NodeId,
        outcome: &BuildOutcome<'_>,
    ) -> Vec<String> {
        match self.state_of(project, id, outcome) {
            Some(state) => store::record_statements(flavor, &self.location, &[state]),
            None => Vec::new(),
        }
    }
}

impl StatePlan {
    /// The markers of `id`'s upstreams as its build reads them: the plan's,
    /// except for upstreams another job built meanwhile and this run
    /// reused, whose marker is that job's.
    pub fn upstream_markers_now(
        &self,
        project: &Project,
        id: NodeId,
    ) -> std::collections::BTreeMap<String, String> {
        let Some(Some(decision)) = self.decisions.get(id.index()) else {
            return Default::default();
        };
        let mut markers = decision.upstream_markers.clone();
        let meanwhile = self
            .reused_meanwhile
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if !meanwhile.is_empty() {
            let mut known = rustc_hash::FxHashMap::default();
            for parent in project.graph.parents(id) {
                if let Some(marker) = self.marker_now(project, parent, &meanwhile, &mut known) {
                    markers.insert(project.details(parent).unique_id.clone(), marker);
                }
            }
        }
        markers
    }

    /// The marker `node` gives its readers now, where it is not the plan's
    /// because of nodes reused meanwhile: theirs, or, for a view or
    /// ephemeral model reading them, its marker made again from its
    /// upstreams' (as the decision makes it). `None`: the plan's stands.
    fn marker_now(
        &self,
        project: &Project,
        node: NodeId,
        meanwhile: &rustc_hash::FxHashMap<String, String>,
        known: &mut rustc_hash::FxHashMap<NodeId, Option<String>>,
    ) -> Option<String> {
        if let Some(marker) = known.get(&node) {
            return marker.clone();
        }
        let details = project.details(node);
        let marker = match meanwhile.get(&details.unique_id) {
            Some(marker) => Some(marker.clone()),
            None if decide::passes_markers_on(details) => {
                let hash = self.hashes[node.index()].as_ref();
                let decision = self.decisions[node.index()].as_ref();
                match (hash, decision) {
                    (Some(hash), Some(decision)) => {
                        let mut changed = false;
                        let mut upstream = std::collections::BTreeMap::new();
                        for parent in project.graph.parents(node) {
                            let unique_id = project.details(parent).unique_id.clone();
                            let value = match self.marker_now(project, parent, meanwhile, known) {
                                Some(marker) => {
                                    changed = true;
                                    Some(marker)
                                }
                                None => decision.upstream_markers.get(&unique_id).cloned(),
                            };
                            upstream.insert(unique_id, value.filter(|value| value != "unknown"));
                        }
                        changed.then(|| {
                            decide::derived_marker(Some(&hash.hash), &upstream)
                                .unwrap_or_else(|| "unknown".to_string())
                        })
                    }
                    _ => None,
                }
            }
            None => None,
        };
        known.insert(node, marker.clone());
        marker
    }

    /// Whether `record`, `id`'s record read again once this run holds its
    /// lease, is a build another job made since this run read the store,
    /// and current for this run: the same hash, and the same upstream
    /// markers as this run's build would read. When it is, the run reuses
    /// it, and its readers take its marker.
    pub fn built_meanwhile(&self, project: &Project, id: NodeId, record: &NodeState) -> bool {
        let unchanged = self.previous[id.index()].as_ref().is_some_and(|previous| {
            previous.invocation_id == record.invocation_id
                && previous.built_epoch == record.built_epoch
        });
        let current = !unchanged
            && record.invocation_id != self.invocation_id
            && record.status == "success"
            && self.hashes[id.index()]
                .as_ref()
                .is_some_and(|hash| hash.hash == record.node_hash)
            && record.upstream_markers == self.upstream_markers_now(project, id);
        // A view's or ephemeral model's readers see its upstreams' markers
        // through it (see `marker_now`), not its record's own.
        if current && !decide::passes_markers_on(project.details(id)) {
            self.reused_meanwhile
                .lock()
                .unwrap_or_else(|poison| poison.into_inner())
                .insert(record.unique_id.clone(), record.output_marker.clone());
        }
        current
    }

    /// Whether another job's build of `id` since this run read the store
    /// changed what its relation holds (so `is_incremental()` is asked
    /// again).
    pub fn changed_meanwhile(&self, id: NodeId, record: Option<&NodeState>) -> bool {
        match (self.previous[id.index()].as_ref(), record) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(previous), Some(record)) => {
                previous.invocation_id != record.invocation_id
                    || previous.built_epoch != record.built_epoch
            }
        }
    }

    /// For a node reused by column-level impact: the statement that moves
    /// its record to its upstreams' new markers.
    pub fn refresh_statement(
        &self,
        project: &Project,
        flavor: &dyn SqlFlavor,
        id: NodeId,
    ) -> Option<String> {
        let decision = self.decisions.get(id.index())?.as_ref()?;
        if !decision.refresh_markers {
            return None;
        }
        Some(store::refresh_markers_statement(
            flavor,
            &self.location,
            &project.details(id).unique_id,
            &decision.upstream_markers,
        ))
    }
}

/// For the planned nodes whose config asks for it (dbt State's
/// `state: {evaluate_volatile_sql: true}`), the value their volatile call
/// gives now, asked of the warehouse: `current_date` changes once a day,
/// so such a model is rebuilt once a day. A call that cannot be evaluated
/// alone (it takes arguments) has no value, and counts as new data.
fn volatile_values(
    project: &Project,
    planned: &[bool],
    hashes: &[Option<NodeHash>],
    connection: &mut dyn Connection,
) -> Vec<Option<String>> {
    project
        .nodes
        .iter()
        .enumerate()
        .map(|(index, details)| {
            let function = hashes[index].as_ref()?.volatile.as_ref()?;
            let wanted = planned[index]
                && details
                    .config
                    .values
                    .get("state")
                    .and_then(|state| state.get("evaluate_volatile_sql"))
                    .and_then(serde_json::Value::as_bool)
                    == Some(true);
            if !wanted {
                return None;
            }
            let call = if hash::is_niladic(function) {
                function.clone()
            } else {
                format!("{function}()")
            };
            let table = connection.query(&format!("select {call}"), Some(1)).ok()?;
            let value = table.rows.first()?.first()?.clone();
            Some(match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            })
        })
        .collect()
}

impl StatePlan {
    /// Turns leases on for this run (a warehouse several jobs write at
    /// once), with a heartbeat on a connection of its own.
    pub fn start_leases(
        &mut self,
        adapter: &dyn crate::adapter::Adapter,
    ) -> Result<(), AdapterError> {
        let leases = std::sync::Arc::new(lease::Leases::new(
            adapter.flavor(),
            &self.location,
            lease::Holder::this_process(&self.invocation_id),
        ));
        self.heartbeat = Some(lease::Heartbeat::start(adapter, leases.clone())?);
        self.leases = Some(leases);
        Ok(())
    }
}

/// How a build ended, for its record.
pub struct BuildOutcome<'a> {
    pub status: &'a str,
    pub message: &'a str,
    pub failures: Option<u64>,
}

/// The marker readers see of a node this invocation built.
pub(crate) fn built_marker(invocation_id: &str, unique_id: &str) -> String {
    format!("{invocation_id}:{}", hash::short(unique_id))
}

/// The time now: RFC 3339 and seconds since the epoch. `FUSIONC_STATE_NOW`
/// (seconds since the epoch) sets it, so tests of `build_after` and
/// `lag_tolerance` can move the clock.
pub fn now() -> (String, f64) {
    let epoch = std::env::var("FUSIONC_STATE_NOW")
        .ok()
        .and_then(|text| text.trim().parse::<f64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_secs_f64())
                .unwrap_or(0.0)
        });
    (rfc3339(epoch), epoch)
}

pub(crate) fn rfc3339(epoch: f64) -> String {
    let seconds = epoch.floor() as i64;
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = crate::artifacts::stamp::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        (second_of_day / 60) % 60,
        second_of_day % 60
    )
}

/// What [`prepare`] needs of the run.
pub struct PlanInputs<'a> {
    pub project: &'a Project,
    pub dialect: &'a dyn Dialect,
    pub order: &'a [NodeId],
    pub planned: &'a [bool],
    pub mode: StateMode,
    /// `--full-refresh`: the nodes it refreshes are built.
    pub full_refresh: bool,
    pub location: StoreLocation,
}

/// The half of the plan that needs no warehouse: each node's hash, of its
/// code as compiled ahead of time. Take it before incremental models are
/// rendered again for their incremental branch.
pub struct StatePrep {
    pub location: StoreLocation,
    pub mode: StateMode,
    pub full_refresh: bool,
    pub hashes: Vec<Option<NodeHash>>,
}

/// Hashes the nodes the run may decide about.
pub fn prepare(inputs: &PlanInputs<'_>) -> StatePrep {
    StatePrep {
        location: inputs.location.clone(),
        mode: inputs.mode,
        full_refresh: inputs.full_refresh,
        hashes: hash::node_hashes(inputs.project, inputs.dialect, inputs.order, inputs.planned),
    }
}

/// Reads the store (creating it when missing) and the warehouse's data
/// markers, and decides, for each planned node, whether to build or reuse
/// it. A run calls this right before its nodes, after its `on-run-start`
/// hooks, so data those hooks load counts.
pub fn plan(
    prep: StatePrep,
    project: &Project,
    order: &[NodeId],
    planned: &[bool],
    column_reads: &decide::ColumnReads,
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
) -> Result<StatePlan, AdapterError> {
    let count = project.nodes.len();
    store::ensure_store(connection, flavor, &prep.location)?;
    let states = store::read_states(connection, flavor, &prep.location)?;
    let (_, now_epoch) = now();
    let relation_exists: Vec<Option<bool>> = (0..count)
        .map(|index| {
            let details = &project.nodes[index];
            if !planned[index] || !crate::run::node::writes_relation(details) {
                return None;
            }
            let relation = crate::run::node::relation_of(details);
            Some(matches!(connection.relation_kind(&relation), Ok(Some(_))))
        })
        .collect();
    let observed = markers::warehouse_markers(project, planned, &states, connection, flavor);
    let marker_seen = markers::remember_first_seen(
        connection,
        flavor,
        &prep.location,
        project,
        &observed,
        now_epoch,
    )?;
    let forced: Vec<Option<&'static str>> = project
        .nodes
        .iter()
        .map(|details| match prep.mode {
            StateMode::Forced(why) => Some(why),
            StateMode::Aware
                if prep.full_refresh
                    && crate::run::node::full_refresh_of(details, prep.full_refresh) =>
            {
                Some("Full refresh: --full-refresh rebuilds it")
            }
            StateMode::Aware => None,
        })
        .collect();
    let volatile_values = volatile_values(project, planned, &prep.hashes, connection);
    let invocation_id = crate::artifacts::stamp::run_stamp().1;
    let decisions = decide::decide(&DecisionInputs {
        project,
        order,
        planned,
        hashes: &prep.hashes,
        states: &states,
        relation_exists: &relation_exists,
        warehouse_markers: &observed,
        marker_seen: &marker_seen,
        forced: &forced,
        now_epoch,
        invocation_id: &invocation_id,
        column_reads,
        volatile_values: &volatile_values,
        rebuild_drops_readers: flavor.swaps_through_backup(),
    });
    let previous = project
        .nodes
        .iter()
        .enumerate()
        .map(|(index, details)| {
            planned[index]
                .then(|| states.get(&details.unique_id).cloned())
                .flatten()
        })
        .collect();
    Ok(StatePlan {
        location: prep.location,
        invocation_id,
        hashes: prep.hashes,
        decisions,
        previous,
        leases: None,
        heartbeat: None,
        reused_meanwhile: Default::default(),
    })
}
