//! One state for concurrent jobs (issue 17 item 6, issue 18 item 4), on the
//! Postgres server, where several jobs write at once: two builds started
//! together with overlapping selections never build the same node at the
//! same time, and each node is built once (the other job reuses it); a lease
//! left by a job that died is taken over; a job waits while another holds a
//! node's lease. The project is `tests/concurrent/jobs`, built in a schema
//! of its own that is dropped afterwards.
//!
//! On a DuckDB file, which one process writes at a time, the second job
//! says so at once, or waits with `--wait`
//! (`a_duckdb_file_held_by_another_process_stops_the_job_or_makes_it_wait`).
//!
//! The two jobs run in two threads of this process (each with its own
//! invocation, connections and leases), as two processes would.
//!
//! The server is `FUSIONC_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When none answers, the tests
//! say how to point them at one and pass, except under CI (`CI` set).

use fusion_driver::adapter::postgres::{PostgresAdapter, PostgresSettings};
use fusion_driver::adapter::{Adapter, Connection};
use fusionc_tests::{copy_tree, postgres_test_server, repository_root, run_cli, CliRun};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// The project in a scratch folder, with a profile on the test server in
/// `schema`, and the server's connection that cleans up after the test.
struct Scratch {
    _folder: tempfile::TempDir,
    project: PathBuf,
    schema: String,
    connection: Box<dyn Connection>,
}

impl Scratch {
    fn new(settings: &PostgresSettings, label: &str) -> Scratch {
        let folder = tempfile::tempdir().expect("a scratch folder");
        let project = folder.path().join("project");
        copy_tree(&repository_root().join("tests/concurrent/jobs"), &project)
            .expect("the fixture copies");
        let schema = format!("fct_jobs_{label}_{:08x}", std::process::id());
        let profile = format!(
            "concurrent_jobs:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: \"{}\"\n      port: {}\n      user: \"{}\"\n      password: unused\n      dbname: \"{}\"\n      schema: \"{schema}\"\n      threads: 2\n",
            settings.host,
            settings.port,
            settings.user,
            settings.database
        );
        std::fs::write(project.join("profiles.yml"), profile).expect("the profile is written");
        let adapter = PostgresAdapter::new(settings.clone()).expect("the adapter");
        let connection = adapter.connect().expect("a connection to the test server");
        let mut scratch = Scratch {
            _folder: folder,
            project,
            schema,
            connection,
        };
        scratch.clean();
        scratch
    }

    fn clean(&mut self) {
        let _ = self.connection.execute(&format!(
            "drop schema if exists \"{}\" cascade",
            self.schema
        ));
        for table in ["node_state", "build_log", "source_markers", "leases"] {
            let _ = self.connection.execute(&format!(
                "delete from fusionc_state.{table} where target like '%/{}'",
                self.schema
            ));
        }
    }

    fn fusionc(&self, arguments: &[&str]) -> CliRun {
        fusionc(&self.project, arguments)
    }

    fn query(&mut self, sql: &str) -> Vec<Vec<String>> {
        let table = self.connection.query(sql, None).expect(sql);
        table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|value| match value {
                        serde_json::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    /// How many times the build log says each model and seed was built,
    /// over every job that built into this schema.
    fn builds(&mut self) -> BTreeMap<String, usize> {
        let rows = self.query(&format!(
            "select unique_id, count(*) from fusionc_state.build_log \
             where target like '%/{}' and status = 'success' \
             and (unique_id like 'model.%' or unique_id like 'seed.%') group by unique_id order by 1",
            self.schema
        ));
        rows.into_iter()
            .map(|row| (row[0].clone(), row[1].parse().unwrap_or(0)))
            .collect()
    }

    /// The rows of the project's relations, sorted.
    fn relations(&mut self) -> String {
        let mut text = String::new();
        for name in [
            "orders",
            "slow_orders",
            "customer_totals",
            "big_customers",
            "report",
        ] {
            let mut rows: Vec<String> = self
                .query(&format!("select * from \"{}\".\"{name}\"", self.schema))
                .into_iter()
                .map(|row| row.join(" | "))
                .collect();
            rows.sort();
            let _ = writeln!(text, "== {name}");
            for row in rows {
                let _ = writeln!(text, "   {row}");
            }
        }
        text
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.clean();
    }
}

fn fusionc(project: &Path, arguments: &[&str]) -> CliRun {
    let mut all: Vec<String> = arguments.iter().map(|text| text.to_string()).collect();
    all.push("--project-dir".into());
    all.push(project.display().to_string());
    run_cli(&all)
}

fn describe(run: &CliRun) -> String {
    format!(
        "exit code {}\n--- stdout\n{}--- stderr\n{}",
        run.exit_code, run.stdout, run.stderr
    )
}

/// Two builds started together, one of everything and one of `slow_orders+`:
/// each model is built once, by one job or the other, and the other reuses
/// it; both succeed, and the warehouse holds what one build would.
#[test]
fn two_concurrent_builds_build_each_node_once() {
    let Some(settings) = postgres_test_server("the concurrent jobs tests") else {
        return;
    };
    let mut scratch = Scratch::new(&settings, "pair");
    let seeded = scratch.fusionc(&["seed"]);
    assert_eq!(seeded.exit_code, 0, "{}", describe(&seeded));
    let barrier = Barrier::new(2);
    let project = scratch.project.clone();
    let (everything, downstream) = std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            barrier.wait();
            fusionc(&project, &["build"])
        });
        let second = scope.spawn(|| {
            barrier.wait();
            fusionc(&project, &["build", "--select", "slow_orders+"])
        });
        (
            first.join().expect("the first job"),
            second.join().expect("the second job"),
        )
    });
    assert_eq!(everything.exit_code, 0, "{}", describe(&everything));
    assert_eq!(downstream.exit_code, 0, "{}", describe(&downstream));
    let builds = scratch.builds();
    let mut summary = String::new();
    for (unique_id, count) in &builds {
        let _ = writeln!(summary, "{unique_id}: built {count} time(s)");
    }
    summary.push_str(&scratch.relations());
    insta::assert_snapshot!("two_concurrent_builds", summary);
    // The jobs met: one of them found a node built or being built by the
    // other (the slow model holds its lease for over a second).
    let met = [&everything, &downstream]
        .iter()
        .any(|run| run.stdout.contains("WAIT ") || run.stdout.contains("Built meanwhile by"));
    assert!(
        met,
        "the jobs never met:\n{}\n{}",
        describe(&everything),
        describe(&downstream)
    );
    // Nothing is left holding a lease.
    let leases = scratch.query(&format!(
        "select unique_id from fusionc_state.leases where target like '%/{}'",
        scratch.schema
    ));
    assert!(leases.is_empty(), "leases left behind: {leases:?}");
}

/// A lease another job holds makes the build wait for it, and say for whom;
/// once released, the build goes on. A lease that expired, or whose holder
/// is a process of this machine that is gone, is taken over at once.
#[test]
fn a_held_lease_is_waited_for_and_a_dead_one_taken_over() {
    let Some(settings) = postgres_test_server("the concurrent jobs tests") else {
        return;
    };
    let mut scratch = Scratch::new(&settings, "lease");
    let first = scratch.fusionc(&["build"]);
    assert_eq!(first.exit_code, 0, "{}", describe(&first));
    let target = scratch.query(&format!(
        "select distinct target from fusionc_state.node_state where target like '%/{}'",
        scratch.schema
    ));
    let target = target[0][0].clone();
    let hold = |scratch: &mut Scratch, host: &str, pid: u32, expires_in: f64| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("the clock")
            .as_secs_f64();
        scratch
            .connection
            .execute(&format!(
                "insert into fusionc_state.leases (target, unique_id, invocation_id, host, pid, \
                 acquired_epoch, expires_epoch) values ('{target}', 'model.concurrent_jobs.customer_totals', \
                 'another-job', '{host}', {pid}, {now}, {})",
                now + expires_in
            ))
            .expect("the lease is written");
    };
    // The models must be built again: their code changes (one more column).
    let mut revision = 0;
    let mut touch = |project: &Path| {
        revision += 1;
        for name in ["customer_totals", "report"] {
            let path = project.join(format!("models/{name}.sql"));
            let text = std::fs::read_to_string(&path).expect("the model");
            let changed = text.replacen(
                "\nfrom",
                &format!(", {revision} as revision_{revision}\nfrom"),
                1,
            );
            std::fs::write(&path, changed).expect("the model is written");
        }
    };

    // An expired lease of a job elsewhere: taken over.
    touch(&scratch.project);
    hold(&mut scratch, "elsewhere", 1, -5.0);
    let shown = scratch.fusionc(&["state", "show"]);
    assert!(
        shown.stdout.contains(
            "model.concurrent_jobs.customer_totals  being built by job another-job (process 1 on elsewhere)  lease expired (the next job takes it over)"
        ),
        "{}",
        describe(&shown)
    );
    let expired = scratch.fusionc(&["build"]);
    assert_eq!(expired.exit_code, 0, "{}", describe(&expired));
    assert!(!expired.stdout.contains("WAIT "), "{}", describe(&expired));

    // A live lease of a process of this machine that is gone: taken over.
    let mut gone = std::process::Command::new("true")
        .spawn()
        .expect("a short process");
    let gone_pid = gone.id();
    gone.wait().expect("it ends");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .unwrap_or_default();
    if !host.is_empty() {
        touch(&scratch.project);
        hold(&mut scratch, &host, gone_pid, 60.0);
        let taken = scratch.fusionc(&["build"]);
        assert_eq!(taken.exit_code, 0, "{}", describe(&taken));
        assert!(!taken.stdout.contains("WAIT "), "{}", describe(&taken));
    }

    // A live lease of a job elsewhere: the build waits until it is released.
    touch(&scratch.project);
    hold(&mut scratch, "elsewhere", 1, 60.0);
    let scratch_schema = scratch.schema.clone();
    let project = scratch.project.clone();
    let waiting = std::thread::scope(|scope| {
        let job = scope.spawn(|| fusionc(&project, &["build"]));
        // Released once the job is seen asking for the lease it waits for
        // (the server shows each session's last statement).
        let mut watcher = PostgresAdapter::new(settings.clone())
            .expect("the adapter")
            .connect()
            .expect("a connection");
        let started = Instant::now();
        loop {
            let asking = watcher
                .query(
                    &format!(
                        "select count(*) from pg_catalog.pg_stat_activity \
                         where query like 'select invocation_id, host, pid from%leases%{}%customer_totals%' \
                         and pid <> pg_backend_pid()",
                        scratch_schema
                    ),
                    None,
                )
                .map(|table| table.rows[0][0].as_i64().unwrap_or(0))
                .unwrap_or(0);
            if asking > 0 || job.is_finished() || started.elapsed() > Duration::from_secs(120) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(500));
        watcher
            .execute("delete from fusionc_state.leases where invocation_id = 'another-job'")
            .expect("the lease is released");
        job.join().expect("the job")
    });
    assert_eq!(waiting.exit_code, 0, "{}", describe(&waiting));
    let line = waiting
        .stdout
        .lines()
        .find(|line| line.contains("WAIT "))
        .unwrap_or_else(|| panic!("no WAIT line:\n{}", describe(&waiting)));
    assert!(
        line.contains("customer_totals")
            && line.contains("job another-job (process 1 on elsewhere)"),
        "{line}"
    );
    assert!(
        waiting
            .stdout
            .lines()
            .any(|line| line.contains("OK created sql table model")
                && line.contains("customer_totals")),
        "built once released:\n{}",
        describe(&waiting)
    );
}

/// Run by the DuckDB test in a process of its own (this test binary again,
/// with `FUSIONC_TEST_HOLD_DUCKDB` set): holds the DuckDB file open for
/// writing until the file `<path>.release` appears. Does nothing otherwise.
#[test]
fn holder_process() {
    let Some(path) = std::env::var_os("FUSIONC_TEST_HOLD_DUCKDB") else {
        return;
    };
    let path = PathBuf::from(path);
    let adapter = fusion_driver::adapter::duckdb::DuckDbAdapter::open_with(
        &path.display().to_string(),
        &Default::default(),
    )
    .expect("the holder opens the file");
    let mut connection = adapter.connect().expect("a connection");
    connection
        .execute("create table if not exists held as select 1 as one")
        .expect("the holder writes");
    println!("holding {}", path.display());
    let release = path.with_extension("release");
    let started = Instant::now();
    while !release.exists() && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Issue 17 item 6 on a DuckDB file: while another process holds the file,
/// `build` stops at once with a coded error that says why and what to do;
/// with `--wait` it waits, says so, and builds once the file is free.
#[test]
fn a_duckdb_file_held_by_another_process_stops_the_job_or_makes_it_wait() {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(
        &repository_root().join("tests/concurrent/duckdb_file"),
        &project,
    )
    .expect("the fixture copies");
    let database = scratch.path().join("warehouse.duckdb");
    let said = scratch.path().join("holder.txt");
    let mut holder = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "holder_process",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("FUSIONC_TEST_HOLD_DUCKDB", &database)
        .stdout(std::fs::File::create(&said).expect("the holder's output file"))
        .spawn()
        .expect("the holder starts");
    let started = Instant::now();
    let held = loop {
        let text = std::fs::read_to_string(&said).unwrap_or_default();
        if text.contains("holding ") {
            break true;
        }
        if started.elapsed() > Duration::from_secs(120) || matches!(holder.try_wait(), Ok(Some(_)))
        {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        held,
        "the holder never held the file: {}",
        std::fs::read_to_string(&said).unwrap_or_default()
    );
    let profile = std::fs::read_to_string(project.join("profiles.yml")).expect("the profile");
    std::fs::write(
        project.join("profiles.yml"),
        profile.replace("__DATABASE__", &database.display().to_string()),
    )
    .expect("the profile is written");

    // Started first, so that it waits while the other job is refused.
    let (stopped, waited) = std::thread::scope(|scope| {
        let waiting = scope.spawn(|| fusionc(&project, &["build", "--wait"]));
        let stopped = fusionc(&project, &["build"]);
        std::thread::sleep(Duration::from_millis(1000));
        std::fs::write(database.with_extension("release"), "").expect("the release file");
        (stopped, waiting.join().expect("the waiting job"))
    });
    let _ = holder.wait();
    let masked = stopped
        .stderr
        .replace(&database.display().to_string(), "[database]")
        .replace(&scratch.path().display().to_string(), "[scratch]");
    let masked = mask_lock_holder(&masked);
    insta::assert_snapshot!(
        "duckdb_file_held",
        format!(
            "exit code {}\n--- stdout\n{}--- stderr\n{masked}",
            stopped.exit_code, stopped.stdout
        )
    );

    assert_eq!(waited.exit_code, 0, "{}", describe(&waited));
    assert!(
        waited
            .stderr
            .contains("Waiting for the warehouse: another process holds it (--wait)"),
        "{}",
        describe(&waited)
    );
    assert!(
        waited.stdout.contains("OK created sql table model"),
        "{}",
        describe(&waited)
    );
}

/// DuckDB names the program and process that hold a file's lock
/// (`held in /path/to/program (PID 1234)`).
fn mask_lock_holder(text: &str) -> String {
    let (Some(start), Some(end)) = (text.find("is held in "), text.find(")")) else {
        return text.to_string();
    };
    if end < start {
        return text.to_string();
    }
    format!(
        "{}is held in [program] (PID [pid]){}",
        &text[..start],
        &text[end + 1..]
    )
}
