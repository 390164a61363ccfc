//! Shared helpers for the root test suite: locating fixtures and the shared
//! corpus, copying fixture projects to scratch folders, running the CLI.

use fusion_driver::adapter::duckdb::DuckDbAdapter;
use fusion_driver::adapter::Adapter;
use fusion_ir::name::Name;
use fusion_ir::schema::{Catalog, Column, RelationName, RelationSchema, Schema};
use fusion_ir::semantics::DialectSemantics;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod fuzzing;

/// The repository root.
pub fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one in-process run of the CLI printed and returned.
pub struct CliRun {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `fusionc <arguments>` in this process, with its output captured.
pub fn run_cli<S: AsRef<str>>(arguments: &[S]) -> CliRun {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let exit_code = {
        let mut output = fusion_driver::cli::Output {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: false,
        };
        fusion_driver::run_command_line(
            std::iter::once("fusionc".to_string()).chain(
                arguments
                    .iter()
                    .map(|argument| argument.as_ref().to_string()),
            ),
            &mut output,
        )
    };
    CliRun {
        exit_code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// The shared SQL corpus (`../shared/corpus`), or `None` when it is not
/// beside the repository: then the caller's checks are skipped with a
/// notice saying what (`skipped`), except under CI (`CI` set), where a
/// missing corpus fails the test.
/// Runs git in `folder` as the fixtures' author, at a fixed date, so that the
/// repositories tests build have the same commit ids on every machine; returns
/// its standard output and fails the test when git fails.
pub fn git(folder: &Path, arguments: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(arguments)
        .current_dir(folder)
        .env("GIT_AUTHOR_NAME", "fusionc tests")
        .env("GIT_AUTHOR_EMAIL", "tests@fusionc.invalid")
        .env("GIT_COMMITTER_NAME", "fusionc tests")
        .env("GIT_COMMITTER_EMAIL", "tests@fusionc.invalid")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {arguments:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn corpus_dir(skipped: &str) -> Option<PathBuf> {
    let dir = repository_root().join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("the SQL corpus is missing: looked in {}", dir.display());
    }
    eprintln!(
        "notice: the SQL corpus is missing (looked in {}); {skipped}",
        dir.display()
    );
    None
}

/// One case of a corpus file (`parse/<dialect>.jsonl`).
pub struct CorpusCase {
    /// 1-based line in the file.
    pub line: usize,
    pub sql: String,
    pub unparsed_by_sqlglot: bool,
}

/// Every case of a corpus file, in order.
pub fn corpus_cases(path: &Path) -> Vec<CorpusCase> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("{}:{}: {error}", path.display(), index + 1));
            CorpusCase {
                line: index + 1,
                sql: value["sql"].as_str().unwrap_or_default().to_string(),
                unparsed_by_sqlglot: value["unparsed_by_sqlglot"].as_bool().unwrap_or(false),
            }
        })
        .collect()
}

/// `text` with regex metacharacters escaped, for insta filters that mask
/// a path.
pub fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|character| {
            let escape = "\\.+*?()|[]{}^$".contains(character);
            escape
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(character))
        })
        .collect()
}

/// Copies a folder tree (a fixture project) into `destination`.
pub fn copy_tree(source: &Path, destination: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(destination)?;
    for entry in std::fs::read_dir(source)? {
        let entry = entry?;
        let target = destination.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if entry.file_name() == "target" {
                continue;
            }
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The files of `folder` whose extension is `extension`, sorted; panics
/// when the folder cannot be listed (fixtures that vanish must fail a test).
pub fn files_with_extension(folder: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    files.sort();
    files
}

/// The sorted names of the sub-folders of `folder`.
pub fn sub_folders(folder: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_dir())
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    folders
}

/// A fixture table key (`t`, `schema.t`, `db.schema.t`) as a relation name;
/// missing parts default to the fixtures' `db` and `main`.
pub fn relation_name(key: &str) -> RelationName {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [database, schema, identifier] => RelationName {
            database: Some(Name::new(database)),
            schema: Some(Name::new(schema)),
            identifier: Name::new(identifier),
        },
        [schema, identifier] => RelationName {
            database: Some(Name::new("db")),
            schema: Some(Name::new(schema)),
            identifier: Name::new(identifier),
        },
        _ => RelationName {
            database: Some(Name::new("db")),
            schema: Some(Name::new("main")),
            identifier: Name::new(key),
        },
    }
}

/// Builds a catalog from `{"table": {"column": "TYPE [NOT NULL]"}}`.
pub fn catalog_from_json(schema: &serde_json::Value, semantics: &dyn DialectSemantics) -> Catalog {
    let mut catalog = Catalog::default();
    let Some(tables) = schema.as_object() else {
        return catalog;
    };
    for (table, columns) in tables {
        let relation_schema = match columns.as_object() {
            Some(columns) => {
                let columns = columns
                    .iter()
                    .map(|(name, ty)| {
                        let text = ty.as_str().unwrap_or("UNKNOWN");
                        let (text, nullable) = match text.strip_suffix(" NOT NULL") {
                            Some(stripped) => (stripped, false),
                            None => (text, true),
                        };
                        let ty = semantics
                            .parse_type_name(text)
                            .unwrap_or_else(|| panic!("fixture type `{text}` does not parse"));
                        Column::new(Name::new(name), ty, nullable)
                    })
                    .collect();
                RelationSchema::Known(Arc::new(Schema::new(columns)))
            }
            None => RelationSchema::Unknown,
        };
        catalog
            .relations
            .insert(relation_name(table), relation_schema);
    }
    catalog
}

/// Every table and view of the warehouse but the state store's (its
/// invocation ids and times differ from run to run; the fixtures' statuses
/// show what it decided): columns with types, then rows in order. The ids
/// snapshots hash from the run's clock are masked, and with
/// `mask_snapshot_times` so are the times snapshots record (two warehouses
/// built at different moments then compare equal).
pub fn dump_duckdb_warehouse(path: &Path, mask_snapshot_times: bool) -> String {
    if !path.exists() {
        return "(no warehouse file)\n".to_string();
    }
    let adapter = match DuckDbAdapter::open(&path.display().to_string()) {
        Ok(adapter) => adapter,
        Err(error) => return format!("(cannot open: {error})\n"),
    };
    let mut connection = adapter.connect().expect("a connection");
    // Views over files name them relative to the project (its profile's
    // file_search_path), which is `project/` beside the database file.
    if let Some(folder) = path.parent() {
        let project = folder
            .join("project")
            .display()
            .to_string()
            .replace('\'', "''");
        connection
            .execute(&format!("set file_search_path = '{project}'"))
            .expect("file_search_path is a DuckDB setting");
    }
    let relations = connection
        .query(
            "select table_schema, table_name, table_type from information_schema.tables \
             where table_catalog = current_database() and table_schema <> 'fusionc_state' \
             order by all",
            None,
        )
        .expect("the relations");
    let mut text = String::new();
    for row in &relations.rows {
        let cell = |index: usize| row[index].as_str().unwrap_or_default().to_string();
        let (schema, name, kind) = (cell(0), cell(1), cell(2));
        let _ = writeln!(text, "== {schema}.{name} ({kind})");
        let columns = connection
            .query(
                &format!(
                    "select column_name, data_type from information_schema.columns \
                     where table_catalog = current_database() and table_schema = '{schema}' \
                     and table_name = '{name}' order by ordinal_position"
                ),
                None,
            )
            .expect("the columns");
        let names: Vec<String> = columns
            .rows
            .iter()
            .map(|column| {
                format!(
                    "{} {}",
                    column[0].as_str().unwrap_or_default(),
                    column[1].as_str().unwrap_or_default()
                )
            })
            .collect();
        let _ = writeln!(text, "   {}", names.join(", "));
        let rows = match connection.query(
            &format!("select * from \"{schema}\".\"{name}\" order by all"),
            None,
        ) {
            Ok(rows) => rows,
            // A view the warehouse accepted but cannot read.
            Err(error) => {
                let _ = writeln!(text, "   (cannot be read: {})", error.message);
                continue;
            }
        };
        for values in &rows.rows {
            let shown: Vec<String> = values
                .iter()
                .zip(&rows.column_names)
                .map(|(value, column)| match value {
                    serde_json::Value::Null => "null".to_string(),
                    _ if column == "dbt_scd_id" => "[id]".to_string(),
                    _ if mask_snapshot_times
                        && matches!(
                            column.as_str(),
                            "dbt_updated_at" | "dbt_valid_from" | "dbt_valid_to"
                        ) =>
                    {
                        "[time]".to_string()
                    }
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect();
            let _ = writeln!(text, "   | {}", shown.join(" | "));
        }
    }
    text
}

/// The environment variable naming the Postgres server of the Postgres
/// tests, as a URL.
pub const POSTGRES_URL_VARIABLE: &str = "FUSIONC_TEST_POSTGRES_URL";

/// The URL of the Postgres server the tests use: `FUSIONC_TEST_POSTGRES_URL`,
/// else the development machine's (trust authentication, database `test`).
pub fn postgres_test_url() -> String {
    std::env::var(POSTGRES_URL_VARIABLE)
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// The Postgres server the tests run on, when one answers. When none does,
/// the tests that need it are skipped with a notice saying how to point
/// them at one (`what` names them), except under CI (`CI` set), where the
/// missing server fails the test.
pub fn postgres_test_server(
    what: &str,
) -> Option<fusion_driver::adapter::postgres::PostgresSettings> {
    use fusion_driver::adapter::postgres::{PostgresAdapter, PostgresSettings};
    let url = postgres_test_url();
    let reached = PostgresSettings::from_url(&url).and_then(|settings| {
        let adapter = PostgresAdapter::new(settings.clone())
            .map_err(|failure| failure.message().to_string())?;
        adapter
            .open_connection()
            .map_err(|failure| failure.message().to_string())?;
        Ok(settings)
    });
    match reached {
        Ok(settings) => Some(settings),
        Err(reason) if std::env::var_os("CI").is_some() => panic!(
            "{what} need a Postgres server and CI is set, but {reason}; start one, or set {POSTGRES_URL_VARIABLE}=postgres://user[:password]@host:port/database"
        ),
        Err(reason) => {
            eprintln!(
                "skipped {what}: {reason}. To run them, start Postgres or set {POSTGRES_URL_VARIABLE}=postgres://user[:password]@host:port/database (a database the user may create schemas in)"
            );
            None
        }
    }
}

/// The words of a fixture's step; text in double quotes is one word.
pub fn split_step(step: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for character in step.chars() {
        match character {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            character if character.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            character => {
                current.push(character);
                started = true;
            }
        }
    }
    if started {
        words.push(current);
    }
    words
}
