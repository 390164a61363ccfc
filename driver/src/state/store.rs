//! The state store: a few tables in a schema of their own in the target's
//! warehouse (`fusionc_state` unless configured), so every job and every
//! machine that builds into the same warehouse shares one state, with no
//! service to run. Everything here is SQL sent through the adapter's
//! [`Connection`], spelled with its [`SqlFlavor`]; an adapter needs nothing
//! of its own for the store beyond `create table if not exists`, `delete`
//! and `insert`.
//!
//! - `node_state`: per target and node, its last committed build: the
//!   node's hash and components, the relation, when it finished, its status
//!   and message, the invocation, the data markers of every upstream it
//!   read, and the marker its readers see. A row is written in the
//!   transaction of the build itself (see `run::materialize::build_node`),
//!   so a build that did not commit is never recorded.
//! - `build_log`: one row per node a run attempted (reused nodes are not),
//!   whatever became of it, for the user.
//!
//! The target key is the profile, target and default schema: two developers
//! with their own schemas in one warehouse keep separate states.

use crate::adapter::{AdapterError, Connection, SqlFlavor};
use fusion_frontend::profiles::Target;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// The store's schema when neither the project nor a flag names one.
pub const DEFAULT_STATE_SCHEMA: &str = "fusionc_state";

/// The store's schema: the flag's (or `FUSIONC_STATE_SCHEMA`), else the
/// project's `fusionc_state_schema` var (set in `dbt_project.yml`), else
/// [`DEFAULT_STATE_SCHEMA`].
pub fn state_schema(flag: Option<&str>, project: &fusion_frontend::Project) -> String {
    flag.map(str::to_string)
        .or_else(|| {
            project
                .vars
                .get("fusionc_state_schema")
                .and_then(|value| value.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| DEFAULT_STATE_SCHEMA.to_string())
}

/// Where the store lives and whose state it reads.
#[derive(Clone, Debug)]
pub struct StoreLocation {
    pub database: Option<String>,
    pub schema: String,
    /// The key of this target's rows.
    pub target: String,
}

impl StoreLocation {
    pub fn new(target: &Target, schema: &str) -> StoreLocation {
        StoreLocation {
            database: (!target.database.is_empty()).then(|| target.database.clone()),
            schema: schema.to_string(),
            target: format!(
                "{}/{}/{}",
                target.profile_name, target.target_name, target.schema
            ),
        }
    }

    pub(super) fn table(&self, flavor: &dyn SqlFlavor, name: &str) -> String {
        flavor.quoted(&fusion_frontend::runtime::RelationRef {
            database: self.database.clone(),
            schema: Some(self.schema.clone()),
            identifier: name.to_string(),
        })
    }
}

/// One node's last committed build, as the store keeps it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeState {
    pub unique_id: String,
    pub node_hash: String,
    pub components: BTreeMap<String, String>,
    pub relation: String,
    /// When the build finished: RFC 3339, and seconds since the epoch.
    pub built_at: String,
    pub built_epoch: f64,
    /// `success` for what was built; a test's `pass`, `warn` or `fail`.
    pub status: String,
    pub message: String,
    pub invocation_id: String,
    /// For each upstream the build read (by unique id), its data marker then.
    pub upstream_markers: BTreeMap<String, String>,
    /// The marker readers of this node see: changes with every build.
    pub output_marker: String,
    /// A test's failing-row count.
    pub failures: Option<u64>,
    /// A model's columns and shape, for column-level impact.
    pub profile: Option<super::hash::ColumnProfile>,
}

/// Creates the store's schema and tables when they are missing.
pub fn ensure_store(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
) -> Result<(), AdapterError> {
    // Two jobs creating the store at once can collide on a server (one's
    // `create schema if not exists` fails while the other's commits): the
    // second attempt finds what the first created.
    create_store(connection, flavor, location)
        .or_else(|_| create_store(connection, flavor, location))
}

fn create_store(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
) -> Result<(), AdapterError> {
    let text = flavor.string_type();
    connection.execute(&flavor.create_schema(location.database.as_deref(), &location.schema))?;
    connection.execute(&format!(
        "create table if not exists {} (target {text} not null, unique_id {text} not null, \
         node_hash {text} not null, components {text} not null, relation {text} not null, \
         built_at {text} not null, built_epoch double precision not null, status {text} not null, \
         message {text} not null, invocation_id {text} not null, upstream_markers {text} not null, \
         output_marker {text} not null, failures bigint, primary key (target, unique_id))",
        location.table(flavor, "node_state")
    ))?;
    upgrade_store(connection, flavor, location)?;
    connection.execute(&format!(
        "create table if not exists {} (target {text} not null, unique_id {text} not null, \
         invocation_id {text} not null, status {text} not null, message {text} not null, \
         finished_at {text} not null, finished_epoch double precision not null)",
        location.table(flavor, "build_log")
    ))?;
    connection.execute(&format!(
        "create table if not exists {} (target {text} not null, unique_id {text} not null, \
         marker {text} not null, first_seen_epoch double precision not null, \
         primary key (target, unique_id))",
        location.table(flavor, "source_markers")
    ))?;
    connection.execute(&super::lease::create_statement(flavor, location))?;
    Ok(())
}

/// The marker last seen of each source (by unique id), and since when.
pub fn read_seen_markers(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
) -> Result<FxHashMap<String, (String, f64)>, AdapterError> {
    let rows = connection.query(
        &format!(
            "select unique_id, marker, first_seen_epoch from {} where target = {}",
            location.table(flavor, "source_markers"),
            literal(&location.target)
        ),
        None,
    )?;
    Ok(rows
        .rows
        .iter()
        .filter_map(|row| {
            let unique_id = row.first()?.as_str()?.to_string();
            let marker = row.get(1)?.as_str()?.to_string();
            let seen = row.get(2)?.as_f64()?;
            Some((unique_id, (marker, seen)))
        })
        .collect())
}

/// Records that each source's marker is now the one given, first seen at
/// `epoch`: a delete and an insert per five hundred sources.
pub fn write_seen_markers(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
    markers: &[(&str, &str)],
    epoch: f64,
) -> Result<(), AdapterError> {
    let table = location.table(flavor, "source_markers");
    for chunk in markers.chunks(500) {
        let ids: Vec<String> = chunk
            .iter()
            .map(|(unique_id, _)| literal(unique_id))
            .collect();
        connection.execute(&format!(
            "delete from {table} where target = {} and unique_id in ({})",
            literal(&location.target),
            ids.join(", ")
        ))?;
        let rows: Vec<String> = chunk
            .iter()
            .map(|(unique_id, marker)| {
                format!(
                    "({}, {}, {}, {})",
                    literal(&location.target),
                    literal(unique_id),
                    literal(marker),
                    epoch_literal(epoch)
                )
            })
            .collect();
        connection.execute(&format!(
            "insert into {table} (target, unique_id, marker, first_seen_epoch) values {}",
            rows.join(", ")
        ))?;
    }
    Ok(())
}

/// Columns added since the store's first layout: a store written by an
/// older fusionc gains them, empty.
fn upgrade_store(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
) -> Result<(), AdapterError> {
    connection.execute(&format!(
        "alter table {} add column if not exists column_profile {}",
        location.table(flavor, "node_state"),
        flavor.string_type()
    ))
}

/// Every node's state for the location's target, by unique id. A store
/// that does not exist yet holds nothing.
pub fn read_states(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
) -> Result<FxHashMap<String, NodeState>, AdapterError> {
    let table = fusion_frontend::runtime::RelationRef {
        database: location.database.clone(),
        schema: Some(location.schema.clone()),
        identifier: "node_state".into(),
    };
    if connection.relation_kind(&table)?.is_none() {
        return Ok(FxHashMap::default());
    }
    upgrade_store(connection, flavor, location)?;
    read_rows(connection, flavor, location, None)
}

/// The record of one node for the location's target, read again: another
/// job may have written it since the run read the store.
pub fn read_state(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
    unique_id: &str,
) -> Result<Option<NodeState>, AdapterError> {
    Ok(read_rows(connection, flavor, location, Some(unique_id))?.remove(unique_id))
}

fn read_rows(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
    unique_id: Option<&str>,
) -> Result<FxHashMap<String, NodeState>, AdapterError> {
    let node = unique_id
        .map(|unique_id| format!(" and unique_id = {}", literal(unique_id)))
        .unwrap_or_default();
    let rows = connection.query(
        &format!(
            "select unique_id, node_hash, components, relation, built_at, built_epoch, status, \
             message, invocation_id, upstream_markers, output_marker, failures, column_profile from {} \
             where target = {}{node}",
            location.table(flavor, "node_state"),
            literal(&location.target)
        ),
        None,
    )?;
    let mut states = FxHashMap::default();
    for row in rows.rows {
        let text = |index: usize| {
            row.get(index)
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let number = |index: usize| row.get(index).and_then(serde_json::Value::as_f64);
        let state = NodeState {
            unique_id: text(0),
            node_hash: text(1),
            components: serde_json::from_str(&text(2)).unwrap_or_default(),
            relation: text(3),
            built_at: text(4),
            built_epoch: number(5).unwrap_or(0.0),
            status: text(6),
            message: text(7),
            invocation_id: text(8),
            upstream_markers: serde_json::from_str(&text(9)).unwrap_or_default(),
            output_marker: text(10),
            failures: number(11).map(|failures| failures as u64),
            profile: row
                .get(12)
                .and_then(serde_json::Value::as_str)
                .and_then(|text| serde_json::from_str(text).ok()),
        };
        states.insert(state.unique_id.clone(), state);
    }
    Ok(states)
}

/// The statements that record `states` as their nodes' last builds: one
/// delete and one insert, whatever their number. A build's own record runs
/// inside its transaction, before its commit; tests' records (a test
/// changes nothing) are written together after the run.
pub fn record_statements(
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
    states: &[NodeState],
) -> Vec<String> {
    if states.is_empty() {
        return Vec::new();
    }
    let table = location.table(flavor, "node_state");
    let json = |map: &BTreeMap<String, String>| serde_json::to_string(map).unwrap_or_default();
    let ids: Vec<String> = states
        .iter()
        .map(|state| literal(&state.unique_id))
        .collect();
    let rows: Vec<String> = states
        .iter()
        .map(|state| {
            format!(
                "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                literal(&location.target),
                literal(&state.unique_id),
                literal(&state.node_hash),
                literal(&json(&state.components)),
                literal(&state.relation),
                literal(&state.built_at),
                epoch_literal(state.built_epoch),
                literal(&state.status),
                literal(&state.message),
                literal(&state.invocation_id),
                literal(&json(&state.upstream_markers)),
                literal(&state.output_marker),
                state
                    .failures
                    .map_or_else(|| "null".to_string(), |failures| failures.to_string()),
                state.profile.as_ref().map_or_else(
                    || "null".to_string(),
                    |profile| literal(&serde_json::to_string(profile).unwrap_or_default())
                ),
            )
        })
        .collect();
    vec![
        format!(
            "delete from {table} where target = {} and unique_id in ({})",
            literal(&location.target),
            ids.join(", ")
        ),
        format!(
            "insert into {table} (target, unique_id, node_hash, components, relation, built_at, \
             built_epoch, status, message, invocation_id, upstream_markers, output_marker, failures, \
             column_profile) values {}",
            rows.join(", ")
        ),
    ]
}

/// The statement that moves a reused node's record to the upstream markers
/// it has now: column-level impact found that what changed upstream is
/// nothing it reads. Run once those upstreams' builds committed.
pub fn refresh_markers_statement(
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
    unique_id: &str,
    upstream_markers: &BTreeMap<String, String>,
) -> String {
    format!(
        "update {} set upstream_markers = {} where target = {} and unique_id = {}",
        location.table(flavor, "node_state"),
        literal(&serde_json::to_string(upstream_markers).unwrap_or_default()),
        literal(&location.target),
        literal(unique_id)
    )
}

/// One line of the build log: what became of a node this run.
pub struct LogEntry<'a> {
    pub unique_id: &'a str,
    pub status: &'a str,
    pub message: &'a str,
    pub finished_at: &'a str,
    pub finished_epoch: f64,
}

/// How long the build log keeps a line: ninety days.
pub const LOG_KEEP_SECONDS: f64 = 90.0 * 86_400.0;

/// Appends the run's outcomes to the build log, in one statement, and
/// forgets the target's lines older than [`LOG_KEEP_SECONDS`].
pub fn append_log(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
    invocation_id: &str,
    entries: &[LogEntry<'_>],
) -> Result<(), AdapterError> {
    if entries.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = entries
        .iter()
        .map(|entry| {
            format!(
                "({}, {}, {}, {}, {}, {}, {})",
                literal(&location.target),
                literal(entry.unique_id),
                literal(invocation_id),
                literal(entry.status),
                literal(entry.message),
                literal(entry.finished_at),
                epoch_literal(entry.finished_epoch)
            )
        })
        .collect();
    let table = location.table(flavor, "build_log");
    connection.execute(&format!(
        "insert into {table} (target, unique_id, invocation_id, status, message, finished_at, finished_epoch) values {}",
        values.join(", ")
    ))?;
    let oldest = entries
        .iter()
        .map(|entry| entry.finished_epoch)
        .fold(f64::INFINITY, f64::min)
        - LOG_KEEP_SECONDS;
    connection.execute(&format!(
        "delete from {table} where target = {} and finished_epoch < {}",
        literal(&location.target),
        epoch_literal(oldest)
    ))
}

/// Forgets the location's target: `fusionc state clear`. Returns how many
/// nodes it held.
pub fn clear(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
) -> Result<usize, AdapterError> {
    let states = read_states(connection, flavor, location)?;
    if states.is_empty() {
        return Ok(0);
    }
    for table in ["node_state", "build_log", "source_markers"] {
        connection.execute(&format!(
            "delete from {} where target = {}",
            location.table(flavor, table),
            literal(&location.target)
        ))?;
    }
    Ok(states.len())
}

/// A string literal, in the standard spelling every adapter reads.
pub(super) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn epoch_literal(epoch: f64) -> String {
    if epoch.is_finite() {
        format!("{epoch:.6}")
    } else {
        "0".to_string()
    }
}
