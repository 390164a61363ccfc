//! Materializations: the SQL that builds one node in the warehouse, sent in
//! one transaction so that a failure (or an interrupt) leaves the relation
//! as it was.
//!
//! - view: the view is replaced in place.
//! - table: built under `<name>__dbt_tmp`, then swapped in (old dropped, new
//!   renamed) before the commit: readers never see a half-built table.
//! - incremental: the first build (or `--full-refresh`) is a table build;
//!   later builds stage the new rows in a temporary table, apply
//!   `on_schema_change`, then append, merge on `unique_key`, or delete and
//!   insert.
//! - seed: the CSV replaces the table's rows, with the seed's column types.
//! - snapshot: dbt's type-2 history, by `timestamp` or `check` strategy.
//! - test: counts the failing rows against `warn_if` / `error_if`.

use crate::adapter::{AdapterError, BuildResponse, Connection, IndexConfig, SqlFlavor};
use fusion_frontend::runtime::{RelationKind, RelationRef, WarehouseColumn};
use std::fmt::Write as _;

/// What a node needs to be built, all decided before it runs.
#[derive(Clone, Debug)]
pub enum Build {
    View {
        sql: String,
    },
    Table {
        sql: String,
    },
    /// dbt's `materialized_view`, on a warehouse that has them
    /// ([`SqlFlavor::materialized_views`]): created, then refreshed on
    /// later runs, rebuilt under `__dbt_tmp` on a full refresh or when a
    /// table or view is in its place.
    MaterializedView {
        sql: String,
        full_refresh: bool,
    },
    Incremental {
        sql: String,
        /// True when the relation exists and this is no full refresh: the
        /// model's `is_incremental()` branch was rendered.
        incremental: bool,
        strategy: IncrementalStrategy,
        unique_key: Vec<String>,
        on_schema_change: OnSchemaChange,
    },
    Seed {
        path: std::path::PathBuf,
        /// Column names and the types to create them with.
        columns: Vec<(String, String)>,
    },
    Snapshot {
        sql: String,
        unique_key: String,
        strategy: SnapshotStrategy,
        invalidate_hard_deletes: bool,
    },
    Test {
        sql: String,
        fail_calc: String,
        warn_if: String,
        error_if: String,
        limit: Option<u64>,
        /// `warn` severity never fails.
        severity_error: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncrementalStrategy {
    Append,
    Merge,
    DeleteInsert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnSchemaChange {
    Ignore,
    Fail,
    AppendNewColumns,
    SyncAllColumns,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotStrategy {
    Timestamp {
        updated_at: String,
    },
    /// `None`: every column (`check_cols: all`).
    Check {
        columns: Option<Vec<String>>,
    },
}

/// What dbt's relation configs ask of a relation once it is built:
/// `unlogged`, `indexes`, `grants` and `persist_docs`. The flavor says how
/// (or whether) the warehouse does each (see [`SqlFlavor::create_index`]).
#[derive(Clone, Debug, Default)]
pub struct RelationOptions {
    pub unlogged: bool,
    pub indexes: Vec<IndexConfig>,
    /// Privilege and grantees, in the config's order.
    pub grants: Vec<(String, Vec<String>)>,
    /// `persist_docs.relation`: the model's description, when it has one.
    pub relation_comment: Option<String>,
    /// `persist_docs.columns`: each documented column's description.
    pub column_comments: Vec<(String, String)>,
}

/// The outcome of building one node.
#[derive(Clone, Debug, Default)]
pub struct Built {
    /// Every statement sent, in order (written under `target/run/`).
    pub executed: Vec<String>,
    /// Rows written (tables, seeds, incremental inserts), when known.
    pub rows: Option<u64>,
    /// Tests: the number of failing rows, and whether it warns or errors.
    pub failures: Option<u64>,
    pub should_warn: bool,
    pub should_error: bool,
    /// The warehouse's short response (`OK`, `INSERT 12`...).
    pub response: String,
    /// The relation that was there was changed in place (rows added,
    /// merged or reloaded), not replaced by a new one: the grants it had
    /// are still on it (dbt's `should_revoke` for such builds).
    pub kept_relation: bool,
}

/// Why a node's build failed (and was rolled back).
#[derive(Clone, Debug)]
pub enum BuildFailure {
    /// The warehouse refused a statement, or it was interrupted.
    Warehouse(AdapterError),
    /// An incremental model's columns differ from its table's and its
    /// `on_schema_change` is `fail`: the build refused to change the table.
    SchemaChanged {
        /// Columns the model has and the table lacks.
        added: Vec<String>,
        /// Columns the table has and the model no longer outputs.
        removed: Vec<String>,
    },
    /// A `post-hook` failed to render (its Jinja runs after the build).
    Hook(Box<fusion_ir::diagnostic::Diagnostic>),
}

impl From<AdapterError> for BuildFailure {
    fn from(error: AdapterError) -> BuildFailure {
        BuildFailure::Warehouse(error)
    }
}

impl BuildFailure {
    /// The failure in one paragraph, as the run's log and `run_results.json` show it.
    pub fn message(&self) -> String {
        match self {
            BuildFailure::Warehouse(error) => error.message.clone(),
            BuildFailure::Hook(diagnostic) => diagnostic.message.clone(),
            BuildFailure::SchemaChanged { added, removed } => format!(
                "the model's columns changed and on_schema_change is `fail`: added [{}], removed [{}]; run with --full-refresh to rebuild it, or set on_schema_change to append_new_columns or sync_all_columns",
                added.join(", "),
                removed.join(", ")
            ),
        }
    }

    /// Whether the failure is an interrupt (Ctrl-C), not a fault of the node.
    pub fn interrupted(&self) -> bool {
        matches!(self, BuildFailure::Warehouse(error) if error.interrupted)
    }
}

/// A node's `pre-hook` statements, rendered, and its `post-hook`
/// statements, rendered when they are due.
#[derive(Clone, Copy)]
pub struct Hooks<'a> {
    pub pre: &'a [String],
    /// Renders the post-hooks. It is called once the build has run, with
    /// the connection free (its Jinja may query the warehouse through it),
    /// inside the node's transaction.
    pub post: &'a dyn Fn() -> Result<Vec<String>, BuildFailure>,
}

/// Runs the statements of one node inside a transaction: hooks, then the
/// build, then hooks, then commit. Any error rolls everything back.
/// `connection` locks the node's connection; it is released while the
/// post-hooks render.
pub fn build_node<'c>(
    connection: &dyn Fn() -> std::sync::MutexGuard<'c, Box<dyn Connection>>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    build: &Build,
    options: &RelationOptions,
    hooks: Hooks<'_>,
    record: &dyn Fn(&Built) -> Vec<String>,
) -> Result<Built, (BuildFailure, Vec<String>)> {
    let transactional = !matches!(build, Build::Test { .. });
    if let Some(max) = flavor.max_identifier_length() {
        if transactional && relation.identifier.chars().count() > max {
            // dbt-postgres refuses such a relation before running anything;
            // the server would silently cut the name short.
            return Err((
                BuildFailure::Warehouse(AdapterError::new(format!(
                    "Relation name '{}' is longer than {max} characters",
                    relation.identifier
                ))),
                Vec::new(),
            ));
        }
    }
    let mut executed = Vec::new();
    let mut guard = connection();
    let mut session = Session {
        connection: guard.as_mut(),
        executed: Vec::new(),
    };
    let built = (|| -> Result<Built, BuildFailure> {
        if transactional {
            session.connection.execute("begin transaction")?;
        }
        for hook in hooks.pre {
            session.run_user(hook)?;
        }
        let existed = match built_kind(build) {
            Some(_) if !options.grants.is_empty() => {
                session.connection.relation_kind(relation)?.is_some()
            }
            _ => false,
        };
        let built = match build {
            Build::View { sql } => build_view(&mut session, flavor, relation, sql)?,
            Build::Table { sql } => build_table(&mut session, flavor, relation, sql, options)?,
            Build::MaterializedView { sql, full_refresh } => build_materialized_view(
                &mut session,
                flavor,
                relation,
                sql,
                *full_refresh,
                options,
            )?,
            Build::Incremental {
                sql,
                incremental,
                strategy,
                unique_key,
                on_schema_change,
            } => {
                if *incremental {
                    build_incremental(
                        &mut session,
                        flavor,
                        relation,
                        sql,
                        *strategy,
                        unique_key,
                        *on_schema_change,
                    )?
                } else {
                    build_table(&mut session, flavor, relation, sql, options)?
                }
            }
            Build::Seed { path, columns } => {
                build_seed(&mut session, flavor, relation, path, columns, options)?
            }
            Build::Snapshot {
                sql,
                unique_key,
                strategy,
                invalidate_hard_deletes,
            } => build_snapshot(
                &mut session,
                flavor,
                relation,
                sql,
                unique_key,
                strategy,
                *invalidate_hard_deletes,
            )?,
            Build::Test {
                sql,
                fail_calc,
                warn_if,
                error_if,
                limit,
                severity_error,
            } => run_test(
                &mut session,
                sql,
                fail_calc,
                warn_if,
                error_if,
                *limit,
                *severity_error,
            )
            .map(|tested| Built {
                response: flavor.response(BuildResponse::Test, 1),
                ..tested
            })?,
        };
        if let Some(kind) = built_kind(build) {
            // dbt's `should_revoke`: grants may have carried over when the
            // relation was kept, or replaced on a warehouse that copies
            // grants to the replacement.
            let should_revoke = built.kept_relation || (existed && flavor.copy_grants());
            apply_grants(&mut session, flavor, relation, options, should_revoke)?;
            apply_docs(&mut session, flavor, relation, kind, options)?;
        }
        Ok(built)
    })();
    executed.append(&mut session.executed);
    drop(guard);
    // The connection is free while the post-hooks render.
    let post_hooks = built.and_then(|built| Ok((built, (hooks.post)()?)));
    let mut guard = connection();
    let mut session = Session {
        connection: guard.as_mut(),
        executed,
    };
    let outcome = post_hooks.and_then(|(mut built, post_hooks)| {
        for hook in &post_hooks {
            session.run_user(hook)?;
        }
        // The state store's record of this build, in its transaction: a
        // build that does not commit is never recorded. (A test changes
        // nothing, so its record follows it.) These statements are the
        // store's, not the node's: they are not among its executed SQL.
        for statement in record(&built) {
            session.connection.execute(&statement)?;
        }
        if transactional {
            session.connection.execute("commit")?;
        }
        built.executed = std::mem::take(&mut session.executed);
        Ok(built)
    });
    match outcome {
        Ok(built) => Ok(built),
        Err(error) => {
            if transactional {
                // The transaction may already be aborted; the rollback's own
                // error says nothing new.
                let _ = session.connection.execute("rollback");
                // What the statements recorded did not happen after all.
                session.connection.catalog_unknown();
            }
            Err((error, session.executed))
        }
    }
}

struct Session<'a> {
    connection: &'a mut dyn Connection,
    executed: Vec<String>,
}

impl Session<'_> {
    fn run(&mut self, sql: &str) -> Result<(), AdapterError> {
        if sql.trim().is_empty() {
            return Ok(());
        }
        self.executed.push(sql.to_string());
        self.connection.execute(sql)
    }

    /// Runs SQL the project wrote (a hook): it may create or drop anything.
    fn run_user(&mut self, sql: &str) -> Result<(), AdapterError> {
        let result = self.run(sql);
        if crate::adapter::may_change_catalog(sql) {
            self.connection.catalog_unknown();
        }
        result
    }

    /// Records what the last statement did to a relation.
    fn changed(&mut self, relation: &RelationRef, kind: Option<RelationKind>) {
        self.connection.relation_changed(relation, kind);
    }
}

/// The kind of relation a build leaves behind (none for tests).
fn built_kind(build: &Build) -> Option<RelationKind> {
    match build {
        Build::View { .. } | Build::MaterializedView { .. } => Some(RelationKind::View),
        Build::Table { .. }
        | Build::Incremental { .. }
        | Build::Seed { .. }
        | Build::Snapshot { .. } => Some(RelationKind::Table),
        Build::Test { .. } => None,
    }
}

/// dbt's `apply_grants`, after the relation is built, inside its
/// transaction. A node whose config lists no grants changes none. When
/// grants may have carried over (`should_revoke`), the relation's current
/// grants are read and only the difference is sent: revokes of what the
/// config no longer lists, then grants of what is missing; otherwise every
/// configured grant is sent.
fn apply_grants(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    options: &RelationOptions,
    should_revoke: bool,
) -> Result<(), AdapterError> {
    if options.grants.is_empty() {
        return Ok(());
    }
    let show = should_revoke
        .then(|| flavor.show_grants(relation))
        .flatten();
    let (needs_granting, needs_revoking) = match show {
        Some(query) => {
            let table = session.connection.query(&query, None)?;
            let mut current: Vec<(String, Vec<String>)> = Vec::new();
            for row in &table.rows {
                let (Some(grantee), Some(privilege)) = (
                    row.first().and_then(|value| value.as_str()),
                    row.get(1).and_then(|value| value.as_str()),
                ) else {
                    continue;
                };
                match current.iter_mut().find(|(known, _)| known == privilege) {
                    Some((_, grantees)) => grantees.push(grantee.to_string()),
                    None => current.push((privilege.to_string(), vec![grantee.to_string()])),
                }
            }
            (
                grants_missing_from(&options.grants, &current),
                grants_missing_from(&current, &options.grants),
            )
        }
        None => (options.grants.clone(), Vec::new()),
    };
    for (privilege, grantees) in &needs_revoking {
        if let Some(sql) = flavor.revoke(relation, privilege, grantees) {
            session.run(&sql)?;
        }
    }
    for (privilege, grantees) in &needs_granting {
        if let Some(sql) = flavor.grant(relation, privilege, grantees) {
            session.run(&sql)?;
        }
    }
    Ok(())
}

/// dbt's `diff_of_two_dicts`: the grants of `wanted` that `present` lacks,
/// privileges and grantees compared without regard to case; a privilege
/// `present` lacks altogether comes with all its grantees.
fn grants_missing_from(
    wanted: &[(String, Vec<String>)],
    present: &[(String, Vec<String>)],
) -> Vec<(String, Vec<String>)> {
    let mut missing = Vec::new();
    for (privilege, grantees) in wanted {
        let held = present
            .iter()
            .find(|(other, _)| other.to_lowercase() == privilege.to_lowercase());
        match held {
            None => missing.push((privilege.clone(), grantees.clone())),
            Some((_, held)) => {
                let lacking: Vec<String> = grantees
                    .iter()
                    .filter(|grantee| {
                        !held
                            .iter()
                            .any(|other| other.to_lowercase() == grantee.to_lowercase())
                    })
                    .cloned()
                    .collect();
                if !lacking.is_empty() {
                    missing.push((privilege.clone(), lacking));
                }
            }
        }
    }
    missing
}

/// dbt's `persist_docs`, after the grants: the relation's comment, then
/// the comments of the documented columns the relation has.
fn apply_docs(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    kind: RelationKind,
    options: &RelationOptions,
) -> Result<(), AdapterError> {
    if let Some(comment) = &options.relation_comment {
        if let Some(sql) = flavor.comment(relation, kind, None, comment) {
            session.run(&sql)?;
        }
    }
    if options.column_comments.is_empty() {
        return Ok(());
    }
    let existing = session.connection.columns(relation)?;
    for (column, comment) in &options.column_comments {
        let Some(found) = existing.iter().find(|old| same_name(&old.name, column)) else {
            continue;
        };
        if let Some(sql) = flavor.comment(relation, kind, Some(&found.name), comment) {
            session.run(&sql)?;
        }
    }
    Ok(())
}

/// dbt-postgres's `create_indexes`, on a table just built.
fn create_indexes(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    options: &RelationOptions,
) -> Result<(), AdapterError> {
    for index in &options.indexes {
        if let Some(sql) = flavor.create_index(relation, index) {
            session.run(&sql)?;
        }
    }
    Ok(())
}

fn sibling(flavor: &dyn SqlFlavor, relation: &RelationRef, suffix: &str) -> RelationRef {
    RelationRef {
        database: relation.database.clone(),
        schema: relation.schema.clone(),
        identifier: suffixed(flavor, &relation.identifier, suffix),
    }
}

/// `<identifier><suffix>`, the identifier cut short so that the whole fits
/// the warehouse's longest name, as dbt-postgres's
/// `make_relation_with_suffix` cuts it (in characters).
fn suffixed(flavor: &dyn SqlFlavor, identifier: &str, suffix: &str) -> String {
    let kept = match flavor.max_identifier_length() {
        Some(max) => identifier
            .chars()
            .take(max.saturating_sub(suffix.chars().count()))
            .collect(),
        None => identifier.to_string(),
    };
    format!("{kept}{suffix}")
}

/// Drops whatever occupies `relation`, a table or a view.
fn drop_existing(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
) -> Result<(), AdapterError> {
    let Some(occupant) = occupant(session, flavor, relation)? else {
        return Ok(());
    };
    session.run(&occupant.drop(flavor, relation))?;
    session.changed(relation, None);
    Ok(())
}

/// What occupies a relation's name: a table, a view, or a materialized
/// view (which the warehouse's catalog cache counts as a view, but which
/// is dropped and renamed with statements of its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Occupant {
    Relation(RelationKind),
    MaterializedView,
}

impl Occupant {
    fn kind(self) -> RelationKind {
        match self {
            Occupant::Relation(kind) => kind,
            Occupant::MaterializedView => RelationKind::View,
        }
    }

    fn drop(self, flavor: &dyn SqlFlavor, relation: &RelationRef) -> String {
        match (self, flavor.materialized_views()) {
            (Occupant::MaterializedView, Some(views)) => views.drop_materialized_view(relation),
            _ => flavor.drop_relation(relation, self.kind()),
        }
    }

    fn rename(self, flavor: &dyn SqlFlavor, relation: &RelationRef, to: &str) -> String {
        match (self, flavor.materialized_views()) {
            (Occupant::MaterializedView, Some(views)) => {
                views.rename_materialized_view(relation, to)
            }
            _ => flavor.rename(relation, self.kind(), to),
        }
    }
}

/// What occupies `relation`'s name, if anything.
fn occupant(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
) -> Result<Option<Occupant>, AdapterError> {
    Ok(match session.connection.relation_kind(relation)? {
        None => None,
        Some(RelationKind::View)
            if flavor.materialized_views().is_some()
                && session.connection.is_materialized_view(relation)? =>
        {
            Some(Occupant::MaterializedView)
        }
        Some(kind) => Some(Occupant::Relation(kind)),
    })
}

/// Puts the relation built as `staging` in the place of `relation`, in the
/// flavor's way (see [`SqlFlavor::swaps_through_backup`]): the old relation
/// dropped first, or renamed to `<name>__dbt_backup` and dropped last.
fn swap_in(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    staging: &RelationRef,
    relation: &RelationRef,
    new: Occupant,
) -> Result<(), AdapterError> {
    let mut backup_to_drop = None;
    if flavor.swaps_through_backup() {
        let backup = sibling(flavor, relation, "__dbt_backup");
        drop_existing(session, flavor, &backup)?;
        if let Some(existing) = occupant(session, flavor, relation)? {
            session.run(&existing.rename(flavor, relation, &backup.identifier))?;
            session.changed(relation, None);
            session.changed(&backup, Some(existing.kind()));
            backup_to_drop = Some((backup, existing));
        }
    } else {
        drop_existing(session, flavor, relation)?;
    }
    session.run(&new.rename(flavor, staging, &relation.identifier))?;
    session.changed(staging, None);
    session.changed(relation, Some(new.kind()));
    if let Some((backup, existing)) = backup_to_drop {
        session.run(&existing.drop(flavor, &backup))?;
        session.changed(&backup, None);
    }
    Ok(())
}

/// dbt's `materialized_view` (dbt-postgres's SQL): created in place when
/// nothing has the name; refreshed when a materialized view has it and no
/// full refresh is asked; otherwise built under `__dbt_tmp`, with its
/// indexes, and swapped in.
fn build_materialized_view(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    sql: &str,
    full_refresh: bool,
    options: &RelationOptions,
) -> Result<Built, AdapterError> {
    let Some(views) = flavor.materialized_views() else {
        return Err(AdapterError::new(
            "this warehouse has no materialized views",
        ));
    };
    let existing = occupant(session, flavor, relation)?;
    if existing == Some(Occupant::MaterializedView) && !full_refresh {
        session.run(&views.refresh_materialized_view(relation))?;
        return Ok(Built {
            response: "REFRESH MATERIALIZED VIEW".into(),
            ..Built::default()
        });
    }
    let target = if existing.is_none() {
        relation.clone()
    } else {
        let staging = sibling(flavor, relation, "__dbt_tmp");
        drop_existing(session, flavor, &staging)?;
        staging
    };
    session.run(&format!(
        "{} as (\n{}\n)",
        views.create_materialized_view(&target),
        strip_statement(sql)
    ))?;
    session.changed(&target, Some(RelationKind::View));
    create_indexes(session, flavor, &target, options)?;
    if target != *relation {
        swap_in(
            session,
            flavor,
            &target,
            relation,
            Occupant::MaterializedView,
        )?;
    }
    let rows = count_rows(session, flavor, relation);
    Ok(Built {
        response: flavor.response(BuildResponse::CreateMaterializedView, rows.unwrap_or(0)),
        ..Built::default()
    })
}

fn strip_statement(sql: &str) -> &str {
    sql.trim().trim_end_matches(';').trim_end()
}

fn build_view(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    sql: &str,
) -> Result<Built, AdapterError> {
    if flavor.swaps_through_backup() {
        let staging = sibling(flavor, relation, "__dbt_tmp");
        drop_existing(session, flavor, &staging)?;
        session.run(&format!(
            "create view {} as (\n{}\n)",
            flavor.quoted(&staging),
            strip_statement(sql)
        ))?;
        session.changed(&staging, Some(RelationKind::View));
        swap_in(
            session,
            flavor,
            &staging,
            relation,
            Occupant::Relation(RelationKind::View),
        )?;
        return Ok(Built {
            response: "CREATE VIEW".into(),
            ..Built::default()
        });
    }
    if session.connection.relation_kind(relation)? == Some(RelationKind::Table) {
        session.run(&flavor.drop_relation(relation, RelationKind::Table))?;
    }
    session.run(&format!(
        "create or replace view {} as (\n{}\n)",
        flavor.quoted(relation),
        strip_statement(sql)
    ))?;
    session.changed(relation, Some(RelationKind::View));
    Ok(Built {
        response: "OK".into(),
        ..Built::default()
    })
}

fn count_rows(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
) -> Option<u64> {
    let table = session
        .connection
        .query(
            &format!("select count(*) from {}", flavor.quoted(relation)),
            Some(1),
        )
        .ok()?;
    table.rows.first()?.first()?.as_u64()
}

fn build_table(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    sql: &str,
    options: &RelationOptions,
) -> Result<Built, AdapterError> {
    let staging = sibling(flavor, relation, "__dbt_tmp");
    drop_existing(session, flavor, &staging)?;
    session.run(&format!(
        "{} as (\n{}\n)",
        flavor.create_table(&staging, options.unlogged),
        strip_statement(sql)
    ))?;
    session.changed(&staging, Some(RelationKind::Table));
    create_indexes(session, flavor, &staging, options)?;
    let rows = count_rows(session, flavor, &staging);
    swap_in(
        session,
        flavor,
        &staging,
        relation,
        Occupant::Relation(RelationKind::Table),
    )?;
    Ok(Built {
        rows,
        response: rows.map_or_else(
            || "OK".to_string(),
            |rows| flavor.response(BuildResponse::CreateTableAs, rows),
        ),
        ..Built::default()
    })
}

fn column_list(flavor: &dyn SqlFlavor, columns: &[WarehouseColumn]) -> String {
    columns
        .iter()
        .map(|column| flavor.quote(&column.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn same_name(left: &str, right: &str) -> bool {
    left.eq_ignore_ascii_case(right)
}

fn build_incremental(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    sql: &str,
    strategy: IncrementalStrategy,
    unique_key: &[String],
    on_schema_change: OnSchemaChange,
) -> Result<Built, BuildFailure> {
    let staging_name = suffixed(flavor, &relation.identifier, "__dbt_tmp");
    let staging = flavor.temporary_relation(&staging_name);
    let staging_quoted = flavor.temporary_table(&staging_name);
    session.run(&format!("drop table if exists {staging_quoted}"))?;
    session.run(&format!(
        "create temporary table {staging_quoted} as (\n{}\n)",
        strip_statement(sql)
    ))?;
    let new_columns = session.connection.columns(&staging)?;
    let mut target_columns = session.connection.columns(relation)?;
    let added: Vec<&WarehouseColumn> = new_columns
        .iter()
        .filter(|column| {
            !target_columns
                .iter()
                .any(|old| same_name(&old.name, &column.name))
        })
        .collect();
    let removed: Vec<WarehouseColumn> = target_columns
        .iter()
        .filter(|column| {
            !new_columns
                .iter()
                .any(|new| same_name(&new.name, &column.name))
        })
        .cloned()
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        match on_schema_change {
            OnSchemaChange::Ignore => {}
            OnSchemaChange::Fail => {
                return Err(BuildFailure::SchemaChanged {
                    added: added.iter().map(|column| column.name.clone()).collect(),
                    removed: removed.iter().map(|column| column.name.clone()).collect(),
                });
            }
            OnSchemaChange::AppendNewColumns | OnSchemaChange::SyncAllColumns => {
                for column in &added {
                    session.run(&format!(
                        "alter table {} add column {} {}",
                        flavor.quoted(relation),
                        flavor.quote(&column.name),
                        column.data_type
                    ))?;
                }
                if on_schema_change == OnSchemaChange::SyncAllColumns {
                    for column in &removed {
                        session.run(&format!(
                            "alter table {} drop column {}",
                            flavor.quoted(relation),
                            flavor.quote(&column.name)
                        ))?;
                    }
                }
                target_columns = session.connection.columns(relation)?;
            }
        }
    }
    // The columns both sides have, in the target's order: with `ignore`, new
    // columns are dropped and missing ones stay null.
    let shared: Vec<WarehouseColumn> = target_columns
        .iter()
        .filter(|column| {
            new_columns
                .iter()
                .any(|new| same_name(&new.name, &column.name))
        })
        .cloned()
        .collect();
    let columns = column_list(flavor, &shared);
    let target = flavor.quoted(relation);
    let key_match = |left: &str, right: &str| {
        unique_key
            .iter()
            .map(|key| format!("{left}.{key} = {right}.{key}", key = flavor.quote(key)))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let strategy = match strategy {
        IncrementalStrategy::Merge | IncrementalStrategy::DeleteInsert if unique_key.is_empty() => {
            IncrementalStrategy::Append
        }
        other => other,
    };
    match strategy {
        IncrementalStrategy::Append => {}
        IncrementalStrategy::DeleteInsert => {
            session.run(&format!(
                "delete from {target} as DBT_INTERNAL_DEST where exists (select 1 from {staging_quoted} as DBT_INTERNAL_SOURCE where {})",
                key_match("DBT_INTERNAL_SOURCE", "DBT_INTERNAL_DEST")
            ))?;
        }
        IncrementalStrategy::Merge => {
            let updates = shared
                .iter()
                .map(|column| {
                    let name = flavor.quote(&column.name);
                    format!("{name} = DBT_INTERNAL_SOURCE.{name}")
                })
                .collect::<Vec<_>>()
                .join(", ");
            let values = shared
                .iter()
                .map(|column| format!("DBT_INTERNAL_SOURCE.{}", flavor.quote(&column.name)))
                .collect::<Vec<_>>()
                .join(", ");
            let rows_before = count_rows(session, flavor, relation);
            let source_rows = session
                .connection
                .query(&format!("select count(*) from {staging_quoted}"), Some(1))
                .ok()
                .and_then(|table| table.rows.first()?.first()?.as_u64());
            session.run(&format!(
                "merge into {target} as DBT_INTERNAL_DEST using {staging_quoted} as DBT_INTERNAL_SOURCE on ({})\nwhen matched then update set {updates}\nwhen not matched then insert ({columns}) values ({values})",
                key_match("DBT_INTERNAL_SOURCE", "DBT_INTERNAL_DEST")
            ))?;
            session.run(&format!("drop table if exists {staging_quoted}"))?;
            let rows_after = count_rows(session, flavor, relation);
            return Ok(Built {
                rows: rows_after
                    .zip(rows_before)
                    .map(|(after, before)| after.saturating_sub(before)),
                response: flavor.response(BuildResponse::Merge, source_rows.unwrap_or(0)),
                kept_relation: true,
                ..Built::default()
            });
        }
    }
    let inserted = session
        .connection
        .query(&format!("select count(*) from {staging_quoted}"), Some(1))
        .ok()
        .and_then(|table| table.rows.first()?.first()?.as_u64());
    session.run(&format!(
        "insert into {target} ({columns}) select {columns} from {staging_quoted}"
    ))?;
    session.run(&format!("drop table if exists {staging_quoted}"))?;
    Ok(Built {
        rows: inserted,
        response: flavor.response(BuildResponse::Insert, inserted.unwrap_or(0)),
        kept_relation: true,
        ..Built::default()
    })
}

fn build_seed(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    path: &std::path::Path,
    columns: &[(String, String)],
    options: &RelationOptions,
) -> Result<Built, AdapterError> {
    if let Some(truncate) = flavor.truncate_table(relation) {
        if session.connection.relation_kind(relation)? == Some(RelationKind::Table) {
            let existing = session.connection.columns(relation)?;
            let same_columns = existing.len() == columns.len()
                && existing
                    .iter()
                    .zip(columns)
                    .all(|(old, (name, _))| same_name(&old.name, name));
            if same_columns {
                session.run(&truncate)?;
                session.executed.push(format!(
                    "-- load {} into {}",
                    path.display(),
                    flavor.quoted(relation)
                ));
                let rows = session.connection.load_csv(relation, columns, path)?;
                return Ok(Built {
                    rows: Some(rows),
                    response: format!("INSERT {rows}"),
                    kept_relation: true,
                    ..Built::default()
                });
            }
        }
    }
    drop_existing(session, flavor, relation)?;
    let definition = columns
        .iter()
        .map(|(name, data_type)| format!("{} {data_type}", flavor.quote(name)))
        .collect::<Vec<_>>()
        .join(", ");
    session.run(&format!(
        "create table {} ({definition})",
        flavor.quoted(relation)
    ))?;
    session.changed(relation, Some(RelationKind::Table));
    session.executed.push(format!(
        "-- load {} into {}",
        path.display(),
        flavor.quoted(relation)
    ));
    let rows = session.connection.load_csv(relation, columns, path)?;
    create_indexes(session, flavor, relation, options)?;
    Ok(Built {
        rows: Some(rows),
        response: format!("INSERT {rows}"),
        ..Built::default()
    })
}

/// dbt's `snapshot_hash_arguments`: the columns joined by `|`, hashed.
fn hash_arguments(flavor: &dyn SqlFlavor, arguments: &[String]) -> String {
    let joined = arguments
        .iter()
        .map(|argument| format!("coalesce(cast({argument} as {}), '')", flavor.string_type()))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    flavor.hash(&joined)
}

fn build_snapshot(
    session: &mut Session<'_>,
    flavor: &dyn SqlFlavor,
    relation: &RelationRef,
    sql: &str,
    unique_key: &str,
    strategy: &SnapshotStrategy,
    invalidate_hard_deletes: bool,
) -> Result<Built, AdapterError> {
    let source = strip_statement(sql);
    let now = flavor.current_timestamp();
    let updated_at = match strategy {
        SnapshotStrategy::Timestamp { updated_at } => updated_at.clone(),
        SnapshotStrategy::Check { .. } => now.to_string(),
    };
    let scd_id = hash_arguments(flavor, &[unique_key.to_string(), updated_at.clone()]);
    let target = flavor.quoted(relation);
    if session.connection.relation_kind(relation)?.is_none() {
        session.run(&format!(
            "create table {target} as (\n    select *,\n        {scd_id} as dbt_scd_id,\n        {updated_at} as dbt_updated_at,\n        {updated_at} as dbt_valid_from,\n        nullif({updated_at}, {updated_at}) as dbt_valid_to\n    from (\n{source}\n    ) sbq\n)"
        ))?;
        session.changed(relation, Some(RelationKind::Table));
        let rows = count_rows(session, flavor, relation);
        return Ok(Built {
            rows,
            response: flavor.response(BuildResponse::SnapshotCreate, rows.unwrap_or(0)),
            ..Built::default()
        });
    }
    // Columns of the source query, to compare and to insert by name.
    let probe = session.connection.query(
        &format!("select * from (\n{source}\n) sbq limit 0"),
        Some(0),
    )?;
    let source_columns = probe.column_names;
    let changed = match strategy {
        SnapshotStrategy::Timestamp { updated_at } => {
            format!("snapshotted_data.dbt_valid_from < source_data.{updated_at}")
        }
        SnapshotStrategy::Check { columns } => {
            let checked: Vec<String> = match columns {
                Some(columns) => columns.clone(),
                None => source_columns
                    .iter()
                    .map(|name| flavor.quote(name))
                    .collect(),
            };
            checked
                .iter()
                .map(|column| {
                    format!("(snapshotted_data.{column} != source_data.{column} or (snapshotted_data.{column} is null) != (source_data.{column} is null))")
                })
                .collect::<Vec<_>>()
                .join(" or ")
        }
    };
    let changed = if changed.is_empty() {
        "false".to_string()
    } else {
        changed
    };
    let staging = flavor.temporary_table(&suffixed(
        flavor,
        &relation.identifier,
        "__dbt_snapshot_staging",
    ));
    let listed = source_columns
        .iter()
        .map(|name| flavor.quote(name))
        .collect::<Vec<_>>()
        .join(", ");
    let mut staging_sql = String::new();
    let _ = write!(
        staging_sql,
        "create temporary table {staging} as (\n\
         with snapshot_query as (\n{source}\n),\n\
         snapshotted_data as (select *, {unique_key} as dbt_unique_key from {target} where dbt_valid_to is null),\n\
         source_data as (select *, {unique_key} as dbt_unique_key, {updated_at} as dbt_updated_at, {updated_at} as dbt_valid_from, {scd_id} as dbt_scd_id from snapshot_query),\n\
         insertions as (\n    select 'insert' as dbt_change_type, source_data.*, cast(null as {string}) as dbt_replaced_scd_id\n    from source_data left outer join snapshotted_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key\n    where snapshotted_data.dbt_unique_key is null or ({changed})\n),\n\
         updates as (\n    select 'update' as dbt_change_type, source_data.*, snapshotted_data.dbt_scd_id as dbt_replaced_scd_id\n    from source_data join snapshotted_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key\n    where ({changed})\n)",
        string = flavor.string_type(),
    );
    if invalidate_hard_deletes {
        let _ = write!(
            staging_sql,
            ",\ndeletes as (\n    select 'delete' as dbt_change_type, source_data.*, snapshotted_data.dbt_scd_id as dbt_replaced_scd_id\n    from snapshotted_data left join source_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key\n    where source_data.dbt_unique_key is null\n)"
        );
    }
    let _ = write!(
        staging_sql,
        "\nselect * from insertions union all select * from updates{}\n)",
        if invalidate_hard_deletes {
            " union all select * from deletes"
        } else {
            ""
        }
    );
    session.run(&format!("drop table if exists {staging}"))?;
    session.run(&staging_sql)?;
    session.run(&format!(
        "update {target} set dbt_valid_to = case when DBT_INTERNAL_SOURCE.dbt_change_type = 'delete' then {now} else DBT_INTERNAL_SOURCE.dbt_valid_from end\n\
         from {staging} as DBT_INTERNAL_SOURCE\n\
         where DBT_INTERNAL_SOURCE.dbt_replaced_scd_id = {target}.dbt_scd_id\n\
         and DBT_INTERNAL_SOURCE.dbt_change_type in ('update', 'delete')\n\
         and {target}.dbt_valid_to is null"
    ))?;
    let inserted = session
        .connection
        .query(
            &format!("select count(*) from {staging} where dbt_change_type = 'insert'"),
            Some(1),
        )
        .ok()
        .and_then(|table| table.rows.first()?.first()?.as_u64());
    session.run(&format!(
        "insert into {target} ({listed}, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)\n\
         select {listed}, dbt_scd_id, dbt_updated_at, dbt_valid_from, nullif(dbt_valid_from, dbt_valid_from)\n\
         from {staging} where dbt_change_type = 'insert'"
    ))?;
    session.run(&format!("drop table if exists {staging}"))?;
    Ok(Built {
        rows: inserted,
        response: flavor.response(BuildResponse::SnapshotInsert, inserted.unwrap_or(0)),
        kept_relation: true,
        ..Built::default()
    })
}

fn run_test(
    session: &mut Session<'_>,
    sql: &str,
    fail_calc: &str,
    warn_if: &str,
    error_if: &str,
    limit: Option<u64>,
    severity_error: bool,
) -> Result<Built, AdapterError> {
    let limit = limit
        .map(|limit| format!("\nlimit {limit}"))
        .unwrap_or_default();
    let query = format!(
        "select\n    {fail_calc} as failures,\n    {fail_calc} {warn_if} as should_warn,\n    {fail_calc} {error_if} as should_error\nfrom (\n{}{limit}\n) dbt_internal_test",
        strip_statement(sql)
    );
    session.executed.push(query.clone());
    let table = session.connection.query(&query, Some(1))?;
    let row = table.rows.first();
    let cell = |index: usize| row.and_then(|row| row.get(index));
    let failures = cell(0).and_then(|value| {
        value
            .as_u64()
            .or_else(|| value.as_f64().map(|value| value as u64))
    });
    let should_warn = cell(1)
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let should_error = cell(2)
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
        && severity_error;
    Ok(Built {
        failures,
        should_warn,
        should_error,
        ..Built::default()
    })
}
