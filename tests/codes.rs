//! Every diagnostic code's documented example, executed: each code of
//! `fusion_ir::codes::Code::ALL` has a fixture in `tests/codes/<code>/`,
//! run through the CLI, and the code must appear in the diagnostics it
//! prints as JSON. So an example in `ir/src/codes.rs` cannot rot: editing it
//! either changes what the fixture runs (where the fixture writes the example
//! itself) or breaks the check that the fixture quotes it.
//!
//! A fixture is a folder holding `command.txt`, whose lines are steps run in
//! order on a scratch copy of the folder (`#` starts a comment line):
//! - `example <path>`: writes the code's example to `<path>` of the copy, each
//!   line cut before its `   # ` annotation;
//! - `copy <folder>`: lays the fixture's `<folder>` over the copy;
//! - `unset <variable>`: removes an environment variable;
//! - `env <variable>=<value>`: sets an environment variable until the fixture
//!   ends; `{project}` in the value is the copy;
//! - `git-repo <path> [<tag>]`: makes the folder `<path>` of the copy a git
//!   repository of one commit on `main`, with a fixed author and date, and
//!   tags that commit `<tag>` when one is given;
//! - `dangling-link <path>`: makes `<path>` a symbolic link to nothing, a
//!   file that cannot be read;
//! - `postgres-server`: the fixture needs the Postgres server of
//!   `FUSIONC_TEST_POSTGRES_URL`; `__PG_HOST__`, `__PG_PORT__`, `__PG_USER__`,
//!   `__PG_PASSWORD__` and `__PG_DATABASE__` in its `profiles.yml` become
//!   that server's. Without a server the fixture is not run (under CI, the
//!   test fails), and the table of examples says only that it needs one, so
//!   the table is the same either way;
//! - `fusionc <arguments>`: runs the CLI; `{project}` is the copy, `{codes}`
//!   is `tests/codes`; single quotes group an argument holding spaces.
//!
//! The codes of the last command's output are what the fixture produced.
//! `__SCRATCH__` in a `profiles.yml` names the scratch folder (for DuckDB
//! files). A fixture without an `example` step must hold the example's text
//! in one of its files (a `README.md` quotes it when the fixture realises a
//! description rather than a literal input).

use fusion_ir::codes::Code;
use fusionc_tests::{copy_tree, git, repository_root};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Codes the test does not run, each with the reason it cannot.
const EXEMPT: &[(Code, &str)] = &[(
    Code::RunInterrupted,
    "needs a SIGINT delivered while a node runs; this test drives the CLI in its own process, \
     where the signal cannot be timed reliably",
)];

/// Codes whose fixture follows the example but does not produce the code,
/// because fusionc reports the fault another way or not at all. Each is a
/// bug to fix in the code path, not in the fixture; when one is fixed the
/// test fails until it leaves this list. Empty: every code with a fixture
/// produces it (the last seven left the list together: FC0011, FC4013,
/// FC5003, FC5004, FC5006, FC5007, FC5010).
const KNOWN_BROKEN: &[(Code, &str)] = &[];

fn codes_dir() -> PathBuf {
    repository_root().join("tests/codes")
}

/// The example's text as an input: each line cut before its `   # `
/// annotation, which explains the example but is not part of it.
fn example_input(example: &str) -> String {
    let mut input = String::new();
    for line in example.lines() {
        let kept = line.split_once("   # ").map_or(line, |(kept, _)| kept);
        input.push_str(kept.trim_end());
        input.push('\n');
    }
    input
}

/// Splits a command line at spaces; single quotes group.
fn split_arguments(line: &str) -> Vec<String> {
    let mut arguments = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for character in line.chars() {
        match character {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    arguments.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            other => {
                current.push(other);
                started = true;
            }
        }
    }
    if started {
        arguments.push(current);
    }
    arguments
}

/// Every `"code"` string of a JSON value, at any depth.
fn collect_codes(value: &serde_json::Value, codes: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map {
                match field {
                    serde_json::Value::String(text) if key == "code" && text.starts_with("FC") => {
                        codes.insert(text.clone());
                    }
                    _ => collect_codes(field, codes),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                collect_codes(item, codes);
            }
        }
        _ => {}
    }
}

/// The codes of the JSON a command printed: one document (`sql` commands),
/// or one object a line (`--log-format json`).
fn codes_in_output(output: &str) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(output) {
        collect_codes(&value, &mut codes);
        return codes;
    }
    for line in output.lines() {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(line) {
            collect_codes(&value, &mut codes);
        }
    }
    codes
}

/// Every file under `folder`, sorted.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", current.display()));
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

/// What running one fixture showed.
struct FixtureOutcome {
    /// Where the example is: written by a step, or quoted in a file.
    example_place: Option<String>,
    exit_code: i32,
    produced: BTreeSet<String>,
    /// The last command's output, for failure messages.
    transcript: String,
    /// The fixture runs on the Postgres server (a `postgres-server` step).
    on_postgres: bool,
    /// It does, and no server answered: nothing ran.
    skipped: bool,
}

fn run_fixture(code: Code, fixture: &Path) -> FixtureOutcome {
    let example = code.info().example;
    let input = example_input(example);
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let project = scratch.path().join("project");
    copy_tree(fixture, &project).expect("the fixture copies");
    let profiles = project.join("profiles.yml");
    if let Ok(text) = std::fs::read_to_string(&profiles) {
        let scratch_path = scratch.path().display().to_string();
        std::fs::write(&profiles, text.replace("__SCRATCH__", &scratch_path))
            .expect("the profile is written");
    }
    let commands = std::fs::read_to_string(fixture.join("command.txt"))
        .unwrap_or_else(|error| panic!("{}: no command.txt: {error}", fixture.display()));
    let mut example_place = None;
    let mut outcome = None;
    let mut variables_set = Vec::new();
    let mut on_postgres = false;
    for line in commands.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(path) = line.strip_prefix("example ") {
            let target = project.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).expect("the example's folder");
            }
            std::fs::write(&target, &input).expect("the example is written");
            example_place = Some(format!("written to {path}"));
        } else if let Some(variable) = line.strip_prefix("unset ") {
            // This binary holds one test, so no other thread reads the
            // environment while it changes.
            std::env::remove_var(variable);
        } else if let Some(assignment) = line.strip_prefix("env ") {
            let (variable, value) = assignment
                .split_once('=')
                .unwrap_or_else(|| panic!("{}: `env` needs NAME=value", fixture.display()));
            let value = value.replace("{project}", &project.display().to_string());
            // As for `unset`: no other thread reads the environment.
            std::env::set_var(variable, value);
            variables_set.push(variable.to_string());
        } else if let Some(path_and_tag) = line.strip_prefix("git-repo ") {
            let (path, tag) = match path_and_tag.split_once(' ') {
                Some((path, tag)) => (path, Some(tag)),
                None => (path_and_tag, None),
            };
            let folder = project.join(path);
            git(&folder, &["init", "-q", "-b", "main"]);
            git(&folder, &["add", "-A"]);
            git(&folder, &["commit", "-qm", "fixture"]);
            if let Some(tag) = tag {
                git(&folder, &["tag", tag]);
            }
        } else if let Some(path) = line.strip_prefix("dangling-link ") {
            // A link to a file that does not exist: unreadable even by root,
            // whom permissions do not stop.
            let target = project.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).expect("the link's folder");
            }
            std::os::unix::fs::symlink(project.join("no-such-file"), &target)
                .expect("the dangling link is made");
        } else if line == "postgres-server" {
            on_postgres = true;
            let Some(server) =
                fusionc_tests::postgres_test_server(&format!("the example of {}", code.as_str()))
            else {
                return FixtureOutcome {
                    example_place: Some("on the Postgres server".to_string()),
                    exit_code: 0,
                    produced: BTreeSet::new(),
                    transcript: String::new(),
                    on_postgres,
                    skipped: true,
                };
            };
            let text = std::fs::read_to_string(&profiles).expect("the fixture has a profiles.yml");
            let quoted = |value: &str| serde_json::Value::String(value.to_string()).to_string();
            let filled = text
                .replace("__PG_HOST__", &quoted(&server.host))
                .replace("__PG_PORT__", &server.port.to_string())
                .replace("__PG_USER__", &quoted(&server.user))
                .replace(
                    "__PG_PASSWORD__",
                    &quoted(server.password().unwrap_or_default()),
                )
                .replace("__PG_DATABASE__", &quoted(&server.database));
            std::fs::write(&profiles, filled).expect("the profile is written");
        } else if let Some(folder) = line.strip_prefix("copy ") {
            copy_tree(&fixture.join(folder), &project).expect("the step's files copy");
        } else if let Some(arguments) = line.strip_prefix("fusionc ") {
            let arguments: Vec<String> = split_arguments(arguments)
                .into_iter()
                .map(|argument| {
                    argument
                        .replace("{project}", &project.display().to_string())
                        .replace("{codes}", &codes_dir().display().to_string())
                })
                .collect();
            let run = fusionc_tests::run_cli(&arguments);
            outcome = Some((
                run.exit_code,
                codes_in_output(&run.stdout),
                format!(
                    "$ fusionc {}\nexit code {}\n--- stdout\n{}--- stderr\n{}",
                    arguments.join(" "),
                    run.exit_code,
                    run.stdout,
                    run.stderr
                ),
            ));
        } else {
            panic!("{}: unknown step `{line}`", fixture.display());
        }
    }
    for variable in variables_set {
        std::env::remove_var(variable);
    }
    let Some((exit_code, produced, transcript)) = outcome else {
        panic!("{}: command.txt runs no fusionc command", fixture.display());
    };
    if example_place.is_none() {
        example_place = files_under(fixture).into_iter().find_map(|file| {
            let text = String::from_utf8_lossy(&std::fs::read(&file).ok()?).into_owned();
            let holds = text.contains(example) || text.contains(input.trim_end());
            let relative = file.strip_prefix(fixture).ok()?.display().to_string();
            holds.then(|| format!("quoted in {relative}"))
        });
    }
    FixtureOutcome {
        example_place,
        exit_code,
        produced,
        transcript,
        on_postgres,
        skipped: false,
    }
}

fn listed(list: &[(Code, &'static str)], code: Code) -> Option<&'static str> {
    list.iter()
        .find(|(listed, _)| *listed == code)
        .map(|(_, reason)| *reason)
}

#[test]
fn every_code_is_produced_by_its_documented_example() {
    let mut table = String::new();
    let mut failures = Vec::new();
    for &code in Code::ALL {
        let info = code.info();
        let fixture = codes_dir().join(info.code);
        let exemption = listed(EXEMPT, code);
        let _ = write!(table, "{} {}: ", info.code, info.name);
        match (exemption, fixture.is_dir()) {
            (Some(reason), false) => {
                let _ = writeln!(table, "exempt: {reason}");
                continue;
            }
            (Some(_), true) => {
                failures.push(format!(
                    "{}: exempt, yet tests/codes/{} exists: drop the exemption",
                    info.code, info.code
                ));
                continue;
            }
            (None, false) => {
                let _ = writeln!(table, "NO FIXTURE");
                failures.push(format!(
                    "{} ({}) has no fixture: add tests/codes/{}/command.txt",
                    info.code, info.name, info.code
                ));
                continue;
            }
            (None, true) => {}
        }
        let outcome = run_fixture(code, &fixture);
        if outcome.on_postgres {
            // The same line with a server or without one (see the module's
            // documentation); what the fixture produced is checked below.
            let _ = writeln!(
                table,
                "tests/codes/{}, on the Postgres server of FUSIONC_TEST_POSTGRES_URL",
                info.code
            );
            if !outcome.skipped && !outcome.produced.contains(info.code) {
                failures.push(format!(
                    "{}: its example does not produce it\n{}",
                    info.code, outcome.transcript
                ));
            }
            continue;
        }
        let produced_list: Vec<&str> = outcome.produced.iter().map(String::as_str).collect();
        let produced = outcome.produced.contains(info.code);
        let _ = writeln!(
            table,
            "tests/codes/{}, example {}, exit code {}, produced [{}]{}",
            info.code,
            outcome.example_place.as_deref().unwrap_or("MISSING"),
            outcome.exit_code,
            produced_list.join(", "),
            match (produced, listed(KNOWN_BROKEN, code)) {
                (true, _) => String::new(),
                (false, Some(reason)) => format!(", KNOWN BROKEN: {reason}"),
                (false, None) => ", NOT PRODUCED".to_string(),
            }
        );
        if outcome.example_place.is_none() {
            failures.push(format!(
                "{}: tests/codes/{} neither writes the example (an `example` step) nor quotes it:\n{}",
                info.code, info.code, info.example
            ));
        }
        match (produced, listed(KNOWN_BROKEN, code)) {
            (false, None) => failures.push(format!(
                "{}: its example does not produce it\n{}",
                info.code, outcome.transcript
            )),
            (true, Some(_)) => failures.push(format!(
                "{}: listed as known broken but produced now: drop it from KNOWN_BROKEN",
                info.code
            )),
            _ => {}
        }
    }
    for folder in fusionc_tests::sub_folders(&codes_dir()) {
        let name = folder
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        if !Code::ALL.iter().any(|code| code.as_str() == name) {
            failures.push(format!("tests/codes/{name} names no registered code"));
        }
    }
    assert!(failures.is_empty(), "{}\n\n{table}", failures.join("\n\n"));
    insta::assert_snapshot!("codes_examples", table);
}
