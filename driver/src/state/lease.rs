//! Leases: one state for concurrent jobs. Two jobs that build into the same
//! warehouse (several processes, several machines) never build the same
//! node at the same time: before a build, a job takes the node's lease, a
//! row in the store's `leases` table keyed by target and node. A job that
//! finds the lease taken waits; once it holds the lease it reads the node's
//! record again, and reuses what the other job built if that build is
//! current for its own code and upstreams (see
//! [`super::StatePlan::built_meanwhile`]).
//!
//! A lease expires [`LEASE_SECONDS`] after it was taken or last renewed; a
//! heartbeat thread, on a connection of its own, renews the job's leases
//! while it runs. A job that dies leaves leases that expire, and the next
//! job takes them over; a lease left by a process of this machine that is
//! gone is taken over at once. The primary key decides who holds a lease,
//! so two jobs taking it together cannot both win.
//!
//! Warehouses that let one process write at a time (a DuckDB file) need no
//! leases: the second job stops at once, or waits with `--wait`, before
//! anything runs ([`crate::adapter::Adapter::exclusive_writer`]).

use super::store::{literal, StoreLocation};
use crate::adapter::{Adapter, AdapterError, Connection, SqlFlavor};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a lease holds without renewal.
pub const LEASE_SECONDS: f64 = 60.0;

/// How often the heartbeat renews the job's leases.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// How often a waiting job looks at the lease again.
const POLL: Duration = Duration::from_millis(250);

/// Who holds a lease: the job's invocation, its machine and process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub invocation_id: String,
    pub host: String,
    pub pid: u32,
}

impl Holder {
    /// This process, as the holder of the leases of `invocation_id`.
    pub fn this_process(invocation_id: &str) -> Holder {
        Holder {
            invocation_id: invocation_id.to_string(),
            host: host_name(),
            pid: std::process::id(),
        }
    }

    /// Whether the holder is a process of this machine that no longer runs,
    /// so its leases can be taken over without waiting for them to expire.
    fn is_gone(&self) -> bool {
        if self.host != host_name() || !cfg!(target_os = "linux") {
            return false;
        }
        !std::path::Path::new(&format!("/proc/{}", self.pid)).exists()
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "job {} (process {} on {})",
            self.invocation_id, self.pid, self.host
        )
    }
}

/// The machine's name, as the kernel reports it.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The wall clock, in seconds since the epoch. Leases use the real clock
/// even when `FUSIONC_STATE_NOW` moves the state's.
fn wall_clock() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs_f64())
        .unwrap_or(0.0)
}

/// The statement that creates the `leases` table.
pub(super) fn create_statement(flavor: &dyn SqlFlavor, location: &StoreLocation) -> String {
    let text = flavor.string_type();
    format!(
        "create table if not exists {} (target {text} not null, unique_id {text} not null, \
         invocation_id {text} not null, host {text} not null, pid bigint not null, \
         acquired_epoch double precision not null, expires_epoch double precision not null, \
         primary key (target, unique_id))",
        location.table(flavor, "leases")
    )
}

/// The leases of one job.
pub struct Leases {
    /// The store's `leases` table, quoted.
    table: String,
    /// The target's key in the store.
    target: String,
    holder: Holder,
}

/// How taking a lease went.
#[derive(Debug, PartialEq)]
pub enum Taken {
    /// Held at once.
    Free,
    /// Held after another job released it, or after its lease expired.
    AfterWaiting(Holder),
}

impl Leases {
    pub fn new(flavor: &dyn SqlFlavor, location: &StoreLocation, holder: Holder) -> Leases {
        Leases {
            table: location.table(flavor, "leases"),
            target: location.target.clone(),
            holder,
        }
    }

    pub fn holder(&self) -> &Holder {
        &self.holder
    }

    /// Takes the lease of `unique_id`, waiting while another job holds it.
    /// `waiting` is told, once, who holds it. `cancelled` stops the wait
    /// (Ctrl-C): the error then says the lease was not taken.
    pub fn take(
        &self,
        connection: &mut dyn Connection,
        unique_id: &str,
        cancelled: &dyn Fn() -> bool,
        waiting: &mut dyn FnMut(&Holder),
    ) -> Result<Taken, AdapterError> {
        let table = &self.table;
        let key = format!(
            "target = {} and unique_id = {}",
            literal(&self.target),
            literal(unique_id)
        );
        let mut waited_for: Option<Holder> = None;
        loop {
            let now = wall_clock();
            connection.execute(&format!(
                "delete from {table} where {key} and expires_epoch < {now:.6}"
            ))?;
            connection.execute(&format!(
                "insert into {table} (target, unique_id, invocation_id, host, pid, acquired_epoch, \
                 expires_epoch) values ({}, {}, {}, {}, {}, {now:.6}, {:.6}) on conflict do nothing",
                literal(&self.target),
                literal(unique_id),
                literal(&self.holder.invocation_id),
                literal(&self.holder.host),
                self.holder.pid,
                now + LEASE_SECONDS
            ))?;
            let rows = connection.query(
                &format!("select invocation_id, host, pid from {table} where {key}"),
                Some(1),
            )?;
            let current = rows.rows.first().map(|row| Holder {
                invocation_id: text(row.first()),
                host: text(row.get(1)),
                pid: row.get(2).and_then(serde_json::Value::as_u64).unwrap_or(0) as u32,
            });
            match current {
                Some(current) if current == self.holder => {
                    return Ok(match waited_for {
                        Some(other) => Taken::AfterWaiting(other),
                        None => Taken::Free,
                    });
                }
                Some(current) if current.is_gone() => {
                    // A process of this machine that died: its lease is void.
                    connection.execute(&format!(
                        "delete from {table} where {key} and invocation_id = {}",
                        literal(&current.invocation_id)
                    ))?;
                    waited_for.get_or_insert(current);
                }
                Some(current) => {
                    if waited_for.as_ref() != Some(&current) {
                        waiting(&current);
                        waited_for = Some(current);
                    }
                    if cancelled() {
                        let mut error = AdapterError::new(format!(
                            "interrupted while waiting for {} to finish building it",
                            waited_for
                                .as_ref()
                                .map_or_else(String::new, Holder::to_string)
                        ));
                        error.interrupted = true;
                        return Err(error);
                    }
                    std::thread::sleep(POLL);
                }
                // Released between the insert and the read: try again.
                None => {}
            }
        }
    }

    /// Gives the lease of `unique_id` back.
    pub fn release(
        &self,
        connection: &mut dyn Connection,
        unique_id: &str,
    ) -> Result<(), AdapterError> {
        connection.execute(&format!(
            "delete from {} where target = {} and unique_id = {} and invocation_id = {}",
            self.table,
            literal(&self.target),
            literal(unique_id),
            literal(&self.holder.invocation_id)
        ))
    }

    /// Renews every lease the job holds.
    fn renew(&self, connection: &mut dyn Connection) -> Result<(), AdapterError> {
        connection.execute(&format!(
            "update {} set expires_epoch = {:.6} where invocation_id = {}",
            self.table,
            wall_clock() + LEASE_SECONDS,
            literal(&self.holder.invocation_id)
        ))
    }
}

/// The leases held in the target now: each node's, its holder, and in how
/// many seconds it expires (`fusionc state show`). None when the store has
/// no `leases` table yet.
pub fn held(
    connection: &mut dyn Connection,
    flavor: &dyn SqlFlavor,
    location: &StoreLocation,
) -> Vec<(String, Holder, f64)> {
    let Ok(rows) = connection.query(
        &format!(
            "select unique_id, invocation_id, host, pid, expires_epoch from {} where target = {} order by unique_id",
            location.table(flavor, "leases"),
            literal(&location.target)
        ),
        None,
    ) else {
        return Vec::new();
    };
    let now = wall_clock();
    rows.rows
        .iter()
        .map(|row| {
            let holder = Holder {
                invocation_id: text(row.get(1)),
                host: text(row.get(2)),
                pid: row.get(3).and_then(serde_json::Value::as_u64).unwrap_or(0) as u32,
            };
            let expires = row
                .get(4)
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(now);
            (text(row.first()), holder, expires - now)
        })
        .collect()
}

fn text(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The thread that renews a job's leases while it runs, on a connection of
/// its own; it stops when dropped, and releases whatever the job still
/// holds (a node interrupted before its own release).
pub struct Heartbeat {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    /// Starts renewing `leases` every few seconds. Without a connection of
    /// its own (the warehouse refused one) there is no heartbeat, and a
    /// build longer than a lease may be joined by another job's: say so.
    pub fn start(adapter: &dyn Adapter, leases: Arc<Leases>) -> Result<Heartbeat, AdapterError> {
        let mut connection = adapter.connect()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("fusionc-lease-heartbeat".into())
            .spawn(move || {
                let mut last = Instant::now();
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    if last.elapsed() >= HEARTBEAT {
                        // A failed renewal is tried again at the next beat;
                        // the lease outlives a few of them.
                        let _ = leases.renew(connection.as_mut());
                        last = Instant::now();
                    }
                }
                let _ = connection.execute(&format!(
                    "delete from {} where invocation_id = {}",
                    leases.table,
                    literal(&leases.holder.invocation_id)
                ));
            })
            .map_err(|error| {
                AdapterError::new(format!("could not start the lease heartbeat: {error}"))
            })?;
        Ok(Heartbeat {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
