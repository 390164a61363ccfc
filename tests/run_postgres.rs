//! End-to-end runs on the Postgres server: the run fixtures of `tests/run/`
//! that make sense on Postgres (those that name no DuckDB feature or
//! DuckDB's `main` schema), step by step as `tests/run.rs` runs them on
//! DuckDB, each in a schema of its own (so test processes in parallel do
//! not collide) that is dropped afterwards; then what dbt-postgres's own
//! configs and the secrets of a profile do.
//!
//! The server is `FUSIONC_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When none answers, the tests
//! say how to point them at one and pass, except under CI (`CI` set).

use fusion_driver::adapter::postgres::{PostgresAdapter, PostgresSettings};
use fusion_driver::adapter::{Adapter, Connection};
use fusionc_tests::{
    copy_tree, postgres_test_server, regex_escape, repository_root, run_cli, split_step,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The fixtures of `tests/run/` that run on Postgres too. Left out:
/// `builtin_extensions`, `external` (DuckDB extensions and files),
/// `not_a_database` and `unreachable` (DuckDB files).
const FIXTURES: &[&str] = &[
    "failures",
    "hooks",
    "incremental",
    "introspective",
    "packages",
    "refused",
    "static_on",
    "unit_tests",
    "unread_ephemeral",
];

/// A schema name no other test (in this or another process) uses, of the
/// same length on every run so that the console's dotted lines, which
/// name it, keep their width.
fn unique_schema(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let serial = COUNTER.fetch_add(1, Ordering::Relaxed);
    let stamp = std::process::id().wrapping_mul(64).wrapping_add(serial);
    format!("fct_{label}_{stamp:08x}")
}

/// A connection to the test server, and the schemas (by prefix) it drops
/// when the test ends, whether it passed or not.
struct ScratchSchemas {
    connection: Box<dyn Connection>,
    prefix: String,
}

impl ScratchSchemas {
    fn new(settings: &PostgresSettings, prefix: String) -> ScratchSchemas {
        let adapter = PostgresAdapter::new(settings.clone()).expect("the adapter");
        let connection = adapter.connect().expect("a connection to the test server");
        let mut scratch = ScratchSchemas { connection, prefix };
        scratch.drop_all();
        scratch
    }

    /// The schemas the run made: every schema whose name starts with the
    /// target's (its custom schemas, `<schema>_<custom>` or as a project's
    /// `generate_schema_name` names them from `target.schema`).
    fn schemas(&mut self) -> Vec<String> {
        let table = self
            .connection
            .query(
                &format!(
                    "select nspname::text from pg_catalog.pg_namespace where starts_with(nspname, '{0}') order by 1",
                    self.prefix
                ),
                None,
            )
            .expect("the schemas");
        table
            .rows
            .iter()
            .filter_map(|row| row.first()?.as_str().map(str::to_string))
            .collect()
    }

    fn drop_all(&mut self) {
        for schema in self.schemas() {
            let _ = self
                .connection
                .execute(&format!("drop schema if exists \"{schema}\" cascade"));
        }
        // The state store of state-aware runs is shared by every job on the
        // server (schema `fusionc_state`); this test's rows are keyed by its
        // target's schema, and go with it.
        for table in ["node_state", "build_log", "source_markers"] {
            let _ = self.connection.execute(&format!(
                "delete from fusionc_state.{table} where target like '%/{}%'",
                self.prefix
            ));
        }
    }

    /// Every table and view of the run's schemas: columns with the types
    /// information_schema reports, then rows (sorted as text, since
    /// Postgres has no `order by all`). Values of the run's clock and the
    /// ids hashed from them are masked.
    fn dump(&mut self) -> String {
        let schemas = self.schemas();
        if schemas.is_empty() {
            return "(no schema)\n".to_string();
        }
        let listed = schemas
            .iter()
            .map(|schema| format!("'{schema}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let relations = self
            .connection
            .query(
                &format!(
                    "select table_schema::text, table_name::text, table_type::text from information_schema.tables where table_schema in ({listed}) \
                     union all select schemaname::text, matviewname::text, 'MATERIALIZED VIEW' from pg_catalog.pg_matviews where schemaname in ({listed}) order by 1, 2"
                ),
                None,
            )
            .expect("the relations");
        let mut text = String::new();
        for row in &relations.rows {
            let cell = |index: usize| row[index].as_str().unwrap_or_default().to_string();
            let (schema, name, kind) = (cell(0), cell(1), cell(2));
            let _ = writeln!(text, "== {schema}.{name} ({kind})");
            let columns = self
                .connection
                .query(
                    // information_schema leaves materialized views out.
                    &format!(
                        "select name, type from ( \
                         select column_name::text as name, data_type::text as type, ordinal_position::int as position \
                         from information_schema.columns where table_schema = '{schema}' and table_name = '{name}' \
                         union all select a.attname::text, pg_catalog.format_type(a.atttypid, null), a.attnum::int \
                         from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid \
                         join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
                         where n.nspname = '{schema}' and c.relname = '{name}' and c.relkind = 'm' \
                         and a.attnum > 0 and not a.attisdropped) columns order by position"
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
            self.dump_relation_configs(&schema, &name, &mut text);
            let rows = match self
                .connection
                .query(&format!("select * from \"{schema}\".\"{name}\""), None)
            {
                Ok(rows) => rows,
                Err(error) => {
                    let _ = writeln!(text, "   (cannot be read: {})", error.message);
                    continue;
                }
            };
            let mut lines: Vec<String> = rows
                .rows
                .iter()
                .map(|values| {
                    let shown: Vec<String> = values
                        .iter()
                        .zip(&rows.column_names)
                        .map(|(value, column)| match value {
                            serde_json::Value::Null => "null".to_string(),
                            _ if column == "dbt_scd_id" => "[id]".to_string(),
                            serde_json::Value::String(text) => text.clone(),
                            other => other.to_string(),
                        })
                        .collect();
                    format!("   | {}", shown.join(" | "))
                })
                .collect();
            lines.sort();
            for line in lines {
                let _ = writeln!(text, "{line}");
            }
        }
        text
    }
}

impl ScratchSchemas {
    /// What dbt-postgres's relation configs left on a relation, each line
    /// only when it differs from a plain relation's: `unlogged`, the
    /// comments (`persist_docs`), the privileges granted to others
    /// (`grants`), the indexes.
    fn dump_relation_configs(&mut self, schema: &str, name: &str, text: &mut String) {
        let relation = format!(
            "from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
             where n.nspname = '{schema}' and c.relname = '{name}'"
        );
        let queries = [
            format!("select 'unlogged' {relation} and c.relpersistence = 'u'"),
            format!(
                "select 'comment: ' || obj_description(c.oid, 'pg_class') {relation} \
                 and obj_description(c.oid, 'pg_class') is not null"
            ),
            format!(
                "select 'comment on ' || a.attname || ': ' || col_description(c.oid, a.attnum) \
                 {relation} and a.attnum > 0 and col_description(c.oid, a.attnum) is not null \
                 order by a.attnum"
            )
            .replace(
                "from pg_catalog.pg_class c",
                "from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid",
            ),
            format!(
                "select 'granted ' || g.privilege_type || ' to ' || coalesce(r.rolname::text, 'PUBLIC') \
                 from (select c.relowner, (aclexplode(c.relacl)).* {relation}) g \
                 left join pg_catalog.pg_roles r on r.oid = g.grantee \
                 where g.grantee <> g.relowner order by 1"
            ),
            format!(
                "select 'index: ' || indexdef from pg_catalog.pg_indexes \
                 where schemaname = '{schema}' and tablename = '{name}' order by 1"
            ),
        ];
        for query in queries {
            let table = self
                .connection
                .query(&query, None)
                .expect("the relation's configs");
            for row in &table.rows {
                let _ = writeln!(text, "   > {}", row[0].as_str().unwrap_or_default());
            }
        }
    }
}

impl Drop for ScratchSchemas {
    fn drop(&mut self) {
        self.drop_all();
    }
}

/// A profile of one target on the test server, in `schema`, under the
/// profile name the fixture's own profile uses.
fn postgres_profile(
    settings: &PostgresSettings,
    profile_name: &str,
    schema: &str,
    password: &str,
) -> String {
    format!(
        "{profile_name}:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: \"{}\"\n      port: {}\n      user: \"{}\"\n      password: {password}\n      dbname: \"{}\"\n      schema: \"{schema}\"\n      threads: 1\n",
        settings.host, settings.port, settings.user, settings.database
    )
}

/// The name of the (first) profile a fixture's profiles.yml defines.
fn profile_name_of(project: &Path) -> String {
    let text = std::fs::read_to_string(project.join("profiles.yml")).expect("a profiles.yml");
    text.lines()
        .find(|line| !line.starts_with([' ', '#']) && line.contains(':'))
        .and_then(|line| line.split(':').next())
        .map(|name| name.trim().to_string())
        .expect("a profile name")
}

/// The filters that make a transcript the same on every run and server.
fn stable_settings(settings: &PostgresSettings, schema: &str, scratch: &Path) -> insta::Settings {
    let mut insta_settings = insta::Settings::clone_current();
    insta_settings.add_filter(&regex_escape(&scratch.display().to_string()), "[scratch]");
    insta_settings.add_filter(&regex_escape(schema), "[schema]");
    insta_settings.add_filter(
        &regex_escape(&format!("\"{}\"", settings.database)),
        "\"[database]\"",
    );
    insta_settings.add_filter(r"in \d+\.\d+s", "in [elapsed]");
    // dbt-postgres names an index by the md5 of its config and the time.
    insta_settings.add_filter(r#"INDEX "?[0-9a-f]{32}"? ON"#, "INDEX [index name] ON");
    insta_settings.add_filter(
        r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\.\d+(\+\d{2}(:\d{2})?)?",
        "[now]",
    );
    insta_settings
}

fn run_fixture_on_postgres(settings: &PostgresSettings, fixture: &Path) {
    let name = fixture
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_string();
    let schema = unique_schema(&name);
    let mut schemas = ScratchSchemas::new(settings, schema.clone());
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(fixture, &project).expect("the fixture copies");
    let profile = postgres_profile(settings, &profile_name_of(&project), &schema, "unused");
    std::fs::write(project.join("profiles.yml"), profile).expect("the profile is written");
    let steps = std::fs::read_to_string(project.join("steps.txt")).expect("a steps.txt");
    let mut transcript = String::new();
    for step in steps.lines().map(str::trim) {
        if step.is_empty() || step.starts_with('#') {
            continue;
        }
        if let Some(folder) = step.strip_prefix("copy ") {
            copy_tree(&project.join(folder.trim()), &project).expect("the change copies");
            let _ = writeln!(transcript, "##### {step}\n");
            continue;
        }
        let mut arguments = split_step(step);
        arguments.push("--project-dir".into());
        arguments.push(project.display().to_string());
        let run = run_cli(&arguments);
        let _ = writeln!(
            transcript,
            "##### fusionc {step}\nexit code: {}\n--- stdout\n{}--- stderr\n{}--- warehouse\n{}",
            run.exit_code,
            run.stdout,
            run.stderr,
            schemas.dump()
        );
    }
    stable_settings(settings, &schema, scratch.path())
        .bind(|| insta::assert_snapshot!(format!("run_postgres_{name}"), transcript));
}

#[test]
fn run_fixtures_build_on_postgres_what_their_snapshots_show() {
    let Some(settings) = postgres_test_server("the Postgres run fixtures") else {
        return;
    };
    for name in FIXTURES {
        run_fixture_on_postgres(&settings, &repository_root().join("tests/run").join(name));
    }
}

/// The fixtures of `tests/run_postgres/`: dbt-postgres's own configs.
#[test]
fn postgres_fixtures_build_what_their_snapshots_show() {
    let Some(settings) = postgres_test_server("the Postgres fixtures") else {
        return;
    };
    for fixture in fusionc_tests::sub_folders(&repository_root().join("tests/run_postgres")) {
        run_fixture_on_postgres(&settings, &fixture);
    }
}

/// Every file under `folder`.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Item 6 of issue 18: the password, given through a `DBT_ENV_SECRET_`
/// variable, appears in no output and no file under `target/`, even for a
/// model that asks its template for `target.password`, a run that fails,
/// and a run whose password the profile writes literally; a secret user
/// the server refuses is masked in the message that names it.
#[test]
fn the_password_is_never_shown_or_written() {
    let Some(settings) = postgres_test_server("the Postgres secrets test") else {
        return;
    };
    let mut leaks = Vec::new();
    let secret = "fusionc-secret-5f3a9c1e";
    let literal = "fusionc-literal-7b2d4e8a";
    std::env::set_var("DBT_ENV_SECRET_FUSIONC_TEST_PASSWORD", secret);
    let schema = unique_schema("secrets");
    let _schemas = ScratchSchemas::new(&settings, schema.clone());
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(&repository_root().join("tests/run/failures"), &project).expect("the fixture copies");
    std::fs::write(
        project.join("models/shows_target.sql"),
        "select '{{ target.password }}' as password_seen, '{{ target.user }}' as user_seen\n",
    )
    .expect("the model is written");
    let profile_name = profile_name_of(&project);
    let mut outputs = Vec::new();
    for password in [
        "\"{{ env_var('DBT_ENV_SECRET_FUSIONC_TEST_PASSWORD') }}\"".to_string(),
        format!("\"{literal}\""),
    ] {
        std::fs::write(
            project.join("profiles.yml"),
            postgres_profile(&settings, &profile_name, &schema, &password),
        )
        .expect("the profile is written");
        for command in ["build", "compile", "show"] {
            let mut arguments = vec![command.to_string()];
            if command == "show" {
                arguments.extend(["-s".into(), "shows_target".into()]);
            }
            arguments.extend(["--project-dir".into(), project.display().to_string()]);
            let run = run_cli(&arguments);
            outputs.push(format!("{}{}", run.stdout, run.stderr));
            let json = [
                arguments.clone(),
                vec!["--log-format".into(), "json".into()],
            ]
            .concat();
            let run = run_cli(&json);
            outputs.push(format!("{}{}", run.stdout, run.stderr));
        }
    }
    // dbt refuses a secret variable anywhere but profiles.yml and
    // packages.yml (FC0031), before anything runs, whether a model, a
    // schema file or the project file reads it.
    std::fs::write(
        project.join("profiles.yml"),
        postgres_profile(
            &settings,
            &profile_name,
            &schema,
            "\"{{ env_var('DBT_ENV_SECRET_FUSIONC_TEST_PASSWORD') }}\"",
        ),
    )
    .expect("the profile is written");
    let project_file =
        std::fs::read_to_string(project.join("dbt_project.yml")).expect("the project file");
    let reads_secret = "env_var('DBT_ENV_SECRET_FUSIONC_TEST_PASSWORD')";
    let secret_readers = [
        (
            "models/reads_secret.sql",
            format!("select '{{{{ {reads_secret} }}}}' as leaked\n"),
        ),
        (
            "models/secret_meta.yml",
            format!(
                "version: 2\nmodels:\n  - name: shows_target\n    config:\n      meta:\n        leaked: \"{{{{ {reads_secret} }}}}\"\n"
            ),
        ),
        (
            "dbt_project.yml",
            format!(
                "{project_file}models:\n  +meta:\n    leaked: \"{{{{ {reads_secret} }}}}\"\n"
            ),
        ),
    ];
    for (file, text) in &secret_readers {
        std::fs::write(project.join(file), text).expect("the reader is written");
        for command in ["build", "compile"] {
            let run = run_cli(&[command, "--project-dir", &project.display().to_string()]);
            let shown = format!("{}{}", run.stdout, run.stderr);
            assert_eq!(run.exit_code, 1, "{file}, {command}: {shown}");
            assert!(
                shown.contains("FC0031") && shown.contains("DBT_ENV_SECRET_FUSIONC_TEST_PASSWORD"),
                "{file}, {command}: the refusal names the variable: {shown}"
            );
            assert!(!shown.contains(" START "), "{file}: nothing ran: {shown}");
            outputs.push(shown);
        }
        if *file == "dbt_project.yml" {
            std::fs::write(project.join(file), &project_file).expect("the project file");
        } else {
            std::fs::remove_file(project.join(file)).expect("the reader is removed");
        }
    }
    // A secret user the server does not know: the refusal names the user,
    // masked.
    let secret_user = "fusionc_secret_user_3e9d";
    std::env::set_var("DBT_ENV_SECRET_FUSIONC_TEST_USER", secret_user);
    let profile = postgres_profile(&settings, &profile_name, &schema, "x").replace(
        &format!("user: \"{}\"", settings.user),
        "user: \"{{ env_var('DBT_ENV_SECRET_FUSIONC_TEST_USER') }}\"",
    );
    std::fs::write(project.join("profiles.yml"), profile).expect("the profile is written");
    let refused = run_cli(&["build", "--project-dir", &project.display().to_string()]);
    let refused_output = format!("{}{}", refused.stdout, refused.stderr);
    assert!(
        refused_output.contains("FC5100") && refused_output.contains("user `*****`"),
        "the refusal names the user, masked: {refused_output}"
    );
    if refused_output.contains(secret_user) {
        leaks.push("the refusal of the secret user".to_string());
    }
    std::env::remove_var("DBT_ENV_SECRET_FUSIONC_TEST_USER");
    std::env::remove_var("DBT_ENV_SECRET_FUSIONC_TEST_PASSWORD");
    for (index, output) in outputs.iter().enumerate() {
        if output.contains(secret) || output.contains(literal) {
            leaks.push(format!("output of command {index}"));
        }
    }
    let files = files_under(&project.join("target"));
    assert!(
        files.iter().any(|file| file.ends_with("run_results.json")),
        "the runs wrote their artifacts: {files:?}"
    );
    for file in &files {
        let bytes = std::fs::read(file).expect("a file under target/");
        let text = String::from_utf8_lossy(&bytes);
        if text.contains(secret) || text.contains(literal) {
            leaks.push(file.display().to_string());
        }
    }
    assert!(leaks.is_empty(), "the password leaked into: {leaks:?}");
    // The model ran and saw no password, but did see the user.
    assert!(
        outputs.iter().any(|output| output.contains(&settings.user)),
        "the show output names the user: {outputs:?}"
    );
}

/// Item 5 of issue 18: a server that is down, a database it lacks and a
/// role it does not know each stop the command before anything runs, with
/// exit code 2, a code of their own, and host, port and database named.
#[test]
fn connection_faults_are_coded_and_name_the_server() {
    let Some(settings) = postgres_test_server("the Postgres fault tests") else {
        return;
    };
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(&repository_root().join("tests/run/failures"), &project).expect("the fixture copies");
    let profile_name = profile_name_of(&project);
    let cases = [
        (
            "FC5102",
            settings.host.clone(),
            1u16,
            settings.database.clone(),
            settings.user.clone(),
        ),
        (
            "FC5101",
            settings.host.clone(),
            settings.port,
            "fusionc_no_such_database".to_string(),
            settings.user.clone(),
        ),
        (
            "FC5100",
            settings.host.clone(),
            settings.port,
            settings.database.clone(),
            "fusionc_no_such_role".to_string(),
        ),
    ];
    for (code, host, port, database, user) in cases {
        let profile = format!(
            "{profile_name}:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: \"{host}\"\n      port: {port}\n      user: \"{user}\"\n      password: fusionc-wrong-password\n      dbname: \"{database}\"\n      schema: never_created\n      retries: 0\n",
        );
        std::fs::write(project.join("profiles.yml"), profile).expect("the profile is written");
        let run = run_cli(&["build", "--project-dir", &project.display().to_string()]);
        let shown = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.exit_code, 2, "{code}: {shown}");
        assert!(shown.contains(code), "{code} expected: {shown}");
        assert!(
            shown.contains(&format!("host {host}, port {port}, database `{database}`")),
            "{code}: names the server: {shown}"
        );
        assert!(!shown.contains("fusionc-wrong-password"), "{code}: {shown}");
        assert!(!shown.contains(" START "), "{code}: nothing ran: {shown}");
    }
}

/// Item 5 of issue 18: Ctrl-C (the adapter's `interrupt_all`) cancels a
/// statement running on the server, which reports it as interrupted, and
/// the connection's transaction rolls back: what the statement's
/// transaction wrote is gone.
#[test]
fn an_interrupt_cancels_the_running_statement_on_the_server() {
    let Some(settings) = postgres_test_server("the Postgres interrupt test") else {
        return;
    };
    let schema = unique_schema("interrupt");
    let mut scratch = ScratchSchemas::new(&settings, schema.clone());
    scratch
        .connection
        .execute(&format!("create schema \"{schema}\""))
        .expect("the schema");
    let adapter = std::sync::Arc::new(PostgresAdapter::new(settings).expect("the adapter"));
    let mut connection = adapter.connect().expect("a connection");
    let started = std::time::Instant::now();
    let running = std::thread::spawn(move || {
        connection.execute("begin")?;
        connection.execute(&format!(
            "create table \"{schema}\".\"half_built\" as select 1 as id"
        ))?;
        let outcome = connection.execute("select pg_sleep(60)");
        let _ = connection.execute("rollback");
        outcome
    });
    // Interrupt until the statement has stopped: a request that arrives
    // before it started cancels nothing.
    while !running.is_finished() && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(200));
        adapter.interrupt_all();
    }
    let outcome = running.join().expect("the statement's thread");
    let error = outcome.expect_err("the sleep was cancelled");
    assert!(error.interrupted, "an interrupt, not a fault: {error:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "cancelled long before the sleep would end"
    );
    assert!(
        !scratch.dump().contains("half_built"),
        "the transaction rolled back"
    );
}

/// Item 3 of issue 18: after a build, the column types `catalog.json`
/// gives (inferred by the Postgres analysis, without asking the server)
/// are those the server reports for every relation the build made, spelled
/// as dbt-postgres's catalog query spells them (`format_type`:
/// `numeric(12,2)`, `timestamp without time zone`). Not `unit_tests`: its
/// source declares no columns (FC4013), so what reads it is a guess.
#[test]
fn catalog_types_agree_with_the_server() {
    let Some(settings) = postgres_test_server("the Postgres catalog test") else {
        return;
    };
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for name in ["incremental", "packages", "failures", "introspective"] {
        let schema = unique_schema("catalog");
        let mut schemas = ScratchSchemas::new(&settings, schema.clone());
        let scratch = tempfile::tempdir().expect("a scratch folder");
        let project = scratch.path().join("project");
        copy_tree(&repository_root().join("tests/run").join(name), &project)
            .expect("the fixture copies");
        let profile = postgres_profile(&settings, &profile_name_of(&project), &schema, "unused");
        std::fs::write(project.join("profiles.yml"), profile).expect("the profile is written");
        let run = run_cli(&[
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            &project.display().to_string(),
        ]);
        // `failures` and `introspective` hold nodes that fail on purpose
        // (exit code 1); what they built is compared all the same.
        assert!(
            run.exit_code <= 1 && run.stdout.contains(" OK "),
            "{name}: {}{}",
            run.stdout,
            run.stderr
        );
        let catalog: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(project.join("target/catalog.json")).expect("catalog.json"),
        )
        .expect("catalog.json is JSON");
        for node in catalog["nodes"].as_object().expect("nodes").values() {
            let metadata = &node["metadata"];
            let (Some(relation_schema), Some(relation)) =
                (metadata["schema"].as_str(), metadata["name"].as_str())
            else {
                continue;
            };
            let server = schemas
                .connection
                .query(
                    &format!(
                        "select a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod) \
                         from pg_catalog.pg_attribute a \
                         join pg_catalog.pg_class c on c.oid = a.attrelid \
                         join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
                         where n.nspname = '{relation_schema}' and c.relname = '{relation}' \
                         and a.attnum > 0 and not a.attisdropped"
                    ),
                    None,
                )
                .expect("the server's columns");
            if server.rows.is_empty() {
                // A node that failed or was skipped built nothing.
                continue;
            }
            for (column, info) in node["columns"].as_object().expect("columns") {
                let inferred = info["type"].as_str().unwrap_or_default();
                let reported = server
                    .rows
                    .iter()
                    .find(|row| row[0].as_str() == Some(column.as_str()))
                    .and_then(|row| row[1].as_str());
                compared += 1;
                if reported != Some(inferred) {
                    disagreements.push(format!(
                        "{name}: {relation}.{column}: catalog.json says {inferred}, the server {reported:?}"
                    ));
                }
            }
        }
    }
    assert!(compared > 20, "the builds made relations to compare");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// The columns of a catalog.json entry, in order: name and type.
fn catalog_columns(entry: &serde_json::Value) -> Vec<(String, String)> {
    let mut columns: Vec<(u64, String, String)> = entry["columns"]
        .as_object()
        .map(|columns| {
            columns
                .values()
                .map(|column| {
                    (
                        column["index"].as_u64().unwrap_or_default(),
                        column["name"].as_str().unwrap_or_default().to_string(),
                        column["type"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    columns.sort();
    columns
        .into_iter()
        .map(|(_, name, data_type)| (name, data_type))
        .collect()
}

/// Item 3 of issue 18: `fusionc docs generate` writes the catalog the
/// server reports (dbt-postgres's layout: relation type, owner, comments,
/// columns by `format_type`), and it agrees with the catalog.json fusionc
/// infers at compile time, column for column, for every relation the build
/// made; the nodes the server does not hold (ephemeral models, tests, a
/// model that failed) are left out of it.
#[test]
fn docs_generate_reads_the_catalog_the_server_reports() {
    let Some(settings) = postgres_test_server("the Postgres docs generate test") else {
        return;
    };
    let mut compared_columns = 0;
    let mut disagreements = Vec::new();
    for name in ["incremental", "packages", "failures"] {
        let schema = unique_schema("docs");
        let mut schemas = ScratchSchemas::new(&settings, schema.clone());
        let scratch = tempfile::tempdir().expect("a scratch folder");
        let project = scratch.path().join("project");
        copy_tree(&repository_root().join("tests/run").join(name), &project)
            .expect("the fixture copies");
        let profile = postgres_profile(&settings, &profile_name_of(&project), &schema, "unused");
        std::fs::write(project.join("profiles.yml"), profile).expect("the profile is written");
        let project_dir = project.display().to_string();
        let run = run_cli(&["build", "--project-dir", &project_dir]);
        assert!(run.exit_code <= 1, "{name}: {}{}", run.stdout, run.stderr);
        let read_catalog = || -> serde_json::Value {
            serde_json::from_str(
                &std::fs::read_to_string(project.join("target/catalog.json"))
                    .expect("catalog.json"),
            )
            .expect("catalog.json is JSON")
        };
        let inferred = read_catalog();
        let generated = run_cli(&["docs", "generate", "--project-dir", &project_dir]);
        assert_eq!(
            generated.exit_code, 0,
            "{name}: {}{}",
            generated.stdout, generated.stderr
        );
        assert!(
            generated.stdout.contains("Catalog written to"),
            "{name}: {}",
            generated.stdout
        );
        let served = read_catalog();
        assert!(served["errors"].is_null(), "{name}: {}", served["errors"]);
        let served_nodes = served["nodes"].as_object().expect("nodes");
        assert!(
            !served_nodes.is_empty(),
            "{name}: the server holds the built relations"
        );
        for (unique_id, entry) in served_nodes {
            let metadata = &entry["metadata"];
            assert_eq!(entry["unique_id"].as_str(), Some(unique_id.as_str()));
            assert_eq!(metadata["owner"].as_str(), Some(settings.user.as_str()));
            assert_eq!(
                metadata["database"].as_str(),
                Some(settings.database.as_str())
            );
            let Some(expected) = inferred["nodes"].get(unique_id) else {
                disagreements.push(format!(
                    "{name}: {unique_id} is not in the inferred catalog"
                ));
                continue;
            };
            for key in ["type", "schema", "name"] {
                if metadata[key] != expected["metadata"][key] {
                    disagreements.push(format!(
                        "{name}: {unique_id}: {key} {} on the server, {} inferred",
                        metadata[key], expected["metadata"][key]
                    ));
                }
            }
            let (server_columns, inferred_columns) =
                (catalog_columns(entry), catalog_columns(expected));
            // A model rendered just in time (it reads the warehouse while
            // rendering, as `packages`'s `payments_public` does) has no
            // columns in the catalog inferred ahead of time.
            if inferred_columns.is_empty() && unique_id.ends_with("payments_public") {
                continue;
            }
            compared_columns += server_columns.len();
            if server_columns != inferred_columns {
                disagreements.push(format!(
                    "{name}: {unique_id}: the server's columns {server_columns:?}, inferred {inferred_columns:?}"
                ));
            }
        }
        // Every relation the inferred catalog lists that the server holds
        // is in the generated one.
        for (unique_id, entry) in inferred["nodes"].as_object().expect("nodes") {
            let metadata = &entry["metadata"];
            let exists = schemas
                .connection
                .query(
                    &format!(
                        "select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
                         where n.nspname = '{}' and c.relname = '{}'",
                        metadata["schema"].as_str().unwrap_or_default(),
                        metadata["name"].as_str().unwrap_or_default()
                    ),
                    None,
                )
                .expect("the server's relations");
            if !exists.rows.is_empty() && !served_nodes.contains_key(unique_id) {
                disagreements.push(format!(
                    "{name}: {unique_id} exists on the server but not in the generated catalog"
                ));
            }
        }
    }
    assert!(
        compared_columns > 20,
        "columns compared: {compared_columns}"
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// Item 5 of issue 18: the server ends the run's sessions in the middle of
/// a run (as a restart does; here `pg_terminate_backend` from another
/// connection, for every session of the run, the idle main one too). The
/// node that was running fails with the server's message and builds
/// nothing, its descendant is skipped, the nodes after it run on a new
/// session, and so does the `on-run-end` hook on the main connection.
#[test]
fn a_run_whose_sessions_the_server_ends_fails_the_running_node_and_goes_on() {
    let Some(settings) = postgres_test_server("the Postgres killed-session test") else {
        return;
    };
    let schema = unique_schema("killed");
    let application = format!("fusionc_test_{schema}");
    let mut schemas = ScratchSchemas::new(&settings, schema.clone());
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    std::fs::create_dir_all(project.join("models")).expect("the models folder");
    let files = [
        (
            "dbt_project.yml",
            "name: killed\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: killed\n\
             on-run-end:\n  - \"create table {{ target.schema }}.run_ended as select 1 as done\"\n",
        ),
        (
            "models/a_slow.sql",
            "{{ config(materialized='table') }}\nselect 1 as id from (select pg_sleep(60)) as slept\n",
        ),
        ("models/after_slow.sql", "select id from {{ ref('a_slow') }}\n"),
        (
            "models/b_next.sql",
            "{{ config(materialized='table') }}\nselect 2 as id\n",
        ),
        ("models/c_next.sql", "select id from {{ ref('b_next') }}\n"),
    ];
    for (path, text) in files {
        std::fs::write(project.join(path), text).expect("a project file");
    }
    let profile = postgres_profile(&settings, "killed", &schema, "unused")
        + &format!("      application_name: \"{application}\"\n");
    std::fs::write(project.join("profiles.yml"), profile).expect("the profile is written");
    let project_dir = project.display().to_string();
    let running = std::thread::spawn(move || {
        run_cli(&["build", "--threads", "1", "--project-dir", &project_dir])
    });
    // Once the slow model's statement runs, every session of the run ends.
    let started = std::time::Instant::now();
    let mut terminated = 0;
    while terminated == 0 && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let sleeping = schemas
            .connection
            .query(
                &format!(
                    "select count(*) from pg_catalog.pg_stat_activity \
                     where application_name = '{application}' and query like '%pg_sleep(60)%' and state = 'active'"
                ),
                None,
            )
            .expect("the server's sessions");
        if sleeping.rows[0][0].as_u64() != Some(1) {
            continue;
        }
        let ended = schemas
            .connection
            .query(
                &format!(
                    "select pg_catalog.pg_terminate_backend(pid) from pg_catalog.pg_stat_activity \
                     where application_name = '{application}'"
                ),
                None,
            )
            .expect("the sessions end");
        terminated = ended.rows.len();
    }
    let run = running.join().expect("the run's thread");
    let shown = format!("{}{}", run.stdout, run.stderr);
    assert!(
        terminated >= 2,
        "the worker's and the main session ended: {terminated}: {shown}"
    );
    assert_eq!(run.exit_code, 1, "{shown}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(50),
        "the slow node did not wait for its statement: {shown}"
    );
    let line_of = |needle: &str| {
        run.stdout
            .lines()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("`{needle}` in the output: {shown}"))
    };
    let failed = line_of("ERROR creating sql table model");
    assert!(run
        .stdout
        .lines()
        .nth(failed)
        .is_some_and(|line| line.contains(".a_slow")));
    assert!(
        shown.contains("Runtime Error in model a_slow")
            && (shown.contains("the connection to the server was lost")
                || shown.contains("terminating connection due to administrator command")),
        "the lost session is the node's error: {shown}"
    );
    assert!(line_of("SKIP relation") > 0 && run.stdout.contains(".after_slow"));
    // With one thread the order is the graph's, the same on every run:
    // `c_next` runs after the failure, on a new session.
    assert!(line_of("OK created sql view model") > failed, "{shown}");
    assert!(
        run.stdout
            .lines()
            .nth(line_of("OK created sql view model"))
            .is_some_and(|line| line.contains(".c_next")),
        "{shown}"
    );
    let warehouse = schemas.dump();
    assert!(
        !warehouse.contains(".a_slow "),
        "nothing of a_slow: {warehouse}"
    );
    for built in [
        ".b_next (BASE TABLE)",
        ".c_next (VIEW)",
        ".run_ended (BASE TABLE)",
    ] {
        assert!(warehouse.contains(built), "{built} built: {warehouse}");
    }
}
