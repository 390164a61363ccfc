//! Adapters: the one interface through which fusionc talks to a warehouse.
//!
//! An [`Adapter`] opens [`Connection`]s, one per worker thread. A connection
//! executes SQL and answers the few metadata questions the run needs (does a
//! relation exist, what are its columns). Everything a materialization does
//! is SQL sent through [`Connection::execute`] inside a transaction the
//! caller opens, so a failed or interrupted node leaves the warehouse as it
//! was. The SQL itself is produced by the adapter's [`SqlFlavor`], which
//! knows the warehouse's spelling of the DDL a run needs.

pub mod duckdb;
pub mod duckdb_naming;
pub mod naming;
pub mod postgres;
pub mod postgres_naming;

use fusion_frontend::runtime::{QueryTable, RelationKind, RelationRef, WarehouseColumn};
use std::fmt;

/// Relations above this many rows (by the warehouse's estimate) get no data
/// marker from a fingerprint of their rows: a scan that long would cost
/// more than the rebuild it might save, so they count as changed.
pub const FINGERPRINT_ROW_LIMIT: u64 = 50_000_000;

/// `'text'`: a SQL string literal, its quotes doubled.
pub(crate) fn sql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `lower(<column>) in ('a', 'b')`, or a condition that holds for no row
/// when `names` is empty.
pub(crate) fn lowercase_in(column: &str, names: &[String]) -> String {
    if names.is_empty() {
        return "false".to_string();
    }
    let listed: Vec<String> = names
        .iter()
        .map(|name| sql_string(&name.to_lowercase()))
        .collect();
    format!("lower({column}) in ({})", listed.join(", "))
}

/// An error the warehouse reported, or a failure to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterError {
    pub message: String,
    /// The statement ran into an interrupt (Ctrl-C): not a fault of the SQL.
    pub interrupted: bool,
    /// The warehouse is held by another process that it lets write alone
    /// (a DuckDB file): waiting may help, nothing else is wrong.
    pub busy: bool,
}

impl AdapterError {
    pub fn new(message: impl Into<String>) -> AdapterError {
        AdapterError {
            message: message.into(),
            interrupted: false,
            busy: false,
        }
    }
}

impl fmt::Display for AdapterError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

/// A warehouse fusionc can run a project on.
pub trait Adapter: Send + Sync {
    /// The profile's adapter type (`duckdb`).
    fn adapter_type(&self) -> &'static str;
    /// A new connection, for one worker thread.
    fn connect(&self) -> Result<Box<dyn Connection>, AdapterError>;
    /// Asks every running statement to stop (Ctrl-C). Statements stopped
    /// this way fail with [`AdapterError::interrupted`] set.
    fn interrupt_all(&self);
    /// How this warehouse spells the DDL of a run.
    fn flavor(&self) -> &dyn SqlFlavor;
    /// Whether one process at a time writes to this warehouse (a DuckDB
    /// file, which its writer locks): concurrent jobs are then kept apart
    /// before they start, and need no leases in the state store. False by
    /// default: servers take writes from many jobs at once.
    fn exclusive_writer(&self) -> bool {
        false
    }
}

/// One session with the warehouse.
pub trait Connection: Send {
    /// Runs one or more statements, discarding any result.
    fn execute(&mut self, sql: &str) -> Result<(), AdapterError>;
    /// Runs a query and returns at most `limit` of its rows (all when `None`).
    fn query(&mut self, sql: &str, limit: Option<usize>) -> Result<QueryTable, AdapterError>;
    /// Whether the relation exists, and as what.
    fn relation_kind(
        &mut self,
        relation: &RelationRef,
    ) -> Result<Option<RelationKind>, AdapterError>;
    /// Tells the connection what a statement it just ran did to a relation
    /// (created it as `kind`, or dropped it when `None`), so that a catalog
    /// it caches stays true without asking the warehouse again.
    fn relation_changed(&mut self, _relation: &RelationRef, _kind: Option<RelationKind>) {}
    /// Forgets what the connection knows of the catalog: after a rollback,
    /// or SQL that may have created or dropped anything (hooks, `run_query`).
    fn catalog_unknown(&mut self) {}
    /// A cheap marker of the relation's data for state-aware runs: it must
    /// change whenever the relation's rows change (another connection's
    /// inserts, updates, deletes and truncates included), and should stay
    /// the same otherwise. `None` when the warehouse can give none at a
    /// bounded cost: readers then count the relation as changed, so reuse
    /// never hides new data.
    fn data_marker(&mut self, _relation: &RelationRef) -> Result<Option<String>, AdapterError> {
        Ok(None)
    }
    /// [`Connection::data_marker`] of many relations, in order; a
    /// warehouse may answer them together.
    fn data_markers(&mut self, relations: &[RelationRef]) -> Vec<Option<String>> {
        relations
            .iter()
            .map(|relation| self.data_marker(relation).ok().flatten())
            .collect()
    }
    /// Whether the session is gone (the server restarted, or ended it):
    /// the worker then opens a new connection for its next node instead of
    /// failing every node it has left. False by default.
    fn is_closed(&mut self) -> bool {
        false
    }
    /// Opens a new session in place of one the warehouse ended (a server
    /// restart, a killed backend), checking first, at little cost, whether
    /// it is still there. Called only where no transaction is open on the
    /// connection (before a node, a hook or the state's records), so that
    /// nothing of a transaction is lost. Says whether it reopened; never
    /// does anything by default (an embedded warehouse keeps its session).
    fn reopen_if_lost(&mut self) -> Result<bool, AdapterError> {
        Ok(false)
    }
    /// Whether the relation, which [`Connection::relation_kind`] calls a
    /// view, is a materialized view (it is dropped and renamed with other
    /// statements). False by default: warehouses without them.
    fn is_materialized_view(&mut self, _relation: &RelationRef) -> Result<bool, AdapterError> {
        Ok(false)
    }
    /// The relation's columns in order (empty when it does not exist).
    fn columns(&mut self, relation: &RelationRef) -> Result<Vec<WarehouseColumn>, AdapterError>;
    /// Loads a CSV file into an existing, empty table whose columns are
    /// `columns` (name, type), in file order; returns the number of rows.
    fn load_csv(
        &mut self,
        relation: &RelationRef,
        columns: &[(String, String)],
        path: &std::path::Path,
    ) -> Result<u64, AdapterError>;
}

/// The statement whose outcome a node's response reports (the short text
/// of the console's `OK` line and of `adapter_response` in
/// `run_results.json`), for [`SqlFlavor::response`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildResponse {
    /// `create table ... as`: a table, an incremental model's first build.
    CreateTableAs,
    /// `create materialized view ... as`.
    CreateMaterializedView,
    /// An incremental model's new rows appended (`append`, `delete+insert`).
    Insert,
    /// An incremental model's `merge`, of this many source rows.
    Merge,
    /// A snapshot's first build, its table created from the query.
    SnapshotCreate,
    /// A snapshot's new and changed rows inserted.
    SnapshotInsert,
    /// A test's query, one row of counts.
    Test,
}

/// The warehouse's spelling of the statements a run sends.
pub trait SqlFlavor: Send + Sync {
    /// The response of a node built by `what`, `rows` rows written. By
    /// default fusionc's own short texts (`OK 12`, `INSERT 12`, `MERGE`);
    /// Postgres gives the server's command tags, as dbt-postgres reports
    /// them (`SELECT 12`, `INSERT 0 12`, `MERGE 12`).
    fn response(&self, what: BuildResponse, rows: u64) -> String {
        match what {
            BuildResponse::CreateTableAs => format!("OK {rows}"),
            BuildResponse::CreateMaterializedView => "CREATE MATERIALIZED VIEW".to_string(),
            BuildResponse::Insert
            | BuildResponse::SnapshotCreate
            | BuildResponse::SnapshotInsert => {
                format!("INSERT {rows}")
            }
            BuildResponse::Merge => "MERGE".to_string(),
            BuildResponse::Test => "OK".to_string(),
        }
    }
    /// The relation, fully qualified and quoted.
    fn quoted(&self, relation: &RelationRef) -> String;
    /// An identifier, quoted.
    fn quote(&self, identifier: &str) -> String;
    /// `create schema if not exists`.
    fn create_schema(&self, database: Option<&str>, schema: &str) -> String;
    /// Renames `from` to the identifier `to` in the same schema.
    fn rename(&self, from: &RelationRef, kind: RelationKind, to: &str) -> String;
    /// The expression of the current timestamp snapshots record.
    fn current_timestamp(&self) -> &'static str;
    /// A hash of a text expression, for snapshot ids.
    fn hash(&self, expression: &str) -> String;
    /// The text type of the warehouse.
    fn string_type(&self) -> &'static str;
    /// Drops a relation of `kind` when it exists. Example: DuckDB's
    /// `drop table if exists "db"."main"."orders"`; dbt-postgres adds
    /// `cascade`, so the views reading the relation go with it.
    fn drop_relation(&self, relation: &RelationRef, kind: RelationKind) -> String {
        let keyword = match kind {
            RelationKind::Table => "table",
            RelationKind::View => "view",
        };
        format!("drop {keyword} if exists {}", self.quoted(relation))
    }
    /// The relation a session's temporary table `identifier` is, for the
    /// metadata questions of [`Connection`]. Example: DuckDB's `temp.main`;
    /// Postgres's `pg_temp` (the session's own temporary schema).
    fn temporary_relation(&self, identifier: &str) -> RelationRef {
        RelationRef {
            database: Some("temp".into()),
            schema: Some("main".into()),
            identifier: identifier.to_string(),
        }
    }
    /// The name SQL gives a session's temporary table. Example: DuckDB's
    /// bare `"orders__dbt_tmp"`; Postgres's `"pg_temp"."orders__dbt_tmp"`,
    /// so that a permanent table of the same name is never the one dropped.
    fn temporary_table(&self, identifier: &str) -> String {
        self.quote(identifier)
    }
    /// Whether a table or view is rebuilt under `<name>__dbt_tmp` and
    /// swapped in by renaming the old relation to `<name>__dbt_backup`
    /// and dropping that backup last (dbt-postgres's table and view
    /// materializations: a view's columns cannot change through `create or
    /// replace view`, and the old relation's dependents go with its
    /// backup). When false (DuckDB), a view is replaced in place and a
    /// table's old relation is dropped before the new one is renamed.
    fn swaps_through_backup(&self) -> bool {
        false
    }
    /// The longest relation name the warehouse keeps, in characters, or
    /// `None` when it has no limit worth checking (the default). Example:
    /// Postgres's 63: a longer model name is refused as dbt-postgres refuses
    /// it, and the `__dbt_tmp`/`__dbt_backup` relations cut their base name
    /// short to fit.
    fn max_identifier_length(&self) -> Option<usize> {
        None
    }
    /// The statement that empties an existing seed table whose columns are
    /// the seed's, so that the seed reloads in place and the views reading
    /// it stay (dbt's seed materialization truncates), or `None` where the
    /// table is dropped and created again (the default, fusionc's DuckDB
    /// behaviour). Example: `truncate table "db"."s"."raw_orders"`.
    fn truncate_table(&self, _relation: &RelationRef) -> Option<String> {
        None
    }
    /// dbt's `materialized_view` materialization, or `None` where the
    /// warehouse has no materialized views (the default: such a model fails
    /// with FC5010 before anything runs).
    fn materialized_views(&self) -> Option<&dyn MaterializedViews> {
        None
    }
    /// The start of a `create table ... as` statement for a relation the
    /// run builds. Example: `create table "db"."main"."orders"`; dbt-postgres's
    /// `unlogged: true` gives `create unlogged table ...`. By default the
    /// `unlogged` config is ignored.
    fn create_table(&self, relation: &RelationRef, _unlogged: bool) -> String {
        format!("create table {}", self.quoted(relation))
    }
    /// dbt-postgres's `indexes` config: the statement that creates one
    /// index on a table just built, or `None` where the warehouse has no
    /// such config (the default). Example: `create unique index if not
    /// exists "<md5>" on "db"."s"."orders" using btree (id)`.
    fn create_index(&self, _relation: &RelationRef, _index: &IndexConfig) -> Option<String> {
        None
    }
    /// dbt's `grants` config: the statement granting `privilege` on the
    /// relation to `grantees`, or `None` where the run does not apply grants
    /// (the default). Example: `grant select on "db"."s"."orders" to reporter`.
    fn grant(
        &self,
        _relation: &RelationRef,
        _privilege: &str,
        _grantees: &[String],
    ) -> Option<String> {
        None
    }
    /// dbt's `get_catalog` (what `docs generate` reads): a query of every
    /// table and view of `schemas` (lowercase; compared without regard to
    /// case) in `database`, one row a column, with the columns
    /// `table_database`, `table_schema`, `table_name`, `table_type`
    /// (`BASE TABLE`, `VIEW`, `MATERIALIZED VIEW`), `table_comment`,
    /// `column_name`, `column_index` (from 1), `column_type` (as the
    /// warehouse spells it), `column_comment` and `table_owner`, ordered by
    /// schema, table and column index. `None` where the warehouse has no
    /// catalog to read (the default).
    fn catalog_query(&self, _database: &str, _schemas: &[String]) -> Option<String> {
        None
    }
    /// dbt's `get_show_grant_sql`: a query of the privileges others hold on
    /// the relation, one row a grant, grantee then privilege, or `None`
    /// where the run does not apply grants (the default). Example:
    /// dbt-postgres's query of `information_schema.role_table_grants`.
    fn show_grants(&self, _relation: &RelationRef) -> Option<String> {
        None
    }
    /// dbt's `get_revoke_sql`: the statement revoking `privilege` on the
    /// relation from `grantees` (quoted, as dbt quotes them), or `None`
    /// where the run does not apply grants (the default). Example:
    /// `revoke SELECT on "db"."s"."orders" from "reporter"`.
    fn revoke(
        &self,
        _relation: &RelationRef,
        _privilege: &str,
        _grantees: &[String],
    ) -> Option<String> {
        None
    }
    /// dbt's `copy_grants`: whether a relation built anew in the place of
    /// another keeps the old one's grants, so that grants its config no
    /// longer lists must be revoked. True by default, as dbt assumes;
    /// false on Postgres, whose table and view are new objects swapped in.
    fn copy_grants(&self) -> bool {
        true
    }
    /// dbt's `persist_docs`: the statement setting the comment of the
    /// relation (or of its column `column`), or `None` where the run does
    /// not persist docs (the default). Example: `comment on table
    /// "db"."s"."orders" is $dbt_comment_literal_block$One row an order$dbt_comment_literal_block$`.
    fn comment(
        &self,
        _relation: &RelationRef,
        _kind: RelationKind,
        _column: Option<&str>,
        _comment: &str,
    ) -> Option<String> {
        None
    }
}

/// dbt's `materialized_view` materialization, where the warehouse has it.
/// Example: dbt-postgres's `create materialized view "db"."s"."x"`, then
/// `refresh materialized view "db"."s"."x"` on later runs.
pub trait MaterializedViews {
    /// The start of the `create materialized view ... as` statement.
    fn create_materialized_view(&self, relation: &RelationRef) -> String;
    /// Brings an existing materialized view up to date.
    fn refresh_materialized_view(&self, relation: &RelationRef) -> String;
    /// Drops a materialized view (and, as dbt does, what reads it).
    fn drop_materialized_view(&self, relation: &RelationRef) -> String;
    /// Renames a materialized view to the identifier `to`.
    fn rename_materialized_view(&self, from: &RelationRef, to: &str) -> String;
}

/// One index of dbt-postgres's `indexes` config.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexConfig {
    /// Column expressions, as written (dbt does not quote them).
    pub columns: Vec<String>,
    pub unique: bool,
    /// The access method (`btree`, `hash`, `gin`...), when given.
    pub method: Option<String>,
}

/// Whether SQL the project wrote may create, drop or rename relations, so
/// that a cached catalog must be read again. Errs on the side of yes.
pub fn may_change_catalog(sql: &str) -> bool {
    let lowered = sql.to_ascii_lowercase();
    [
        "create", "drop", "alter", "rename", "attach", "detach", "replace",
    ]
    .iter()
    .any(|keyword| lowered.contains(keyword))
}
