//! The DuckDB adapter: an embedded database file (or `:memory:`), one
//! connection per worker thread, all cloned from the first so they share the
//! database and see each other's commits.

use super::{lowercase_in, sql_string, Adapter, AdapterError, Connection, SqlFlavor};
use duckdb::arrow::array::{Array, ArrayRef};
use duckdb::arrow::datatypes::DataType;
use duckdb::arrow::util::display::{ArrayFormatter, FormatOptions};
use fusion_frontend::runtime::{QueryTable, RelationKind, RelationRef, WarehouseColumn};
use rustc_hash::FxHashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Which relations exist, by lower-cased database, schema and name: one
/// information_schema query answers every lookup of a run instead of one
/// query per lookup (each costs milliseconds once a database holds a few
/// thousand relations). Shared by the adapter's connections; kept true by
/// [`Connection::relation_changed`] and dropped by
/// [`Connection::catalog_unknown`].
#[derive(Default)]
struct CatalogCache {
    loaded: bool,
    relations: FxHashMap<(String, String, String), RelationKind>,
}

fn catalog_key(database: &str, schema: &str, identifier: &str) -> (String, String, String) {
    (
        database.to_lowercase(),
        schema.to_lowercase(),
        identifier.to_lowercase(),
    )
}

/// What a profile's DuckDB target asks of every connection besides its path:
/// `extensions` to load and `settings` to set (dbt-duckdb's keys).
#[derive(Clone, Debug, Default)]
pub struct DuckDbSessionOptions {
    pub extensions: Vec<String>,
    /// Name and value; strings are quoted, numbers and booleans are not.
    pub settings: Vec<(String, serde_json::Value)>,
}

impl DuckDbSessionOptions {
    /// Reads `extensions:` and `settings:` from a target's other keys.
    pub fn from_target(extra: &serde_json::Map<String, serde_json::Value>) -> DuckDbSessionOptions {
        let extensions = match extra.get("extensions") {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|item| match item {
                    serde_json::Value::String(name) => Some(name.clone()),
                    // `{name: httpfs, repo: ...}`
                    serde_json::Value::Object(object) => object
                        .get("name")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let settings = match extra.get("settings") {
            Some(serde_json::Value::Object(object)) => object
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
            _ => Vec::new(),
        };
        DuckDbSessionOptions {
            extensions,
            settings,
        }
    }

    /// The statements that prepare one connection.
    fn statements(&self) -> Vec<String> {
        let mut statements: Vec<String> = self
            .extensions
            .iter()
            .map(|extension| format!("load {}", DuckDbFlavor.quote(extension)))
            .collect();
        for (name, value) in &self.settings {
            let value = match value {
                serde_json::Value::String(text) => sql_string(text),
                serde_json::Value::Bool(flag) => flag.to_string(),
                serde_json::Value::Number(number) => number.to_string(),
                other => sql_string(&other.to_string()),
            };
            statements.push(format!("set {} = {value}", DuckDbFlavor.quote(name)));
        }
        statements
    }
}

/// An open DuckDB database.
pub struct DuckDbAdapter {
    /// The first connection; every worker's connection is a clone of it.
    root: Mutex<duckdb::Connection>,
    interrupts: Mutex<Vec<Arc<duckdb::InterruptHandle>>>,
    catalog: Arc<Mutex<CatalogCache>>,
    /// Run on every new connection.
    session_statements: Vec<String>,
    flavor: DuckDbFlavor,
}

impl DuckDbAdapter {
    /// Opens (creating when absent) the database file `path`, or an
    /// in-memory database for `:memory:`. A relative path is relative to the
    /// working directory, as dbt-duckdb resolves it.
    pub fn open(path: &str) -> Result<DuckDbAdapter, AdapterError> {
        DuckDbAdapter::open_with(path, &DuckDbSessionOptions::default())
    }

    /// Opens the database and prepares it as the profile asks: extensions
    /// loaded (installed first when they are not yet), settings set.
    pub fn open_with(
        path: &str,
        options: &DuckDbSessionOptions,
    ) -> Result<DuckDbAdapter, AdapterError> {
        let connection = if path == ":memory:" || path.is_empty() {
            duckdb::Connection::open_in_memory()
        } else {
            if let Some(parent) = Path::new(path).parent() {
                if !parent.as_os_str().is_empty() && !parent.is_dir() {
                    return Err(AdapterError::new(format!(
                        "cannot open the DuckDB database `{path}`: the folder `{}` does not exist",
                        parent.display()
                    )));
                }
            }
            duckdb::Connection::open(path)
        };
        let connection = connection.map_err(|error| {
            let message = error.to_string();
            let busy = message.contains("Could not set lock") || message.contains("Conflicting lock");
            let hint = if busy {
                " (another process holds the database open, and DuckDB lets one process write at a time: wait for it to finish, run again with --wait to wait for it, or point the profile's `path` elsewhere)".to_string()
            } else if message.contains("version number") {
                format!(
                    " (the file was written by a DuckDB release whose storage this one, DuckDB {}, cannot read)",
                    linked_duckdb_version()
                )
            } else if message.contains("Corrupt database file") || message.contains("not a valid DuckDB database") {
                " (the file is damaged, or is not a DuckDB database)".to_string()
            } else {
                String::new()
            };
            AdapterError {
                busy,
                ..AdapterError::new(format!(
                    "cannot open the DuckDB database `{path}`: {message}{hint}"
                ))
            }
        })?;
        for extension in &options.extensions {
            let quoted = DuckDbFlavor.quote(extension);
            let loaded = connection
                .execute_batch(&format!("load {quoted}"))
                .or_else(|_| connection.execute_batch(&format!("install {quoted}; load {quoted}")));
            if let Err(error) = loaded {
                return Err(AdapterError::new(format!(
                    "cannot load the DuckDB extension `{extension}` the profile names: {error}"
                )));
            }
        }
        let session_statements = options.statements();
        for statement in &session_statements {
            connection.execute_batch(statement).map_err(|error| {
                AdapterError::new(format!(
                    "the profile's DuckDB settings failed (`{statement}`): {error}"
                ))
            })?;
        }
        let handle = connection.interrupt_handle();
        Ok(DuckDbAdapter {
            root: Mutex::new(connection),
            interrupts: Mutex::new(vec![handle]),
            catalog: Arc::new(Mutex::new(CatalogCache::default())),
            session_statements,
            flavor: DuckDbFlavor,
        })
    }
}

fn warehouse_error(error: duckdb::Error) -> AdapterError {
    let message = error.to_string();
    AdapterError {
        interrupted: message.contains("INTERRUPT") || message.contains("Interrupted"),
        busy: false,
        message,
    }
}

impl Adapter for DuckDbAdapter {
    fn adapter_type(&self) -> &'static str {
        "duckdb"
    }

    fn connect(&self) -> Result<Box<dyn Connection>, AdapterError> {
        let root = self
            .root
            .lock()
            .map_err(|_| AdapterError::new("the DuckDB connection was poisoned by a crash"))?;
        let connection = root.try_clone().map_err(warehouse_error)?;
        for statement in &self.session_statements {
            connection
                .execute_batch(statement)
                .map_err(warehouse_error)?;
        }
        if let Ok(mut interrupts) = self.interrupts.lock() {
            interrupts.push(connection.interrupt_handle());
        }
        Ok(Box::new(DuckDbConnection {
            table_sizes: None,
            connection,
            catalog: self.catalog.clone(),
        }))
    }

    fn exclusive_writer(&self) -> bool {
        true
    }

    fn interrupt_all(&self) {
        if let Ok(interrupts) = self.interrupts.lock() {
            for handle in interrupts.iter() {
                handle.interrupt();
            }
        }
    }

    fn flavor(&self) -> &dyn SqlFlavor {
        &self.flavor
    }
}

struct DuckDbConnection {
    connection: duckdb::Connection,
    catalog: Arc<Mutex<CatalogCache>>,
    /// DuckDB's estimated row count of every table, read once on the first
    /// data marker asked (a state-aware run asks for hundreds at a time).
    table_sizes: Option<FxHashMap<(String, String, String), u64>>,
}

impl DuckDbConnection {
    /// Whether the relation exists and is small enough to fingerprint (see
    /// `data_marker`): a table above `FINGERPRINT_ROW_LIMIT` rows by
    /// DuckDB's estimate is not.
    fn fingerprintable(&mut self, relation: &RelationRef) -> bool {
        let Ok(Some(kind)) = self.relation_kind(relation) else {
            return false;
        };
        if kind != RelationKind::Table {
            return true;
        }
        if self.table_sizes.is_none() {
            let Ok(sizes) = self.query(
                "select database_name, schema_name, table_name, estimated_size from duckdb_tables()",
                None,
            ) else {
                return false;
            };
            let text = |row: &[serde_json::Value], index: usize| {
                row.get(index)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            self.table_sizes = Some(
                sizes
                    .rows
                    .iter()
                    .map(|row| {
                        (
                            catalog_key(&text(row, 0), &text(row, 1), &text(row, 2)),
                            row.get(3).and_then(serde_json::Value::as_u64).unwrap_or(0),
                        )
                    })
                    .collect(),
            );
        }
        let key = catalog_key(
            relation.database.as_deref().unwrap_or_default(),
            relation.schema.as_deref().unwrap_or_default(),
            &relation.identifier,
        );
        // Unknown sizes (a relation named without its database) are
        // fingerprinted: the bound only spares scans known to be long.
        let estimated = self
            .table_sizes
            .as_ref()
            .and_then(|sizes| sizes.get(&key).copied())
            .unwrap_or(0);
        estimated <= super::FINGERPRINT_ROW_LIMIT
    }

    fn catalog(&self) -> std::sync::MutexGuard<'_, CatalogCache> {
        self.catalog
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// The kind of a relation, asked of the warehouse.
    fn query_relation_kind(
        &mut self,
        relation: &RelationRef,
    ) -> Result<Option<RelationKind>, AdapterError> {
        let sql = format!(
            "select table_type from information_schema.tables where {}",
            self.relation_filter(relation, "table")
        );
        let table = self.query(&sql, Some(1))?;
        Ok(table.rows.first().map(|row| kind_of(row.first())))
    }

    /// Reads every relation of the database into the cache.
    fn load_catalog(&mut self) -> Result<(), AdapterError> {
        let table = self.query(
            "select table_catalog, table_schema, table_name, table_type from information_schema.tables",
            None,
        )?;
        let mut cache = self.catalog();
        cache.relations.clear();
        for row in &table.rows {
            let text = |index: usize| {
                row.get(index)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
            };
            cache
                .relations
                .insert(catalog_key(text(0), text(1), text(2)), kind_of(row.get(3)));
        }
        cache.loaded = true;
        Ok(())
    }

    /// The catalog, schema and name conditions of an information_schema
    /// query for `relation` (DuckDB compares identifiers without case).
    fn relation_filter(&self, relation: &RelationRef, prefix: &str) -> String {
        let mut conditions = vec![format!(
            "lower({prefix}_name) = lower({})",
            sql_string(&relation.identifier)
        )];
        if let Some(schema) = &relation.schema {
            conditions.push(format!(
                "lower(table_schema) = lower({})",
                sql_string(schema)
            ));
        }
        if let Some(database) = &relation.database {
            conditions.push(format!(
                "lower(table_catalog) = lower({})",
                sql_string(database)
            ));
        }
        conditions.join(" and ")
    }
}

impl Connection for DuckDbConnection {
    fn execute(&mut self, sql: &str) -> Result<(), AdapterError> {
        self.connection.execute_batch(sql).map_err(warehouse_error)
    }

    fn query(&mut self, sql: &str, limit: Option<usize>) -> Result<QueryTable, AdapterError> {
        let mut statement = self.connection.prepare(sql).map_err(warehouse_error)?;
        let batches = statement.query_arrow([]).map_err(warehouse_error)?;
        let schema = batches.get_schema();
        let mut table = QueryTable {
            column_names: schema
                .fields()
                .iter()
                .map(|field| field.name().clone())
                .collect(),
            column_types: schema
                .fields()
                .iter()
                .map(|field| duckdb_type_name(field.data_type()))
                .collect(),
            rows: Vec::new(),
        };
        let options = FormatOptions::default().with_null("");
        'batches: for batch in batches {
            let columns: Vec<ArrayRef> = batch.columns().iter().map(without_time_zone).collect();
            let formatters: Vec<ArrayFormatter<'_>> = columns
                .iter()
                .map(|column| ArrayFormatter::try_new(column.as_ref(), &options))
                .collect::<Result<_, _>>()
                .map_err(|error| AdapterError::new(error.to_string()))?;
            for row in 0..batch.num_rows() {
                if limit.is_some_and(|limit| table.rows.len() >= limit) {
                    break 'batches;
                }
                let values = columns
                    .iter()
                    .zip(batch.columns())
                    .zip(&formatters)
                    .map(|((column, original), formatter)| {
                        let mut text = formatter.value(row).to_string();
                        let zoned = matches!(original.data_type(), DataType::Timestamp(_, Some(_)));
                        if zoned && !column.is_null(row) {
                            text.push_str("+00");
                        }
                        json_value(column.as_ref(), row, &text)
                    })
                    .collect();
                table.rows.push(values);
            }
        }
        Ok(table)
    }

    fn relation_kind(
        &mut self,
        relation: &RelationRef,
    ) -> Result<Option<RelationKind>, AdapterError> {
        let (Some(database), Some(schema)) = (&relation.database, &relation.schema) else {
            return self.query_relation_kind(relation);
        };
        let key = catalog_key(database, schema, &relation.identifier);
        if !self.catalog().loaded {
            self.load_catalog()?;
        }
        Ok(self.catalog().relations.get(&key).copied())
    }

    fn relation_changed(&mut self, relation: &RelationRef, kind: Option<RelationKind>) {
        let (Some(database), Some(schema)) = (&relation.database, &relation.schema) else {
            return;
        };
        let key = catalog_key(database, schema, &relation.identifier);
        let mut cache = self.catalog();
        if !cache.loaded {
            return;
        }
        match kind {
            Some(kind) => cache.relations.insert(key, kind),
            None => cache.relations.remove(&key),
        };
    }

    fn catalog_unknown(&mut self) {
        let mut cache = self.catalog();
        cache.loaded = false;
        cache.relations.clear();
    }

    /// DuckDB keeps no modification time or change counter, so the marker
    /// is a fingerprint of the rows: their count and the sum of their
    /// hashes, which any insert, update or delete moves (a scan DuckDB does
    /// at memory speed). Tables larger than [`super::FINGERPRINT_ROW_LIMIT`] rows
    /// by DuckDB's estimate get no marker, and count as changed: a scan
    /// that long would cost more than the rebuild it might save.
    fn data_marker(&mut self, relation: &RelationRef) -> Result<Option<String>, AdapterError> {
        if !self.fingerprintable(relation) {
            return Ok(None);
        }
        let fingerprint = self.query(
            &format!(
                "select count(*)::varchar || ':' || coalesce(sum(hash(fingerprinted))::varchar, '') \
                 from {} as fingerprinted",
                DuckDbFlavor.quoted(relation)
            ),
            None,
        )?;
        Ok(fingerprint
            .rows
            .first()
            .and_then(|row| row.first())
            .and_then(serde_json::Value::as_str)
            .map(|marker| format!("rows:{marker}")))
    }

    /// The fingerprints of many relations in one query per hundred (each
    /// query costs DuckDB a parse and a plan); a query that fails (a view
    /// that cannot be read) falls back to one relation at a time.
    fn data_markers(&mut self, relations: &[RelationRef]) -> Vec<Option<String>> {
        let mut markers: Vec<Option<String>> = vec![None; relations.len()];
        let candidates: Vec<usize> = (0..relations.len())
            .filter(|&index| self.fingerprintable(&relations[index]))
            .collect();
        for chunk in candidates.chunks(100) {
            let parts: Vec<String> = chunk
                .iter()
                .map(|&index| {
                    format!(
                        "select {index} as position, count(*)::varchar || ':' || coalesce(sum(hash(fingerprinted))::varchar, '') as marker \
                         from {} as fingerprinted",
                        DuckDbFlavor.quoted(&relations[index])
                    )
                })
                .collect();
            match self.query(&parts.join(" union all "), None) {
                Ok(table) => {
                    for row in &table.rows {
                        let position = row.first().and_then(serde_json::Value::as_u64);
                        let marker = row.get(1).and_then(serde_json::Value::as_str);
                        if let (Some(position), Some(marker)) = (position, marker) {
                            if let Some(slot) = markers.get_mut(position as usize) {
                                *slot = Some(format!("rows:{marker}"));
                            }
                        }
                    }
                }
                Err(_) => {
                    for &index in chunk {
                        markers[index] = self.data_marker(&relations[index]).ok().flatten();
                    }
                }
            }
        }
        markers
    }

    fn columns(&mut self, relation: &RelationRef) -> Result<Vec<WarehouseColumn>, AdapterError> {
        let sql = format!(
            "select column_name, data_type from information_schema.columns where {} order by ordinal_position",
            self.relation_filter(relation, "table")
        );
        let table = self.query(&sql, None)?;
        Ok(table
            .rows
            .iter()
            .map(|row| WarehouseColumn {
                name: row
                    .first()
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                data_type: row
                    .get(1)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect())
    }

    fn load_csv(
        &mut self,
        relation: &RelationRef,
        columns: &[(String, String)],
        path: &Path,
    ) -> Result<u64, AdapterError> {
        let column_spec = columns
            .iter()
            .map(|(name, data_type)| format!("{}: {}", sql_string(name), sql_string(data_type)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "insert into {} select * from read_csv({}, header = true, auto_detect = false, quote = '\"', escape = '\"', columns = {{{column_spec}}})",
            DuckDbFlavor.quoted(relation),
            sql_string(&path.display().to_string()),
        );
        self.connection
            .execute(&sql, [])
            .map(|rows| rows as u64)
            .map_err(warehouse_error)
    }
}

/// Timestamps with a time zone, as the same instants without one (UTC):
/// arrow formats named time zones only with its `chrono-tz` feature, and
/// DuckDB names the session's zone (`Etc/UTC`).
fn without_time_zone(column: &ArrayRef) -> ArrayRef {
    use duckdb::arrow::array::AsArray;
    use duckdb::arrow::datatypes::{
        TimeUnit, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    match column.data_type() {
        DataType::Timestamp(unit, Some(_)) => match unit {
            TimeUnit::Second => Arc::new(
                column
                    .as_primitive::<TimestampSecondType>()
                    .clone()
                    .with_timezone_opt(None::<String>),
            ),
            TimeUnit::Millisecond => Arc::new(
                column
                    .as_primitive::<TimestampMillisecondType>()
                    .clone()
                    .with_timezone_opt(None::<String>),
            ),
            TimeUnit::Microsecond => Arc::new(
                column
                    .as_primitive::<TimestampMicrosecondType>()
                    .clone()
                    .with_timezone_opt(None::<String>),
            ),
            TimeUnit::Nanosecond => Arc::new(
                column
                    .as_primitive::<TimestampNanosecondType>()
                    .clone()
                    .with_timezone_opt(None::<String>),
            ),
        },
        _ => column.clone(),
    }
}

fn kind_of(table_type: Option<&serde_json::Value>) -> RelationKind {
    match table_type.and_then(serde_json::Value::as_str) {
        Some("VIEW") => RelationKind::View,
        _ => RelationKind::Table,
    }
}

/// A cell as JSON: numbers and booleans keep their kind, the rest is the
/// text DuckDB would print.
fn json_value(column: &dyn Array, row: usize, text: &str) -> serde_json::Value {
    if column.is_null(row) {
        return serde_json::Value::Null;
    }
    match column.data_type() {
        DataType::Boolean => serde_json::Value::Bool(text == "true"),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => text
            .parse::<i64>()
            .map(serde_json::Value::from)
            .or_else(|_| text.parse::<u64>().map(serde_json::Value::from))
            .unwrap_or_else(|_| serde_json::Value::String(text.to_string())),
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(serde_json::Value::Number)
            .unwrap_or_else(|| serde_json::Value::String(text.to_string())),
        _ => serde_json::Value::String(text.to_string()),
    }
}

/// DuckDB's name for the type of a result column.
fn duckdb_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Int8 => "TINYINT".into(),
        DataType::Int16 => "SMALLINT".into(),
        DataType::Int32 => "INTEGER".into(),
        DataType::Int64 => "BIGINT".into(),
        DataType::UInt8 => "UTINYINT".into(),
        DataType::UInt16 => "USMALLINT".into(),
        DataType::UInt32 => "UINTEGER".into(),
        DataType::UInt64 => "UBIGINT".into(),
        DataType::Float16 | DataType::Float32 => "FLOAT".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Decimal128(precision, scale) | DataType::Decimal256(precision, scale) => {
            format!("DECIMAL({precision},{scale})")
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "BLOB".into(),
        DataType::Date32 | DataType::Date64 => "DATE".into(),
        DataType::Time32(_) | DataType::Time64(_) => "TIME".into(),
        DataType::Timestamp(_, Some(_)) => "TIMESTAMP WITH TIME ZONE".into(),
        DataType::Timestamp(_, None) => "TIMESTAMP".into(),
        DataType::Interval(_) | DataType::Duration(_) => "INTERVAL".into(),
        DataType::List(field) | DataType::LargeList(field) => {
            format!("{}[]", duckdb_type_name(field.data_type()))
        }
        DataType::Struct(_) => "STRUCT".into(),
        DataType::Map(..) => "MAP".into(),
        other => other.to_string(),
    }
}

/// DuckDB's spelling of a run's DDL.
pub struct DuckDbFlavor;

impl SqlFlavor for DuckDbFlavor {
    fn quoted(&self, relation: &RelationRef) -> String {
        let mut parts = Vec::new();
        if let Some(database) = &relation.database {
            parts.push(self.quote(database));
        }
        if let Some(schema) = &relation.schema {
            parts.push(self.quote(schema));
        }
        parts.push(self.quote(&relation.identifier));
        parts.join(".")
    }

    fn quote(&self, identifier: &str) -> String {
        format!("\"{}\"", identifier.replace('"', "\"\""))
    }

    fn create_schema(&self, database: Option<&str>, schema: &str) -> String {
        match database {
            Some(database) => format!(
                "create schema if not exists {}.{}",
                self.quote(database),
                self.quote(schema)
            ),
            None => format!("create schema if not exists {}", self.quote(schema)),
        }
    }

    fn rename(&self, from: &RelationRef, kind: RelationKind, to: &str) -> String {
        let keyword = match kind {
            RelationKind::Table => "table",
            RelationKind::View => "view",
        };
        format!(
            "alter {keyword} {} rename to {}",
            self.quoted(from),
            self.quote(to)
        )
    }

    fn current_timestamp(&self) -> &'static str {
        // dbt-duckdb records snapshot times as TIMESTAMP (local time).
        "cast(now() as timestamp)"
    }

    fn hash(&self, expression: &str) -> String {
        format!("md5({expression})")
    }

    fn string_type(&self) -> &'static str {
        "varchar"
    }

    /// dbt-duckdb's catalog: `duckdb_tables()` and `duckdb_views()` with
    /// the columns of `duckdb_columns()`, types as DuckDB spells them; no
    /// owner.
    fn catalog_query(&self, database: &str, schemas: &[String]) -> Option<String> {
        let database = sql_string(database);
        Some(format!(
            "with relations as (\n\
             \x20 select database_name, schema_name, table_name, 'BASE TABLE' as table_type, comment from duckdb_tables()\n\
             \x20 union all\n\
             \x20 select database_name, schema_name, view_name, 'VIEW', comment from duckdb_views() where not internal\n\
             )\n\
             select r.database_name as table_database, r.schema_name as table_schema, r.table_name,\n\
             \x20 r.table_type, r.comment as table_comment, c.column_name, c.column_index,\n\
             \x20 c.data_type as column_type, c.comment as column_comment, null as table_owner\n\
             from relations r\n\
             join duckdb_columns() c on c.database_name = r.database_name and c.schema_name = r.schema_name and c.table_name = r.table_name\n\
             where lower(r.database_name) = lower({database}) and {}\n\
             order by r.schema_name, r.table_name, c.column_index",
            lowercase_in("r.schema_name", schemas),
        ))
    }
}

/// The version of the DuckDB library fusionc runs (`v2.0.1`), for messages.
fn linked_duckdb_version() -> String {
    duckdb::Connection::open_in_memory()
        .and_then(|connection| {
            connection.query_row("select version()", [], |row| row.get::<_, String>(0))
        })
        .unwrap_or_else(|_| "of this build".to_string())
}
