//! Data markers from the warehouse: how a state-aware run tells that the
//! data of a source (or of a relation fusionc has no build of) changed.
//!
//! A source whose config sets `loaded_at_query` or `loaded_at_field` (as
//! dbt's source freshness reads them) is marked by that query's answer or
//! the field's latest value. Any other relation is marked by the adapter's
//! [`Connection::data_marker`], a cheap change marker of its own choosing.
//! Without one, the relation has no marker, and its readers count it as
//! changed.

use super::store::{self, NodeState, StoreLocation};
use crate::adapter::{Connection, SqlFlavor};
use fusion_frontend::{NodeDetails, Project};
use fusion_ir::graph::{NodeId, NodeKind};
use rustc_hash::FxHashMap;

/// Per node, the warehouse's marker for the sources the planned nodes read
/// (through unplanned views and ephemeral models too) and for the
/// relations they read that no recorded build explains.
pub fn warehouse_markers(
    project: &Project,
    planned: &[bool],
    states: &FxHashMap<String, NodeState>,
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
) -> Vec<Option<String>> {
    let count = project.nodes.len();
    let mut wanted = vec![false; count];
    let mut visited = vec![false; count];
    let mut stack: Vec<NodeId> = (0..count)
        .filter(|&index| planned[index])
        .flat_map(|index| project.graph.parents(NodeId(index as u32)).to_vec())
        .collect();
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut visited[id.index()], true) {
            continue;
        }
        let details = project.details(id);
        match details.kind {
            NodeKind::Source => wanted[id.index()] = true,
            _ if planned[id.index()] => {}
            NodeKind::Model if super::decide::passes_markers_on(details) => {
                stack.extend(project.graph.parents(id).iter().copied());
            }
            NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot
                if !states.contains_key(&details.unique_id) =>
            {
                wanted[id.index()] = true;
            }
            _ => {}
        }
    }
    // Sources with a load time are asked one by one; the others' markers
    // come from the adapter, all at once.
    let mut markers: Vec<Option<String>> = vec![None; count];
    let mut batch: Vec<(usize, fusion_frontend::runtime::RelationRef)> = Vec::new();
    for index in (0..count).filter(|&index| wanted[index]) {
        let details = &project.nodes[index];
        match loaded_at_marker(details, connection, flavor) {
            Some(marker) => markers[index] = marker,
            None => batch.push((index, crate::run::node::relation_of(details))),
        }
    }
    let relations: Vec<fusion_frontend::runtime::RelationRef> =
        batch.iter().map(|(_, relation)| relation.clone()).collect();
    for ((index, _), marker) in batch.iter().zip(connection.data_markers(&relations)) {
        markers[*index] = marker;
    }
    markers
}

/// The marker of a source whose config names its load time
/// (`loaded_at_query`, else `loaded_at_field`): `Some(None)` when asking
/// failed, `None` when the config names none.
fn loaded_at_marker(
    details: &NodeDetails,
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
) -> Option<Option<String>> {
    let config = &details.config.values;
    let first_cell = |connection: &mut dyn Connection, sql: &str| {
        let table = connection.query(sql, Some(1)).ok()?;
        let cell = table.rows.first()?.first()?.clone();
        Some(match cell {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        })
    };
    if let Some(query) = config
        .get("loaded_at_query")
        .and_then(|value| value.as_str())
    {
        return Some(first_cell(connection, query).map(|value| format!("loaded_at:{value}")));
    }
    let field = config
        .get("loaded_at_field")
        .and_then(|value| value.as_str())?;
    let relation = crate::run::node::relation_of(details);
    let sql = format!("select max({field}) from {}", flavor.quoted(&relation));
    Some(first_cell(connection, &sql).map(|value| format!("loaded_at:{value}")))
}

/// Remembers, in the store, when each source's current marker was first
/// seen, and returns those times per node (for `lag_tolerance`: how long
/// new data has waited). A marker seen for the first time is seen now.
pub fn remember_first_seen(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
    project: &Project,
    observed: &[Option<String>],
    now_epoch: f64,
) -> Result<Vec<Option<f64>>, crate::adapter::AdapterError> {
    let seen = store::read_seen_markers(connection, flavor, location)?;
    let mut times = vec![None; observed.len()];
    let mut new: Vec<(&str, &str)> = Vec::new();
    for (index, marker) in observed.iter().enumerate() {
        let Some(marker) = marker else { continue };
        let unique_id = &project.nodes[index].unique_id;
        match seen.get(unique_id) {
            Some((previous, since)) if previous == marker => times[index] = Some(*since),
            _ => {
                new.push((unique_id, marker));
                times[index] = Some(now_epoch);
            }
        }
    }
    store::write_seen_markers(connection, flavor, location, &new, now_epoch)?;
    Ok(times)
}
