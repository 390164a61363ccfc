//! The state-aware decision: for each selected node, build it or reuse what
//! the warehouse holds, and why, in words close to dbt Fusion's.
//!
//! A node is built when it has no recorded build, its hash changed, its
//! relation is missing, or an upstream has new data since its last build
//! (subject to `freshness.build_after` or `state.lag_tolerance`). Data is
//! tracked by markers: a source's comes from the warehouse (see
//! `markers`); a table's is the build recorded in the store, new with each
//! build; a view or ephemeral model passes its upstreams' markers on, with
//! its own code, since its readers see both. An upstream without a marker
//! counts as changed: reuse never hides new data.
//!
//! Decisions are taken in DAG order, so a node planned to be built gives
//! its readers a new marker, and they are built after it.

use super::hash::{short, NodeHash};
use super::store::NodeState;
use fusion_frontend::config::Materialization;
use fusion_frontend::{NodeDetails, Project};
use fusion_ir::graph::{NodeId, NodeKind};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Build or reuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Build,
    Reuse,
}

/// The decision for one selected node.
#[derive(Clone, Debug)]
pub struct Decision {
    pub action: Action,
    /// Why, for the console, `--explain` and `run_results.json`.
    pub reason: String,
    /// The markers of the upstreams it reads, as they are now: recorded
    /// with its build.
    pub upstream_markers: BTreeMap<String, String>,
    /// Reused although an upstream was rebuilt, because it reads none of
    /// the columns that changed there: its record takes the upstreams' new
    /// markers once they are built.
    pub refresh_markers: bool,
}

/// Per node, the columns it reads of each parent (by unique id), from the
/// column lineage; a parent missing from the map is read in ways lineage
/// cannot tell (unknown schema, `select *` over an unknown relation), and
/// a node without a map was not analysed.
pub type ColumnReads = Vec<Option<FxHashMap<String, rustc_hash::FxHashSet<String>>>>;

/// Everything the decision reads.
pub struct DecisionInputs<'a> {
    pub project: &'a Project,
    pub order: &'a [NodeId],
    /// The nodes the command runs.
    pub planned: &'a [bool],
    pub hashes: &'a [Option<NodeHash>],
    pub states: &'a FxHashMap<String, NodeState>,
    /// Per node: whether its relation exists (`None` for nodes that have
    /// none, or that were not asked about).
    pub relation_exists: &'a [Option<bool>],
    /// Per node: the marker the warehouse gives for it (sources, and
    /// relations fusionc has no build of), `None` when it gives none.
    pub warehouse_markers: &'a [Option<String>],
    /// When each source's current marker was first seen (seconds since the
    /// epoch), for `lag_tolerance`.
    pub marker_seen: &'a [Option<f64>],
    /// Per node: built whatever the state says (`--force-node-selection`,
    /// a full refresh of it).
    pub forced: &'a [Option<&'static str>],
    pub now_epoch: f64,
    /// The marker a node built by this run gives its readers.
    pub invocation_id: &'a str,
    /// What each node reads of its parents, for column-level impact.
    pub column_reads: &'a ColumnReads,
    /// Per node asking for it (`state: {evaluate_volatile_sql: true}`), the
    /// value its volatile call gives now.
    pub volatile_values: &'a [Option<String>],
    /// Whether rebuilding a table or view drops the views that read it
    /// (dbt-postgres's swap through a backup dropped with `cascade`): a
    /// view reading a node rebuilt in this run is then built again too.
    pub rebuild_drops_readers: bool,
}

/// What each node reads of its parents, from the project's column lineage;
/// a generic test reads its own column of the node it tests. Nodes the
/// lineage does not cover (unanalysed, introspective, other tests) have no
/// entry, and are never reused by column-level impact.
pub fn column_reads(
    project: &Project,
    lineage: &fusion_ir::lineage::ProjectLineage,
) -> ColumnReads {
    let mut reads: ColumnReads = vec![None; project.nodes.len()];
    let index_of: FxHashMap<&str, usize> = project
        .nodes
        .iter()
        .enumerate()
        .map(|(index, details)| (details.unique_id.as_str(), index))
        .collect();
    for node in &lineage.nodes {
        let Some(&index) = index_of.get(node.unique_id.as_str()) else {
            continue;
        };
        if !node.schema_known || node.ephemeral {
            continue;
        }
        let mut map: FxHashMap<String, rustc_hash::FxHashSet<String>> = FxHashMap::default();
        for column in &node.columns {
            for edge in &column.edges {
                if let fusion_ir::lineage::Upstream::Column { node, column } = &edge.upstream {
                    map.entry(node.clone())
                        .or_default()
                        .insert(column.to_ascii_lowercase());
                }
            }
        }
        for unknown in &node.unknown_upstreams {
            map.remove(unknown);
        }
        reads[index] = Some(map);
    }
    for (index, details) in project.nodes.iter().enumerate() {
        let Some(test) = &details.test else { continue };
        // A `where` config reads other columns too.
        if details
            .config
            .values
            .get("where")
            .is_some_and(|value| !value.is_null())
        {
            continue;
        }
        let simple = matches!(
            test.test_name.as_str(),
            "not_null" | "unique" | "accepted_values"
        ) && test.namespace.is_none();
        let (Some(column), Some(attached), true) = (&test.column_name, test.attached_node, simple)
        else {
            continue;
        };
        let mut map: FxHashMap<String, rustc_hash::FxHashSet<String>> = FxHashMap::default();
        map.entry(project.details(attached).unique_id.clone())
            .or_default()
            .insert(column.trim_matches('"').to_ascii_lowercase());
        reads[index] = Some(map);
    }
    reads
}

/// A model rebuilt for new code whose rows stay the same: which of its
/// output columns changed, and the marker its readers recorded before.
struct ColumnChange {
    name: String,
    changed: Vec<String>,
    old_marker: String,
}

/// The decisions for the planned nodes (`None` for the others).
pub fn decide(inputs: &DecisionInputs<'_>) -> Vec<Option<Decision>> {
    let project = inputs.project;
    let count = project.nodes.len();
    let mut markers: Vec<Option<String>> = vec![None; count];
    // When the data behind each node's marker last changed.
    let mut changed_at: Vec<Option<f64>> = vec![None; count];
    let mut decisions: Vec<Option<Decision>> = vec![None; count];
    let mut column_changes: Vec<Option<ColumnChange>> = (0..count).map(|_| None).collect();
    for &id in inputs.order {
        let index = id.index();
        let details = project.details(id);
        let upstream: BTreeMap<String, Option<String>> = project
            .graph
            .parents(id)
            .iter()
            .map(|parent| {
                (
                    project.details(*parent).unique_id.clone(),
                    markers[parent.index()].clone(),
                )
            })
            .collect();
        let latest_upstream_change = project
            .graph
            .parents(id)
            .iter()
            .filter_map(|parent| changed_at[parent.index()])
            .fold(None, |latest: Option<f64>, at| {
                Some(latest.map_or(at, |l| l.max(at)))
            });
        let state = inputs.states.get(&details.unique_id);
        if details.kind == NodeKind::Source {
            markers[index] = inputs.warehouse_markers[index].clone();
            changed_at[index] = inputs.marker_seen[index];
            continue;
        }
        if inputs.planned[index] {
            let exempt = column_exemptions(inputs, id, state, &column_changes);
            let mut decision =
                decide_node(inputs, id, details, state, &upstream, &changed_at, &exempt);
            if decision.action == Action::Reuse {
                if let Some(parent) = dropping_parent(inputs, id, details, &decisions) {
                    decision.action = Action::Build;
                    decision.refresh_markers = false;
                    decision.reason = format!(
                        "Upstream {parent} is rebuilt, which drops the views reading it on this warehouse"
                    );
                }
            }
            let building = decision.action == Action::Build;
            if building {
                column_changes[index] = column_change(inputs, id, state, &upstream);
            }
            if passes_markers_on(details) {
                markers[index] = derived_marker(
                    inputs.hashes[index].as_ref().map(|hash| hash.hash.as_str()),
                    &upstream,
                );
                changed_at[index] = if building {
                    Some(inputs.now_epoch)
                } else {
                    latest_upstream_change
                };
            } else if building {
                markers[index] = Some(super::built_marker(
                    inputs.invocation_id,
                    &details.unique_id,
                ));
                changed_at[index] = Some(inputs.now_epoch);
            } else {
                markers[index] = state.map(|state| state.output_marker.clone());
                changed_at[index] = state.map(|state| state.built_epoch);
            }
            decisions[index] = Some(decision);
            continue;
        }
        // Not run by this command: what the warehouse holds stays.
        if passes_markers_on(details) {
            markers[index] = derived_marker(
                state
                    .map(|state| state.node_hash.as_str())
                    .or(Some(details.checksum.as_str())),
                &upstream,
            );
            changed_at[index] = latest_upstream_change;
        } else if let Some(state) = state {
            markers[index] = Some(state.output_marker.clone());
            changed_at[index] = Some(state.built_epoch);
        } else {
            markers[index] = inputs.warehouse_markers[index].clone();
            changed_at[index] = inputs.marker_seen[index];
        }
    }
    decisions
}

/// For a view, where rebuilding a relation drops the views that read it:
/// the first parent this run rebuilds by replacing its relation (a table
/// or a view; an incremental model or a snapshot is changed in place),
/// looking through ephemeral models.
fn dropping_parent(
    inputs: &DecisionInputs<'_>,
    id: NodeId,
    details: &NodeDetails,
    decisions: &[Option<Decision>],
) -> Option<String> {
    let is_view = details.kind == NodeKind::Model
        && details.config.materialization() == Materialization::View;
    if !inputs.rebuild_drops_readers || !is_view {
        return None;
    }
    // An ephemeral parent is inlined: the view reads what it reads.
    let mut stack = inputs.project.graph.parents(id);
    while let Some(parent) = stack.pop() {
        let parent_details = inputs.project.details(parent);
        if parent_details.is_ephemeral() {
            stack.extend(inputs.project.graph.parents(parent));
            continue;
        }
        let rebuilt = matches!(
            &decisions[parent.index()],
            Some(decision) if decision.action == Action::Build
        );
        let replaced = match parent_details.kind {
            NodeKind::Model => {
                parent_details.config.materialization() != Materialization::Incremental
            }
            NodeKind::Seed => true,
            _ => false,
        };
        if rebuilt && replaced {
            return Some(parent_details.name.clone());
        }
    }
    None
}

/// The parents whose rebuild this node can ignore, by unique id, each with
/// the note its reason gives: the parent was rebuilt for new code that
/// changed some columns only, the node had read the parent's previous build,
/// and it reads none of those columns.
fn column_exemptions(
    inputs: &DecisionInputs<'_>,
    id: NodeId,
    state: Option<&NodeState>,
    column_changes: &[Option<ColumnChange>],
) -> BTreeMap<String, String> {
    let mut exempt = BTreeMap::new();
    let (Some(state), Some(Some(reads))) = (state, inputs.column_reads.get(id.index())) else {
        return exempt;
    };
    if inputs.project.details(id).introspective {
        return exempt;
    }
    for parent in inputs.project.graph.parents(id) {
        let Some(change) = &column_changes[parent.index()] else {
            continue;
        };
        let unique_id = &inputs.project.details(parent).unique_id;
        if state.upstream_markers.get(unique_id) != Some(&change.old_marker) {
            continue;
        }
        let Some(read) = reads.get(unique_id) else {
            continue;
        };
        if change.changed.iter().any(|column| read.contains(column)) {
            continue;
        }
        exempt.insert(
            unique_id.clone(),
            format!(
                "reads none of {} changed columns ({})",
                possessive(&change.name),
                change.changed.join(", ")
            ),
        );
    }
    exempt
}

/// `stg_members'`, `orders'`, `customer's`.
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// For a model about to be rebuilt: when only its code changed, in a way
/// that keeps its rows (same shape) and removes no column, the columns
/// that changed, moved or were added.
fn column_change(
    inputs: &DecisionInputs<'_>,
    id: NodeId,
    state: Option<&NodeState>,
    upstream: &BTreeMap<String, Option<String>>,
) -> Option<ColumnChange> {
    let state = state?;
    let details = inputs.project.details(id);
    let hash = inputs.hashes[id.index()].as_ref()?;
    if details.introspective || state.node_hash == hash.hash {
        return None;
    }
    let only_code = hash
        .components
        .iter()
        .filter(|(name, value)| state.components.get(*name) != Some(*value))
        .all(|(name, _)| matches!(name.as_str(), "sql" | "macros"))
        && state
            .components
            .keys()
            .all(|name| hash.components.contains_key(name));
    let (old, new) = (state.profile.as_ref()?, hash.profile.as_ref()?);
    if !only_code || old.shape != new.shape {
        return None;
    }
    let removed = old
        .columns
        .iter()
        .any(|(name, _)| !new.columns.iter().any(|(new_name, _)| new_name == name));
    if removed {
        return None;
    }
    let changed: Vec<String> = new
        .columns
        .iter()
        .enumerate()
        .filter(|(position, (name, expression))| {
            old.columns.get(*position) != Some(&(name.clone(), expression.clone()))
        })
        .map(|(_, (name, _))| name.clone())
        .collect();
    let old_marker = if passes_markers_on(details) {
        derived_marker(Some(&state.node_hash), upstream)?
    } else {
        state.output_marker.clone()
    };
    Some(ColumnChange {
        name: details.name.clone(),
        changed,
        old_marker,
    })
}

/// Views and ephemeral models hold no data of their own: their readers see
/// their upstreams' data through their code.
pub(crate) fn passes_markers_on(details: &NodeDetails) -> bool {
    details.kind == NodeKind::Model
        && matches!(
            details.config.materialization(),
            Materialization::View | Materialization::Ephemeral
        )
}

/// The marker of a view or ephemeral model: its code and its upstreams'
/// markers; none when an upstream has none.
pub(crate) fn derived_marker(
    code: Option<&str>,
    upstream: &BTreeMap<String, Option<String>>,
) -> Option<String> {
    let mut text = code?.to_string();
    for (unique_id, marker) in upstream {
        text.push('|');
        text.push_str(unique_id);
        text.push('=');
        text.push_str(marker.as_deref()?);
    }
    Some(format!("via:{}", short(&text)))
}

fn decide_node(
    inputs: &DecisionInputs<'_>,
    id: NodeId,
    details: &NodeDetails,
    state: Option<&NodeState>,
    upstream: &BTreeMap<String, Option<String>>,
    changed_at: &[Option<f64>],
    exempt: &BTreeMap<String, String>,
) -> Decision {
    let index = id.index();
    let mut now: BTreeMap<String, String> = upstream
        .iter()
        .map(|(unique_id, marker)| {
            (
                unique_id.clone(),
                marker.clone().unwrap_or_else(|| "unknown".into()),
            )
        })
        .collect();
    // A volatile call evaluated (`state: {evaluate_volatile_sql: true}`)
    // is one more upstream: its value now (today's `current_date`).
    let volatile_key = inputs.hashes[index]
        .as_ref()
        .and_then(|hash| hash.volatile.as_ref())
        .map(|function| format!("volatile:{function}"));
    if let (Some(key), Some(Some(value))) = (&volatile_key, inputs.volatile_values.get(index)) {
        now.insert(key.clone(), value.clone());
    }
    let build = |reason: String| Decision {
        action: Action::Build,
        reason,
        upstream_markers: now.clone(),
        refresh_markers: false,
    };
    let reuse = |reason: String| Decision {
        action: Action::Reuse,
        reason,
        upstream_markers: now.clone(),
        refresh_markers: false,
    };
    if let Some(why) = inputs.forced[index] {
        return build(why.to_string());
    }
    if details.kind == NodeKind::UnitTest {
        return build("Unit tests always run: they read only their given rows".into());
    }
    if details.introspective {
        return build(
            "Introspective: its SQL is rendered against the warehouse at run time".into(),
        );
    }
    let Some(hash) = &inputs.hashes[index] else {
        return build("No hash could be computed".into());
    };
    let Some(state) = state else {
        return build("No previous build recorded".into());
    };
    if state.node_hash != hash.hash {
        let mut changed: Vec<&str> = hash
            .components
            .iter()
            .filter(|(name, value)| state.components.get(*name) != Some(*value))
            .map(|(name, _)| name.as_str())
            .collect();
        changed.extend(
            state
                .components
                .keys()
                .filter(|name| !hash.components.contains_key(*name))
                .map(String::as_str),
        );
        return build(format!("New code: {} changed", changed.join(", ")));
    }
    if inputs.relation_exists[index] == Some(false) {
        return build("Relation missing from the warehouse".into());
    }
    if details.kind == NodeKind::Test && !matches!(state.status.as_str(), "pass" | "warn" | "fail")
    {
        return build("No previous result recorded".into());
    }
    // Upstreams whose data changed since the last build.
    let mut changed: Vec<String> = now
        .iter()
        .filter(|(unique_id, marker)| {
            (marker.as_str() == "unknown"
                || state.upstream_markers.get(*unique_id) != Some(*marker))
                && !exempt.contains_key(*unique_id)
        })
        .map(|(unique_id, _)| short_name(unique_id))
        .collect();
    // Without its value, a volatile call counts as new data every run.
    let evaluated = volatile_key
        .as_ref()
        .is_some_and(|key| now.contains_key(key.as_str()));
    if let (Some(function), false) = (&hash.volatile, evaluated) {
        changed.push(format!("{function}()"));
    }
    if changed.is_empty() {
        if exempt.is_empty() {
            return reuse("No new changes on any upstreams".into());
        }
        let notes: Vec<&str> = exempt.values().map(String::as_str).collect();
        return Decision {
            refresh_markers: true,
            ..reuse(format!("Reused: {}", notes.join("; ")))
        };
    }
    if passes_markers_on(details) {
        return reuse(format!(
            "No new code; the {} reads new data in {} as it comes",
            details.config.materialized(),
            changed.join(", ")
        ));
    }
    let parents = now.len() + usize::from(hash.volatile.is_some() && !evaluated);
    let all_required = require_all(details);
    if all_required && changed.len() < parents {
        return reuse(format!(
            "New changes detected in {} of {} upstreams; waiting for all of them",
            changed.len(),
            parents
        ));
    }
    // dbt State's lag tolerance (against the upstream data's age), else
    // state-aware orchestration's build_after (against the last build).
    if let Some((seconds, written)) = duration_setting(details, "state", "lag_tolerance") {
        // The new data that has waited longest, among the upstreams whose
        // data changed since the last build.
        let oldest_change = inputs
            .project
            .graph
            .parents(id)
            .iter()
            .filter(|parent| {
                let unique_id = &inputs.project.details(**parent).unique_id;
                now.get(unique_id) != state.upstream_markers.get(unique_id)
                    && !exempt.contains_key(unique_id)
            })
            .filter_map(|parent| changed_at[parent.index()])
            .fold(inputs.now_epoch, f64::min);
        let lag = inputs.now_epoch - oldest_change;
        if lag < seconds {
            return reuse(format!(
                "New changes detected. Within lag_tolerance of {written}. Upstream data changed {} ago",
                human_duration(lag)
            ));
        }
    } else if let Some((seconds, written)) = build_after(details) {
        let since = inputs.now_epoch - state.built_epoch;
        if since < seconds {
            return reuse(format!(
                "New changes detected. Did not meet build_after of {written}. Last updated {} ago",
                human_duration(since)
            ));
        }
    }
    build(format!("New data in {}", changed.join(", ")))
}

/// `model.shop.orders` → `orders`; sources keep `source.table`.
fn short_name(unique_id: &str) -> String {
    if let Some(function) = unique_id.strip_prefix("volatile:") {
        return format!("{function}()");
    }
    let parts: Vec<&str> = unique_id.split('.').collect();
    match parts.first() {
        Some(&"source") if parts.len() >= 4 => format!("{}.{}", parts[2], parts[3]),
        _ => parts.get(2).copied().unwrap_or(unique_id).to_string(),
    }
}

fn block<'a>(
    details: &'a NodeDetails,
    key: &str,
) -> Option<&'a serde_json::Map<String, serde_json::Value>> {
    details
        .config
        .values
        .get(key)
        .and_then(serde_json::Value::as_object)
}

/// `state.require_fresh_data_from: all`, else
/// `freshness.build_after.updates_on: all` (both default to `any`).
fn require_all(details: &NodeDetails) -> bool {
    let state = block(details, "state")
        .and_then(|state| state.get("require_fresh_data_from"))
        .and_then(serde_json::Value::as_str);
    let build_after = block(details, "freshness")
        .and_then(|freshness| freshness.get("build_after"))
        .and_then(serde_json::Value::as_object)
        .and_then(|build_after| build_after.get("updates_on"))
        .and_then(serde_json::Value::as_str);
    state
        .or(build_after)
        .is_some_and(|value| value.eq_ignore_ascii_case("all"))
}

/// A dbt freshness rule's `period` (`minute`, `hour`, `day`) in seconds.
pub(crate) fn period_seconds(period: &str) -> Option<f64> {
    match period.to_ascii_lowercase().as_str() {
        "minute" => Some(60.0),
        "hour" => Some(3600.0),
        "day" => Some(86400.0),
        _ => None,
    }
}

/// `freshness.build_after: {count, period}` in seconds, with its spelling
/// (`4h`).
fn build_after(details: &NodeDetails) -> Option<(f64, String)> {
    let build_after = block(details, "freshness")?
        .get("build_after")?
        .as_object()?;
    let count = build_after.get("count")?.as_f64()?;
    let period = build_after.get("period")?.as_str()?;
    let unit = period_seconds(period)?;
    // Validated above: `minute`, `hour` or `day` in any case, so ASCII.
    let letter = period[..1].to_ascii_lowercase();
    Some((count * unit, format!("{count}{letter}")))
}

/// A duration setting written as dbt State writes them (`45m`, `4h`, `1d`,
/// `30s`), in seconds, with its spelling.
fn duration_setting(details: &NodeDetails, block_key: &str, key: &str) -> Option<(f64, String)> {
    let written = block(details, block_key)?.get(key)?;
    let text = match written {
        serde_json::Value::String(text) => text.trim().to_string(),
        serde_json::Value::Number(number) => format!("{number}s"),
        _ => return None,
    };
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit_seconds = match unit.trim().to_ascii_lowercase().as_str() {
        "s" | "sec" | "second" | "seconds" => 1.0,
        "m" | "min" | "minute" | "minutes" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        _ => return None,
    };
    Some((number * unit_seconds, text))
}

/// `1h`, `12m`, `40s`: the largest whole unit, as dbt Fusion prints ages.
fn human_duration(seconds: f64) -> String {
    let seconds = seconds.max(0.0);
    if seconds >= 86400.0 {
        format!("{}d", (seconds / 86400.0).floor())
    } else if seconds >= 3600.0 {
        format!("{}h", (seconds / 3600.0).floor())
    } else if seconds >= 60.0 {
        format!("{}m", (seconds / 60.0).floor())
    } else {
        format!("{}s", seconds.floor())
    }
}
