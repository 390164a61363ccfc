//! The Postgres adapter: a server reached over its wire protocol through the
//! `postgres` crate (TLS through native-tls), one connection per worker
//! thread. Ctrl-C sends each connection's cancel request, so the server
//! stops what it runs and the node's transaction rolls back.
//!
//! The profile's keys are dbt-postgres's (`host`, `port`, `user`,
//! `password`, `dbname`, `schema`, `connect_timeout`, `keepalives_idle`,
//! `search_path`, `role`, `sslmode`, `sslcert`, `sslkey`, `sslrootcert`,
//! `retries`, `application_name`); [`PostgresSettings::from_target`] reads them, and a bad one is
//! a [`ProfileProblem`] before any connection is tried. The password is
//! only ever handed to the client library: no message of this module
//! contains it.

use super::{
    lowercase_in, sql_string, Adapter, AdapterError, BuildResponse, Connection, IndexConfig,
    MaterializedViews, SqlFlavor,
};
use fusion_frontend::profiles::Target;
use fusion_frontend::runtime::{QueryTable, RelationKind, RelationRef, WarehouseColumn};
use postgres::error::SqlState;
use postgres::{CancelToken, Client, SimpleQueryMessage};
use postgres_native_tls::MakeTlsConnector;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// libpq's `sslmode`, as dbt-postgres passes it on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslSetting {
    Disable,
    /// `allow` and `prefer`: TLS when the server offers it, unverified.
    Prefer,
    /// TLS, unverified (verified against `sslrootcert` when one is given,
    /// as libpq does).
    Require,
    /// TLS, the certificate checked against the root certificate.
    VerifyCa,
    /// TLS, the certificate and the host name checked.
    VerifyFull,
}

impl SslSetting {
    /// libpq's name of the mode.
    pub fn name(self) -> &'static str {
        match self {
            SslSetting::Disable => "disable",
            SslSetting::Prefer => "prefer",
            SslSetting::Require => "require",
            SslSetting::VerifyCa => "verify-ca",
            SslSetting::VerifyFull => "verify-full",
        }
    }
}

/// A Postgres target's connection settings, read from the profile.
#[derive(Clone)]
pub struct PostgresSettings {
    pub host: String,
    pub port: u16,
    pub user: String,
    /// Never printed; `Debug` is not derived for that reason.
    password: Option<String>,
    pub database: String,
    pub connect_timeout: u64,
    pub keepalives_idle: u64,
    pub search_path: Option<String>,
    pub role: Option<String>,
    pub sslmode: SslSetting,
    pub sslcert: Option<PathBuf>,
    pub sslkey: Option<PathBuf>,
    pub sslrootcert: Option<PathBuf>,
    /// Further attempts when the server cannot be reached.
    pub retries: u32,
    /// What the server's activity views show the session as.
    pub application_name: String,
}

/// A profile key of a Postgres target that is missing or cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileProblem {
    pub key: &'static str,
    pub message: String,
}

impl PostgresSettings {
    /// Reads the target's dbt-postgres keys. `host`, `user` and `dbname`
    /// (or `database`) are required, as dbt-postgres requires them; the
    /// password may be absent (trust or peer authentication).
    pub fn from_target(target: &Target) -> Result<PostgresSettings, ProfileProblem> {
        let extra = &target.extra;
        let text = |key: &str| -> Option<String> {
            extra.get(key).and_then(|value| match value {
                Value::Null => None,
                Value::String(text) => Some(text.clone()),
                other => Some(other.to_string()),
            })
        };
        let required = |key: &'static str| -> Result<String, ProfileProblem> {
            text(key)
                .filter(|value| !value.is_empty())
                .ok_or_else(|| ProfileProblem {
                    key,
                    message: format!("the target has no `{key}`, which dbt-postgres requires"),
                })
        };
        let number = |key: &'static str, default: u64| -> Result<u64, ProfileProblem> {
            match text(key) {
                None => Ok(default),
                Some(value) => value.trim().parse::<u64>().map_err(|_| ProfileProblem {
                    key,
                    message: format!(
                        "`{key}` must be a whole number of seconds or times, found `{value}`"
                    ),
                }),
            }
        };
        let host = required("host")?;
        let user = required("user")?;
        if target.database.is_empty() {
            return Err(ProfileProblem {
                key: "dbname",
                message: "the target has no `dbname` (or `database`), which dbt-postgres requires"
                    .to_string(),
            });
        }
        let port = match text("port") {
            None => 5432,
            Some(value) => value
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| ProfileProblem {
                    key: "port",
                    message: format!("`port` must be a number from 1 to 65535, found `{value}`"),
                })?,
        };
        let sslmode = match text("sslmode").as_deref().map(str::to_ascii_lowercase) {
            None => SslSetting::Prefer,
            Some(mode) => match mode.as_str() {
                "disable" => SslSetting::Disable,
                "allow" | "prefer" => SslSetting::Prefer,
                "require" => SslSetting::Require,
                "verify-ca" => SslSetting::VerifyCa,
                "verify-full" => SslSetting::VerifyFull,
                other => {
                    return Err(ProfileProblem {
                        key: "sslmode",
                        message: format!(
                            "`sslmode` is `{other}`: it must be disable, allow, prefer, require, verify-ca or verify-full"
                        ),
                    })
                }
            },
        };
        let file = |key: &'static str| -> Result<Option<PathBuf>, ProfileProblem> {
            match text(key) {
                None => Ok(None),
                Some(path) if Path::new(&path).is_file() => Ok(Some(PathBuf::from(path))),
                Some(path) => Err(ProfileProblem {
                    key,
                    message: format!("`{key}` names `{path}`, which is not a readable file"),
                }),
            }
        };
        let settings = PostgresSettings {
            host,
            port,
            user,
            password: text("password").or_else(|| text("pass")),
            database: target.database.clone(),
            connect_timeout: number("connect_timeout", 10)?,
            keepalives_idle: number("keepalives_idle", 0)?,
            search_path: text("search_path").filter(|path| !path.is_empty()),
            role: text("role").filter(|role| !role.is_empty()),
            sslmode,
            sslcert: file("sslcert")?,
            sslkey: file("sslkey")?,
            sslrootcert: file("sslrootcert")?,
            retries: u32::try_from(number("retries", 1)?).unwrap_or(u32::MAX),
            application_name: text("application_name").unwrap_or_else(|| "fusionc".to_string()),
        };
        if settings.sslcert.is_some() != settings.sslkey.is_some() {
            return Err(ProfileProblem {
                key: if settings.sslcert.is_some() {
                    "sslkey"
                } else {
                    "sslcert"
                },
                message: "`sslcert` and `sslkey` go together: a client certificate needs its key"
                    .to_string(),
            });
        }
        Ok(settings)
    }

    /// Settings for a server named by a URL of the form
    /// `postgres://user[:password]@host[:port]/database` (tests and tools).
    pub fn from_url(url: &str) -> Result<PostgresSettings, String> {
        let rest = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .ok_or_else(|| format!("`{url}` is not a postgres:// URL"))?;
        let (credentials, location) = rest.rsplit_once('@').unwrap_or(("postgres", rest));
        let (user, password) = match credentials.split_once(':') {
            Some((user, password)) => (user.to_string(), Some(password.to_string())),
            None => (credentials.to_string(), None),
        };
        let (address, database) = location.split_once('/').unwrap_or((location, "postgres"));
        let database = database.split('?').next().unwrap_or_default();
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (
                host.to_string(),
                port.parse::<u16>()
                    .map_err(|_| format!("the port of the URL is `{port}`, not a number"))?,
            ),
            None => (address.to_string(), 5432),
        };
        Ok(PostgresSettings {
            host,
            port,
            user,
            password,
            database: database.to_string(),
            connect_timeout: 5,
            keepalives_idle: 0,
            search_path: None,
            role: None,
            sslmode: SslSetting::Prefer,
            sslcert: None,
            sslkey: None,
            sslrootcert: None,
            retries: 0,
            application_name: "fusionc".to_string(),
        })
    }

    /// The password, for a caller that writes a profile of its own (tests).
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// `host H, port P, database `D``, as fault messages name the server.
    pub fn place(&self) -> String {
        format!(
            "host {}, port {}, database `{}`",
            self.host, self.port, self.database
        )
    }

    /// `host:port/database`, as messages name the server.
    pub fn describe(&self) -> String {
        format!("{}:{}/{}", self.host, self.port, self.database)
    }

    fn tls_connector(&self) -> Result<MakeTlsConnector, String> {
        let mut builder = native_tls::TlsConnector::builder();
        let verify_certificate = match self.sslmode {
            SslSetting::Disable | SslSetting::Prefer => false,
            SslSetting::Require => self.sslrootcert.is_some(),
            SslSetting::VerifyCa | SslSetting::VerifyFull => true,
        };
        builder.danger_accept_invalid_certs(!verify_certificate);
        builder.danger_accept_invalid_hostnames(self.sslmode != SslSetting::VerifyFull);
        if let Some(path) = &self.sslrootcert {
            let pem = std::fs::read(path).map_err(|error| {
                format!("cannot read sslrootcert `{}`: {error}", path.display())
            })?;
            let certificate = native_tls::Certificate::from_pem(&pem).map_err(|error| {
                format!(
                    "sslrootcert `{}` is not a PEM certificate: {error}",
                    path.display()
                )
            })?;
            builder.add_root_certificate(certificate);
        }
        if let (Some(cert), Some(key)) = (&self.sslcert, &self.sslkey) {
            let cert_pem = std::fs::read(cert)
                .map_err(|error| format!("cannot read sslcert `{}`: {error}", cert.display()))?;
            let key_pem = std::fs::read(key)
                .map_err(|error| format!("cannot read sslkey `{}`: {error}", key.display()))?;
            let identity = native_tls::Identity::from_pkcs8(&cert_pem, &key_pem).map_err(|error| {
                format!(
                    "sslcert `{}` and sslkey `{}` do not make a client identity (the key must be PKCS#8 PEM): {error}",
                    cert.display(),
                    key.display()
                )
            })?;
            builder.identity(identity);
        }
        builder
            .build()
            .map(MakeTlsConnector::new)
            .map_err(|error| format!("cannot set up TLS: {error}"))
    }

    fn client_config(&self) -> postgres::Config {
        let mut config = postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .user(&self.user)
            .dbname(&self.database)
            .application_name(&self.application_name)
            .connect_timeout(Duration::from_secs(self.connect_timeout.max(1)))
            .ssl_mode(match self.sslmode {
                SslSetting::Disable => postgres::config::SslMode::Disable,
                SslSetting::Prefer => postgres::config::SslMode::Prefer,
                SslSetting::Require | SslSetting::VerifyCa | SslSetting::VerifyFull => {
                    postgres::config::SslMode::Require
                }
            });
        if let Some(password) = &self.password {
            config.password(password);
        }
        if self.keepalives_idle > 0 {
            config.keepalives_idle(Duration::from_secs(self.keepalives_idle));
        }
        if let Some(search_path) = &self.search_path {
            // As dbt-postgres passes it: a server option of the session.
            config.options(&format!(
                "-c search_path={}",
                search_path.replace('\\', "\\\\").replace(' ', "\\ ")
            ));
        }
        config
    }
}

/// Why a connection could not be opened, sorted so each gets its own code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectFailure {
    /// The server refused the user or its password (SQLSTATE class 28).
    Authentication(String),
    /// The server has no database of that name (3D000).
    UnknownDatabase(String),
    /// No server answered, or the TLS handshake failed.
    Unreachable(String),
    /// The server answered and refused for another reason (a role that
    /// cannot be set, too many connections, ...).
    Refused(String),
}

impl ConnectFailure {
    pub fn message(&self) -> &str {
        match self {
            ConnectFailure::Authentication(message)
            | ConnectFailure::UnknownDatabase(message)
            | ConnectFailure::Unreachable(message)
            | ConnectFailure::Refused(message) => message,
        }
    }
}

/// A Postgres server, and what every connection to it shares.
pub struct PostgresAdapter {
    opener: Arc<Opener>,
    flavor: PostgresFlavor,
}

/// What opens a session with the server: the adapter's, shared with every
/// connection it opened, so that a connection the server ended (a restart,
/// a killed backend) can open a new session in its place.
struct Opener {
    settings: PostgresSettings,
    tls: MakeTlsConnector,
    /// One per session opened, for Ctrl-C.
    cancel_tokens: Mutex<Vec<CancelToken>>,
    /// How many times a session of this adapter was found gone: when it
    /// moves, the server may have ended the others too (a restart), and
    /// each checks that it is still there before its next use.
    sessions_lost: AtomicU64,
}

impl PostgresAdapter {
    /// Prepares the adapter; no connection is opened yet.
    pub fn new(settings: PostgresSettings) -> Result<PostgresAdapter, ConnectFailure> {
        let tls = settings
            .tls_connector()
            .map_err(ConnectFailure::Unreachable)?;
        Ok(PostgresAdapter {
            opener: Arc::new(Opener {
                settings,
                tls,
                cancel_tokens: Mutex::new(Vec::new()),
                sessions_lost: AtomicU64::new(0),
            }),
            flavor: PostgresFlavor,
        })
    }

    pub fn settings(&self) -> &PostgresSettings {
        &self.opener.settings
    }

    /// Opens one connection, sorting a failure by its cause; an unreachable
    /// server is tried again `retries` times, a second apart.
    pub fn open_connection(&self) -> Result<PostgresConnection, ConnectFailure> {
        Ok(PostgresConnection {
            client: self.opener.open_client()?,
            opener: self.opener.clone(),
            last_used: Instant::now(),
            losses_seen: self.opener.sessions_lost.load(Ordering::Relaxed),
        })
    }
}

impl Opener {
    fn open_client(&self) -> Result<Client, ConnectFailure> {
        let config = self.settings.client_config();
        let mut attempt = 0;
        let mut client = loop {
            match config.connect(self.tls.clone()) {
                Ok(client) => break client,
                Err(error) => {
                    let failure = self.connect_failure(&error);
                    if matches!(failure, ConnectFailure::Unreachable(_))
                        && attempt < self.settings.retries
                    {
                        attempt += 1;
                        std::thread::sleep(Duration::from_secs(1));
                        continue;
                    }
                    return Err(failure);
                }
            }
        };
        if let Some(role) = &self.settings.role {
            client
                // Unquoted, as dbt-postgres sends it: the name folds to
                // lower case unless the profile quotes it.
                .batch_execute(&format!("set role {role}"))
                .map_err(|error| {
                    ConnectFailure::Refused(format!(
                        "the Postgres server ({}) refused `set role` to the profile's role `{role}`: {}",
                        self.settings.place(),
                        server_message(&error)
                    ))
                })?;
        }
        if let Ok(mut tokens) = self.cancel_tokens.lock() {
            tokens.push(client.cancel_token());
        }
        Ok(client)
    }

    fn connect_failure(&self, error: &postgres::Error) -> ConnectFailure {
        let settings = &self.settings;
        let place = settings.place();
        match error.as_db_error() {
            Some(db_error) if db_error.code().code().starts_with("28") => {
                ConnectFailure::Authentication(format!(
                    "the Postgres server ({place}) refused user `{}`: {}",
                    settings.user,
                    db_error.message()
                ))
            }
            Some(db_error) if *db_error.code() == SqlState::INVALID_CATALOG_NAME => {
                ConnectFailure::UnknownDatabase(format!(
                    "the Postgres server ({place}) has no database `{}`: {}",
                    settings.database,
                    db_error.message()
                ))
            }
            Some(db_error) => ConnectFailure::Refused(format!(
                "the Postgres server ({place}) refused the connection: {}",
                db_error.message()
            )),
            None => {
                let cause = connection_error_text(error);
                ConnectFailure::Unreachable(if cause.contains("TLS") {
                    format!(
                        "the TLS handshake with the Postgres server ({place}) failed (sslmode {}): {cause}",
                        settings.sslmode.name()
                    )
                } else {
                    format!("no Postgres server answered ({place}): {cause}")
                })
            }
        }
    }
}

/// The cause of a failure to connect, without the library's prefix.
fn connection_error_text(error: &postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The server's message of a failed statement (with its detail and hint),
/// or the library's for a failure that is not the server's.
fn server_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db_error) => {
            let mut message = db_error.message().to_string();
            if let Some(detail) = db_error.detail() {
                message.push_str("\nDETAIL: ");
                message.push_str(detail);
            }
            if let Some(hint) = db_error.hint() {
                message.push_str("\nHINT: ");
                message.push_str(hint);
            }
            message
        }
        None if error.is_closed() => format!(
            "the connection to the server was lost: {}",
            connection_error_text(error)
        ),
        None => connection_error_text(error),
    }
}

fn warehouse_error(error: postgres::Error) -> AdapterError {
    AdapterError {
        interrupted: error.code() == Some(&SqlState::QUERY_CANCELED),
        busy: false,
        message: server_message(&error),
    }
}

/// A failed statement's error, with the line the server points at quoted
/// as libpq quotes it (`LINE 6: ...` and a caret under the character), so
/// the run can map it back into the model file.
fn statement_error(error: postgres::Error, sql: &str) -> AdapterError {
    let position = error
        .as_db_error()
        .and_then(|db_error| match db_error.position() {
            Some(postgres::error::ErrorPosition::Original(position)) => Some(*position as usize),
            _ => None,
        });
    let mut adapter_error = warehouse_error(error);
    if let Some(position) = position {
        if let Some(quoted) = quote_position(sql, position) {
            adapter_error.message.push('\n');
            adapter_error.message.push_str(&quoted);
        }
    }
    adapter_error
}

/// `LINE n: <the line>` and a caret under character `position` (1-based,
/// counted in characters over the whole statement, as the server counts).
fn quote_position(sql: &str, position: usize) -> Option<String> {
    let offset = sql.char_indices().nth(position.checked_sub(1)?)?.0;
    let line_start = sql[..offset].rfind('\n').map_or(0, |index| index + 1);
    let line_end = sql[offset..]
        .find('\n')
        .map_or(sql.len(), |index| offset + index);
    let line_number = sql[..offset].matches('\n').count() + 1;
    let prefix = format!("LINE {line_number}: ");
    let column = sql[line_start..offset].chars().count();
    Some(format!(
        "{prefix}{}\n{}^",
        &sql[line_start..line_end],
        " ".repeat(prefix.len() + column)
    ))
}

impl Adapter for PostgresAdapter {
    fn adapter_type(&self) -> &'static str {
        "postgres"
    }

    fn connect(&self) -> Result<Box<dyn Connection>, AdapterError> {
        self.open_connection()
            .map(|connection| Box::new(connection) as Box<dyn Connection>)
            .map_err(|failure| AdapterError::new(failure.message()))
    }

    fn interrupt_all(&self) {
        let tokens = match self.opener.cancel_tokens.lock() {
            Ok(tokens) => tokens.clone(),
            Err(_) => return,
        };
        for token in tokens {
            // A connection with nothing running ignores the request; one
            // already closed cannot be reached: neither is worth a message.
            let _ = token.cancel_query(self.opener.tls.clone());
        }
    }

    fn flavor(&self) -> &dyn SqlFlavor {
        &self.flavor
    }
}

/// One session with the server.
pub struct PostgresConnection {
    client: Client,
    opener: Arc<Opener>,
    /// When the session last answered: one idle longer than
    /// [`IDLE_BEFORE_CHECK`] is asked whether it is still there before it
    /// is used again.
    last_used: Instant,
    /// The adapter's count of lost sessions when this one last checked.
    losses_seen: u64,
}

/// How long a session may sit unused before [`Connection::reopen_if_lost`]
/// asks the server whether it is still there (one round trip): a server
/// restart ends idle sessions without the client noticing.
const IDLE_BEFORE_CHECK: Duration = Duration::from_secs(1);

/// Whether a failed statement's error says the session is gone (the
/// server ended it, restarted, or the link broke), as opposed to the
/// statement failing in a live session.
fn session_lost(error: &postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    match error.as_db_error() {
        // 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown),
        // 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08,
        // connection exceptions.
        Some(db_error) => {
            let code = db_error.code().code();
            matches!(code, "57P01" | "57P02" | "57P03") || code.starts_with("08")
        }
        // The library's own failure to reach the server over the session.
        None => error
            .to_string()
            .starts_with("error communicating with the server"),
    }
}

/// Postgres's name for a result column's type, as information_schema
/// spells the common ones.
fn type_name(data_type: &postgres::types::Type) -> String {
    match data_type.name() {
        "int2" => "smallint".into(),
        "int4" => "integer".into(),
        "int8" => "bigint".into(),
        "float4" => "real".into(),
        "float8" => "double precision".into(),
        "bool" => "boolean".into(),
        "varchar" => "character varying".into(),
        "bpchar" => "character".into(),
        "timestamp" => "timestamp without time zone".into(),
        "timestamptz" => "timestamp with time zone".into(),
        "time" => "time without time zone".into(),
        "timetz" => "time with time zone".into(),
        other => other.into(),
    }
}

/// A cell of the text protocol as JSON: numbers and booleans keep their
/// kind, the rest is the text Postgres prints.
fn json_value(data_type: Option<&str>, text: Option<&str>) -> Value {
    let Some(text) = text else {
        return Value::Null;
    };
    match data_type {
        Some("smallint" | "integer" | "bigint" | "oid") => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.to_string())),
        Some("real" | "double precision" | "numeric") => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_string())),
        Some("boolean") => Value::Bool(text == "t"),
        _ => Value::String(text.to_string()),
    }
}

impl PostgresConnection {
    /// The rows of a catalog query whose columns are all text, in one
    /// round trip (no prepare: the types are known).
    fn text_rows(&mut self, sql: &str) -> Result<Vec<Vec<String>>, AdapterError> {
        let messages = self
            .client
            .simple_query(sql)
            .map_err(|error| statement_error(error, sql))?;
        Ok(messages
            .into_iter()
            .filter_map(|message| match message {
                SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|index| row.get(index).unwrap_or_default().to_string())
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    }

    /// The conditions on `pg_class c` joined with `pg_namespace n` that
    /// find `relation`: its schema by name (`pg_temp`: this session's
    /// temporary schema), or the first on the search path when it has none.
    fn relation_filter(relation: &RelationRef) -> String {
        let name = sql_string(&relation.identifier);
        match relation.schema.as_deref() {
            Some("pg_temp") => {
                format!("c.relname = {name} and n.oid = pg_catalog.pg_my_temp_schema()")
            }
            Some(schema) => format!("c.relname = {name} and n.nspname = {}", sql_string(schema)),
            None => format!("c.relname = {name} and pg_catalog.pg_table_is_visible(c.oid)"),
        }
    }
}

impl PostgresConnection {
    /// Counts a session found gone, so the adapter's others check theirs.
    fn note_lost(&mut self, error: &postgres::Error) {
        if session_lost(error) {
            self.losses_seen = self.opener.sessions_lost.fetch_add(1, Ordering::Relaxed) + 1;
        }
    }

    /// A new session in place of this one's.
    fn reopen(&mut self) -> Result<(), AdapterError> {
        self.client = self
            .opener
            .open_client()
            .map_err(|failure| AdapterError::new(failure.message()))?;
        self.last_used = Instant::now();
        Ok(())
    }
}

/// Whether `sql` only opens a transaction: nothing has happened in the
/// session when it fails, so it can be sent again on a new one.
fn opens_transaction(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .map(|word| word.trim_end_matches(';').to_ascii_lowercase())
        .collect();
    matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["begin"] | ["begin", "transaction"] | ["begin", "work"] | ["start", "transaction"]
    )
}

impl Connection for PostgresConnection {
    fn execute(&mut self, sql: &str) -> Result<(), AdapterError> {
        let outcome = match self.client.batch_execute(sql) {
            // A session lost before the transaction began (the server
            // restarted, or ended it, since its last statement): the
            // transaction starts on a new one.
            Err(error) if session_lost(&error) && opens_transaction(sql) => {
                self.note_lost(&error);
                self.reopen()?;
                self.client.batch_execute(sql)
            }
            other => other,
        };
        self.last_used = Instant::now();
        outcome.map_err(|error| {
            self.note_lost(&error);
            statement_error(error, sql)
        })
    }

    fn reopen_if_lost(&mut self) -> Result<bool, AdapterError> {
        let suspect = self.last_used.elapsed() > IDLE_BEFORE_CHECK
            || self.opener.sessions_lost.load(Ordering::Relaxed) != self.losses_seen;
        let lost = self.client.is_closed()
            || (suspect && self.client.is_valid(Duration::from_secs(10)).is_err());
        self.losses_seen = self.opener.sessions_lost.load(Ordering::Relaxed);
        if lost {
            self.reopen()?;
        } else {
            self.last_used = Instant::now();
        }
        Ok(lost)
    }

    fn query(&mut self, sql: &str, limit: Option<usize>) -> Result<QueryTable, AdapterError> {
        // The column types come from preparing the statement; a text that
        // cannot be prepared (several statements) runs without them.
        let types: Vec<String> = match self.client.prepare(sql) {
            Ok(statement) => statement
                .columns()
                .iter()
                .map(|column| type_name(column.type_()))
                .collect(),
            Err(_) => Vec::new(),
        };
        let messages = self.client.simple_query(sql);
        self.last_used = Instant::now();
        let messages = messages.map_err(|error| {
            self.note_lost(&error);
            statement_error(error, sql)
        })?;
        let mut table = QueryTable {
            column_names: Vec::new(),
            column_types: Vec::new(),
            rows: Vec::new(),
        };
        for message in messages {
            match message {
                SimpleQueryMessage::RowDescription(columns) => {
                    // The last statement's result is the one returned.
                    table.rows.clear();
                    table.column_names = columns
                        .iter()
                        .map(|column| column.name().to_string())
                        .collect();
                    table.column_types = (0..columns.len())
                        .map(|index| types.get(index).cloned().unwrap_or_else(|| "text".into()))
                        .collect();
                }
                SimpleQueryMessage::Row(row) => {
                    if limit.is_some_and(|limit| table.rows.len() >= limit) {
                        continue;
                    }
                    let values = (0..row.len())
                        .map(|index| {
                            json_value(
                                table.column_types.get(index).map(String::as_str),
                                row.get(index),
                            )
                        })
                        .collect();
                    table.rows.push(values);
                }
                _ => {}
            }
        }
        Ok(table)
    }

    fn is_closed(&mut self) -> bool {
        self.client.is_closed()
    }

    fn is_materialized_view(&mut self, relation: &RelationRef) -> Result<bool, AdapterError> {
        let sql = format!(
            "select c.relkind::text from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {} and c.relkind = 'm'",
            PostgresConnection::relation_filter(relation)
        );
        Ok(!self.text_rows(&sql)?.is_empty())
    }

    fn relation_kind(
        &mut self,
        relation: &RelationRef,
    ) -> Result<Option<RelationKind>, AdapterError> {
        let sql = format!(
            "select c.relkind::text from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {} and c.relkind in ('r', 'p', 'v', 'm', 'f')",
            PostgresConnection::relation_filter(relation)
        );
        let rows = self.text_rows(&sql)?;
        Ok(rows
            .first()
            .map(|row| match row.first().map(String::as_str) {
                Some("v" | "m") => RelationKind::View,
                _ => RelationKind::Table,
            }))
    }

    /// Postgres's statistics counters (`pg_stat_user_tables`) reach other
    /// sessions only when the writing backend flushes them, so they can lag
    /// a commit; the marker is a fingerprint of the rows instead: their
    /// count and the sum of their text's hashes, which another
    /// connection's inserts, updates, deletes and truncates always move
    /// once committed. A relation above `FINGERPRINT_ROW_LIMIT` rows by the
    /// planner's estimate (`pg_class.reltuples`) gets none and counts as
    /// changed.
    fn data_marker(&mut self, relation: &RelationRef) -> Result<Option<String>, AdapterError> {
        let estimate = self.text_rows(&format!(
            "select c.reltuples::bigint::text from pg_catalog.pg_class c \
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace where {}",
            PostgresConnection::relation_filter(relation)
        ))?;
        let Some(estimated) = estimate.first().and_then(|row| row.first()) else {
            return Ok(None);
        };
        if estimated.parse::<i64>().unwrap_or(0) > crate::adapter::FINGERPRINT_ROW_LIMIT as i64 {
            return Ok(None);
        }
        let quoted = PostgresFlavor.quoted(relation);
        let rows = self.text_rows(&format!(
            "select count(*)::text || ':' || coalesce(sum(hashtext(fingerprinted::text)::bigint)::text, '') \
             from {quoted} as fingerprinted"
        ))?;
        Ok(rows
            .first()
            .and_then(|row| row.first())
            .map(|marker| format!("rows:{marker}")))
    }

    fn columns(&mut self, relation: &RelationRef) -> Result<Vec<WarehouseColumn>, AdapterError> {
        let sql = format!(
            "select a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod) \
             from pg_catalog.pg_attribute a \
             join pg_catalog.pg_class c on c.oid = a.attrelid \
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
             where {} and a.attnum > 0 and not a.attisdropped order by a.attnum",
            PostgresConnection::relation_filter(relation)
        );
        Ok(self
            .text_rows(&sql)?
            .into_iter()
            .map(|mut row| {
                let data_type = row.pop().unwrap_or_default();
                WarehouseColumn {
                    name: row.pop().unwrap_or_default(),
                    data_type,
                }
            })
            .collect())
    }

    fn load_csv(
        &mut self,
        relation: &RelationRef,
        columns: &[(String, String)],
        path: &Path,
    ) -> Result<u64, AdapterError> {
        let contents = std::fs::read(path).map_err(|error| {
            AdapterError::new(format!(
                "cannot read the seed `{}`: {error}",
                path.display()
            ))
        })?;
        let listed = columns
            .iter()
            .map(|(name, _)| PostgresFlavor.quote(name))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "copy {} ({listed}) from stdin with (format csv, header true)",
            PostgresFlavor.quoted(relation)
        );
        let mut writer = self.client.copy_in(&sql).map_err(warehouse_error)?;
        writer
            .write_all(&contents)
            .map_err(|error| AdapterError::new(format!("the COPY of the seed failed: {error}")))?;
        writer.finish().map_err(warehouse_error)
    }
}

/// Postgres's spelling of a run's DDL, as dbt-postgres's macros write it.
pub struct PostgresFlavor;

impl SqlFlavor for PostgresFlavor {
    /// The command tag of the statement dbt-postgres reports: `SELECT n`
    /// for `create ... as`, `INSERT 0 n`, `MERGE n`, and a test's one row.
    fn response(&self, what: BuildResponse, rows: u64) -> String {
        match what {
            BuildResponse::CreateTableAs
            | BuildResponse::CreateMaterializedView
            | BuildResponse::SnapshotCreate => format!("SELECT {rows}"),
            BuildResponse::Insert | BuildResponse::SnapshotInsert => format!("INSERT 0 {rows}"),
            BuildResponse::Merge => format!("MERGE {rows}"),
            BuildResponse::Test => "SELECT 1".to_string(),
        }
    }

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

    /// A schema is named without its database: Postgres has no
    /// cross-database DDL.
    fn create_schema(&self, _database: Option<&str>, schema: &str) -> String {
        format!("create schema if not exists {}", self.quote(schema))
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
        // dbt-postgres's snapshot_get_time.
        "now()::timestamp without time zone"
    }

    fn hash(&self, expression: &str) -> String {
        format!("md5({expression})")
    }

    fn string_type(&self) -> &'static str {
        "varchar"
    }

    fn drop_relation(&self, relation: &RelationRef, kind: RelationKind) -> String {
        let keyword = match kind {
            RelationKind::Table => "table",
            RelationKind::View => "view",
        };
        format!("drop {keyword} if exists {} cascade", self.quoted(relation))
    }

    fn temporary_table(&self, identifier: &str) -> String {
        format!("{}.{}", self.quote("pg_temp"), self.quote(identifier))
    }

    fn temporary_relation(&self, identifier: &str) -> RelationRef {
        RelationRef {
            database: None,
            schema: Some("pg_temp".into()),
            identifier: identifier.to_string(),
        }
    }

    fn swaps_through_backup(&self) -> bool {
        true
    }

    fn max_identifier_length(&self) -> Option<usize> {
        Some(63)
    }

    fn materialized_views(&self) -> Option<&dyn MaterializedViews> {
        Some(self)
    }

    fn truncate_table(&self, relation: &RelationRef) -> Option<String> {
        Some(format!("truncate table {}", self.quoted(relation)))
    }

    fn create_table(&self, relation: &RelationRef, unlogged: bool) -> String {
        format!(
            "create {}table {}",
            if unlogged { "unlogged " } else { "" },
            self.quoted(relation)
        )
    }

    /// Named as dbt-postgres names it: the md5 of the columns, the
    /// relation, `unique`, the method and the time, so that a rebuilt
    /// table's index never collides with the old one's.
    fn create_index(&self, relation: &RelationRef, index: &IndexConfig) -> Option<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_nanos())
            .unwrap_or_default();
        let mut inputs = index.columns.clone();
        inputs.push(self.quoted(relation));
        inputs.push(if index.unique { "True" } else { "False" }.to_string());
        inputs.push(index.method.clone().unwrap_or_else(|| "None".to_string()));
        inputs.push(now.to_string());
        let name = fusion_frontend::checksum::md5_hex(&inputs.join("_"));
        Some(format!(
            "create {}index if not exists {} on {} {}({})",
            if index.unique { "unique " } else { "" },
            self.quote(&name),
            self.quoted(relation),
            index
                .method
                .as_deref()
                .map(|method| format!("using {method} "))
                .unwrap_or_default(),
            index.columns.join(", ")
        ))
    }

    fn grant(
        &self,
        relation: &RelationRef,
        privilege: &str,
        grantees: &[String],
    ) -> Option<String> {
        if grantees.is_empty() {
            return None;
        }
        Some(format!(
            "grant {privilege} on {} to {}",
            self.quoted(relation),
            grantees.join(", ")
        ))
    }

    /// The query dbt-postgres's `get_catalog` sends, from `pg_catalog`:
    /// permanent and unlogged tables, views, materialized views, foreign
    /// and partitioned tables, their live columns with `format_type`'s
    /// spelling, their comments and owner.
    fn catalog_query(&self, database: &str, schemas: &[String]) -> Option<String> {
        Some(format!(
            "select {database} as table_database, n.nspname as table_schema, c.relname as table_name,\n\
             \x20 case c.relkind when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW' else 'BASE TABLE' end as table_type,\n\
             \x20 relation_comment.description as table_comment,\n\
             \x20 a.attname as column_name, a.attnum as column_index,\n\
             \x20 pg_catalog.format_type(a.atttypid, a.atttypmod) as column_type,\n\
             \x20 column_comment.description as column_comment,\n\
             \x20 pg_catalog.pg_get_userbyid(c.relowner) as table_owner\n\
             from pg_catalog.pg_namespace n\n\
             join pg_catalog.pg_class c on c.relnamespace = n.oid\n\
             join pg_catalog.pg_attribute a on a.attrelid = c.oid\n\
             left join pg_catalog.pg_description relation_comment on relation_comment.objoid = c.oid and relation_comment.objsubid = 0\n\
             left join pg_catalog.pg_description column_comment on column_comment.objoid = c.oid and column_comment.objsubid = a.attnum\n\
             where {}\n\
             \x20 and not pg_catalog.pg_is_other_temp_schema(n.oid)\n\
             \x20 and c.relpersistence in ('p', 'u')\n\
             \x20 and c.relkind in ('r', 'v', 'f', 'p', 'm')\n\
             \x20 and a.attnum > 0 and not a.attisdropped\n\
             order by n.nspname, c.relname, a.attnum",
            lowercase_in("n.nspname", schemas),
            database = sql_string(database),
        ))
    }

    /// dbt-postgres's query: the grants the current role gave others.
    fn show_grants(&self, relation: &RelationRef) -> Option<String> {
        let information_schema = match &relation.database {
            Some(database) => format!("{}.information_schema", self.quote(database)),
            None => "information_schema".to_string(),
        };
        Some(format!(
            "select grantee, privilege_type from {information_schema}.\"role_table_grants\" \
             where grantor = current_role and grantee != current_role \
             and table_schema = {} and table_name = {}",
            sql_string(relation.schema.as_deref().unwrap_or_default()),
            sql_string(&relation.identifier)
        ))
    }

    fn revoke(
        &self,
        relation: &RelationRef,
        privilege: &str,
        grantees: &[String],
    ) -> Option<String> {
        if grantees.is_empty() {
            return None;
        }
        let quoted: Vec<String> = grantees.iter().map(|grantee| self.quote(grantee)).collect();
        Some(format!(
            "revoke {privilege} on {} from {}",
            self.quoted(relation),
            quoted.join(", ")
        ))
    }

    fn copy_grants(&self) -> bool {
        false
    }

    /// Dollar-quoted as dbt-postgres quotes comments, so any text fits;
    /// a comment holding the quote's own tag is quoted as a plain string.
    fn comment(
        &self,
        relation: &RelationRef,
        kind: RelationKind,
        column: Option<&str>,
        comment: &str,
    ) -> Option<String> {
        const TAG: &str = "$dbt_comment_literal_block$";
        let literal = if comment.contains(TAG) {
            sql_string(comment)
        } else {
            format!("{TAG}{comment}{TAG}")
        };
        Some(match column {
            Some(column) => format!(
                "comment on column {}.{} is {literal}",
                self.quoted(relation),
                self.quote(column)
            ),
            None => format!(
                "comment on {} {} is {literal}",
                match kind {
                    RelationKind::Table => "table",
                    RelationKind::View => "view",
                },
                self.quoted(relation)
            ),
        })
    }
}

impl MaterializedViews for PostgresFlavor {
    fn create_materialized_view(&self, relation: &RelationRef) -> String {
        format!("create materialized view {}", self.quoted(relation))
    }

    fn refresh_materialized_view(&self, relation: &RelationRef) -> String {
        format!("refresh materialized view {}", self.quoted(relation))
    }

    fn drop_materialized_view(&self, relation: &RelationRef) -> String {
        format!(
            "drop materialized view if exists {} cascade",
            self.quoted(relation)
        )
    }

    fn rename_materialized_view(&self, from: &RelationRef, to: &str) -> String {
        format!(
            "alter materialized view {} rename to {}",
            self.quoted(from),
            self.quote(to)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{json_value, PostgresSettings};

    #[test]
    fn urls_give_host_port_user_and_database() {
        let settings =
            PostgresSettings::from_url("postgres://postgres@127.0.0.1:5433/test").expect("a URL");
        assert_eq!(settings.describe(), "127.0.0.1:5433/test");
        assert_eq!(settings.user, "postgres");
        assert!(PostgresSettings::from_url("mysql://x").is_err());
    }

    #[test]
    fn error_positions_are_quoted_as_libpq_quotes_them() {
        let quoted = super::quote_position("select 1,\n  labl from t", 13).expect("a position");
        assert_eq!(quoted, "LINE 2:   labl from t\n          ^");
        assert_eq!(super::quote_position("select 1", 99), None);
    }

    #[test]
    fn text_cells_keep_their_kind() {
        assert_eq!(
            json_value(Some("integer"), Some("12")),
            serde_json::json!(12)
        );
        assert_eq!(
            json_value(Some("boolean"), Some("t")),
            serde_json::json!(true)
        );
        assert_eq!(json_value(Some("text"), None), serde_json::Value::Null);
        assert_eq!(
            json_value(Some("numeric"), Some("1.5")),
            serde_json::json!(1.5)
        );
    }
}
