//! Property-based fuzzing of the project loader: generated projects must
//! never make `load_project` panic or hang, and every diagnostic it reports
//! and every source map it builds must point at characters of their texts.
//! Two kinds of input: edits of the repository's fixture projects
//! (`tests/frontend/*`, `tests/projects/*`, `examples/*`, read at test time)
//! — insertions of YAML, Jinja, CSV and SQL pieces, deletions,
//! truncations, duplicated spans, files replaced by random text or bytes,
//! files added and removed — and small projects generated from those
//! pieces alone. Each case is written to a scratch folder and loaded on a
//! worker thread with a generous time budget (it only detects hangs).
//!
//! Projects that once panicked or hung live in
//! `tests/fuzz_regressions/loader/`, one folder each, and are loaded on
//! every run.
//!
//! `FUSIONC_FUZZ_CASES=<n>` sets the number of cases per strategy (default
//! 64); `FUSIONC_FUZZ_LAST_INPUT=<prefix>` writes each project to the
//! folder `<prefix>.<test>` before loading it, so an abort (a stack
//! overflow) leaves the culprit behind.

use fusion_frontend::{load_project, LoadOptions, LoadResult};
use fusionc_tests::fuzzing::{apply_mutation, run_with_budget, Mutation};
use fusionc_tests::{repository_root, sub_folders};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn case_count() -> u32 {
    fusionc_tests::fuzzing::case_count(64)
}

/// Files of a project: each path relative to the project folder, with its bytes.
type FileList = Vec<(String, Vec<u8>)>;

/// A project as files, and the `--vars` to load it with.
#[derive(Clone, Debug)]
struct ProjectFiles {
    files: FileList,
    /// The `--vars` argument.
    vars: Option<String>,
}

impl ProjectFiles {
    fn write_to(&self, folder: &Path) -> std::io::Result<()> {
        for (path, bytes) in &self.files {
            let target = folder.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(target, bytes)?;
        }
        Ok(())
    }

    /// The files as one text for a failure message: each file's path, then
    /// its contents (invalid UTF-8 replaced).
    fn describe(&self) -> String {
        let mut text = format!("--vars {:?}\n", self.vars);
        for (path, bytes) in &self.files {
            text.push_str(&format!("=== {path}\n{}\n", String::from_utf8_lossy(bytes)));
        }
        text
    }
}

/// Reads a project folder (without `target/` and `dbt_packages/`, which a
/// load does not need).
fn read_project(folder: &Path) -> FileList {
    fn walk(root: &Path, folder: &Path, files: &mut FileList) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()))
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().and_then(|name| name.to_str());
            if path.is_dir() {
                if !matches!(name, Some("target" | "dbt_packages" | "logs")) {
                    walk(root, &path, files);
                }
            } else if let Ok(relative) = path.strip_prefix(root) {
                let bytes = std::fs::read(&path)
                    .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
                files.push((relative.to_string_lossy().into_owned(), bytes));
            }
        }
    }
    let mut files = Vec::new();
    walk(folder, folder, &mut files);
    files
}

/// Every fixture project of the repository, read once per test binary.
fn fixture_projects() -> &'static [FileList] {
    static PROJECTS: OnceLock<Vec<FileList>> = OnceLock::new();
    PROJECTS.get_or_init(|| {
        let root = repository_root();
        let mut folders = Vec::new();
        for parent in ["tests/frontend", "tests/projects", "examples"] {
            folders.extend(sub_folders(&root.join(parent)));
        }
        folders
            .iter()
            .filter(|folder| folder.join("dbt_project.yml").is_file())
            .map(|folder| read_project(folder))
            .collect()
    })
}

/// Loads `project` as the CLI would (default target, `--vars`), then
/// builds every rendered node's source map. Returns how much it produced,
/// or what is wrong: a diagnostic or a mapped span off the characters of
/// its text.
fn load_and_check(folder: &Path, vars: Option<String>) -> Result<usize, String> {
    let options = LoadOptions {
        project_dir: folder.to_path_buf(),
        profiles_dir: None,
        target: None,
        vars,
        adapter_naming: fusion_driver::adapter::naming::naming_for_adapter,
    };
    let result = load_project(&options);
    check_diagnostic_spans(&result)?;
    let mut size = result.diagnostics.len() + result.files.len();
    if let Some(project) = &result.project {
        for details in &project.nodes {
            let (Some(rendered), Some(template)) = (&details.rendered, details.file) else {
                continue;
            };
            let template_file = &result.files.get(template).text;
            let map = rendered.source_map.get();
            size += map.segments.len();
            let sql = &rendered.sql;
            let boundaries: Vec<usize> = sql
                .char_indices()
                .map(|(offset, _)| offset)
                .chain([sql.len()])
                .take(4_000)
                .collect();
            for pair in boundaries.windows(2) {
                for (start, end) in [(pair[0], pair[0]), (pair[0], pair[1])] {
                    let rendered_span = fusion_ir::span::Span::from_range(start..end);
                    // On characters of the text rendered, and once widened,
                    // of the file (they differ for snapshots).
                    let span = map.template_span(rendered_span);
                    let in_file = map.template_span_in(rendered_span, template_file);
                    if !on_characters(&details.raw_code, span)
                        || !on_characters(template_file, in_file)
                    {
                        return Err(format!(
                            "{}: rendered {start}..{end} maps to {span:?}, off the characters of the template",
                            details.unique_id
                        ));
                    }
                }
            }
        }
    }
    Ok(size)
}

fn on_characters(text: &str, span: fusion_ir::span::Span) -> bool {
    span.end as usize <= text.len()
        && text.is_char_boundary(span.start as usize)
        && text.is_char_boundary(span.end as usize)
}

/// Every label of every diagnostic lies on characters of its file.
fn check_diagnostic_spans(result: &LoadResult) -> Result<(), String> {
    for diagnostic in &result.diagnostics {
        for label in diagnostic.primary.iter().chain(&diagnostic.secondary) {
            let file = result.files.get(label.location.file);
            if !on_characters(&file.text, label.location.span) {
                return Err(format!(
                    "{} `{}`: span {:?} is off the characters of {}",
                    diagnostic.code, diagnostic.message, label.location.span, file.path
                ));
            }
        }
    }
    Ok(())
}

/// Writes `project` to a scratch folder and loads it on a worker thread;
/// a panic, a hang or a misplaced span is an error naming the input.
fn check_project(project: &ProjectFiles) -> Result<usize, String> {
    if let Some(prefix) = std::env::var_os("FUSIONC_FUZZ_LAST_INPUT") {
        // One folder per test thread: the tests run in parallel.
        let mut folder = PathBuf::from(prefix).into_os_string();
        folder.push(format!(
            ".{}",
            std::thread::current().name().unwrap_or("main")
        ));
        let folder = PathBuf::from(folder);
        let _ = std::fs::remove_dir_all(&folder);
        let _ = project.write_to(&folder);
    }
    let scratch = tempfile::tempdir().map_err(|error| format!("no scratch folder: {error}"))?;
    project
        .write_to(scratch.path())
        .map_err(|error| format!("cannot write the project: {error}"))?;
    let folder = scratch.path().to_path_buf();
    let vars = project.vars.clone();
    // A load reads files and builds its own values: nothing outlives it
    // half-updated (names are interned, which a panic cannot corrupt).
    let outcome = run_with_budget("fuzz-loader".to_string(), move || {
        load_and_check(&folder, vars)
    });
    match outcome {
        Ok(Ok(size)) => Ok(size),
        Ok(Err(problem)) => Err(format!("{problem} in\n{}", project.describe())),
        Err(failure) => Err(format!("the loader {failure} on\n{}", project.describe())),
    }
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: case_count(),
        // Failures are kept as fixture folders in tests/fuzz_regressions/loader/, by hand.
        failure_persistence: None,
        max_shrink_iters: 500,
        max_shrink_time: 120_000,
        ..Config::default()
    })
}

fn fuzz_projects(label: &str, strategy: impl Strategy<Value = ProjectFiles>) {
    let mut runner = runner();
    let outcome = runner.run(&strategy, |project| {
        check_project(&project).map_err(TestCaseError::fail)?;
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{label}: {failure}");
    }
    eprintln!("{label}: {} cases", case_count());
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Pieces of project files, chosen to hit what the loader reads: YAML
/// structure and dbt's keys, Jinja delimiters and dbt's context, CSV
/// quoting, SQL, and characters of several bytes.
const PIECES: &[&str] = &[
    // YAML structure.
    ":",
    ": ",
    "- ",
    "-",
    "  ",
    "    ",
    "\n",
    "\n  ",
    "\r\n",
    "\t",
    "{",
    "}",
    "[",
    "]",
    "{}",
    "[]",
    ",",
    "'",
    "\"",
    "''",
    "|",
    "|-",
    "|+",
    ">",
    ">-",
    "&anchor ",
    "*anchor",
    "<<: *anchor",
    "!!str ",
    "!tag ",
    "---\n",
    "...\n",
    "# comment\n",
    "? ",
    "~",
    "null",
    "yes",
    "no",
    "true",
    "1",
    "-1",
    "0x1F",
    "1e3",
    ".inf",
    "2024-01-01",
    "12:30",
    "1.5",
    "\\u00e9",
    // dbt keys.
    "version: 2\n",
    "name: ",
    "name: x\n",
    "profile: ",
    "config-version: 2\n",
    "models:\n",
    "seeds:\n",
    "sources:\n",
    "snapshots:\n",
    "macros:\n",
    "tests:\n",
    "data_tests:\n",
    "unit_tests:\n",
    "exposures:\n",
    "metrics:\n",
    "functions:\n",
    "columns:\n",
    "tables:\n",
    "  - name: ",
    "description: ",
    "data_type: ",
    "config:\n",
    "+materialized: ",
    "materialized: ephemeral",
    "materialized: incremental",
    "+enabled: false\n",
    "enabled: ",
    "+schema: ",
    "alias: ",
    "database: ",
    "tags: ",
    "meta: ",
    "docs: ",
    "vars:\n",
    "column_types: ",
    "quote_columns: ",
    "unique",
    "not_null",
    "accepted_values:\n",
    "values: ",
    "relationships:\n",
    "to: ref('x')",
    "field: ",
    "arguments:\n",
    "where: ",
    "severity: warn",
    "contract: {enforced: true}",
    "freshness: ",
    "loaded_at_field: ",
    "identifier: ",
    "external: ",
    "packages:\n",
    "  - local: ",
    "  - package: ",
    "  - git: ",
    "target: ",
    "outputs:\n",
    "type: duckdb",
    "type: postgres",
    "type: snowflake",
    "path: ",
    "threads: ",
    "model-paths: ",
    "seed-paths: ",
    "macro-paths: ",
    "on-run-start: ",
    "pre-hook: ",
    "dispatch:\n",
    "query-comment: ",
    "signature: ",
    // Jinja.
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{%}",
    "{{-",
    "-}}",
    "{%-",
    "-%}",
    "{{ ",
    " }}",
    "{% ",
    " %}",
    "ref('x')",
    "ref(",
    "source('s', 't')",
    "config(",
    "config(materialized='table')",
    "var('x')",
    "var(",
    "env_var('FUSIONC_FUZZ_UNSET')",
    "env_var('HOME')",
    "doc('d')",
    "this",
    "execute",
    "is_incremental()",
    "adapter.get_relation(",
    "run_query(",
    "return(",
    "exceptions.raise_compiler_error('x')",
    "{% set l = [1, 'é'] %}",
    "{% set d = {'a': 1} %}",
    "{% do l.append(2) %}",
    "{% macro m(a, b=1) %}",
    "{% endmacro %}",
    "{% test t(model, column_name) %}",
    "{% endtest %}",
    "{% materialization m, adapter='duckdb' %}",
    "{% endmaterialization %}",
    "{% if x %}",
    "{% else %}",
    "{% endif %}",
    "{% for x in [1, 2] %}",
    "{% endfor %}",
    "{% raw %}",
    "{% endraw %}",
    "{% docs d %}",
    "{% enddocs %}",
    "{% snapshot s %}",
    "{% endsnapshot %}",
    "{% call statement('s', fetch_result=True) %}",
    "{% endcall %}",
    "| upper",
    "| as_bool",
    "~",
    "(",
    ")",
    // CSV.
    "\"a,b\"",
    "\"\"",
    "\"unclosed",
    ",,",
    "\u{feff}",
    // SQL.
    "select ",
    "from ",
    "where ",
    "'s'",
    "--",
    "/*",
    "*/",
    ";",
    "$$",
    "`",
    // Characters of several bytes, and odd ones.
    "é",
    "ę",
    "’",
    "東京",
    "🦆",
    "\u{a0}",
    "\u{200b}",
    "\u{301}",
    "\0",
    "\\",
];

/// Where added files go, one of each kind the loader reads.
const NEW_FILE_PATHS: &[&str] = &[
    "dbt_project.yml",
    "profiles.yml",
    "packages.yml",
    "dependencies.yml",
    "package-lock.yml",
    "selectors.yml",
    "models/fuzz.sql",
    "models/fuzz.yml",
    "models/fuzz.md",
    "models/nested/fuzz_two.sql",
    "models/fuzz.py",
    "seeds/fuzz_seed.csv",
    "seeds/fuzz_seed.yml",
    "macros/fuzz_macros.sql",
    "macros/fuzz.yml",
    "snapshots/fuzz_snapshot.sql",
    "tests/fuzz_test.sql",
    "tests/generic/fuzz_generic.sql",
    "analyses/fuzz_analysis.sql",
];

/// Text made of pieces, words, numbers and single characters.
fn piece_soup(max_pieces: usize) -> impl Strategy<Value = String> + Clone {
    let piece = prop_oneof![
        60 => proptest::sample::select(PIECES).prop_map(str::to_string),
        10 => "[a-z_][a-z0-9_]{0,8}",
        5 => "[0-9.,:\\-]{1,6}",
        5 => any::<char>().prop_map(String::from),
    ];
    let separator = proptest::sample::select(&[" ", "", "\n", "\n  ", ", "][..]);
    proptest::collection::vec((piece, separator), 0..max_pieces).prop_map(|pieces| {
        let mut text = String::new();
        for (piece, separator) in pieces {
            text.push_str(&piece);
            text.push_str(separator);
        }
        text
    })
}

fn random_bytes() -> impl Strategy<Value = Vec<u8>> + Clone {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        any::<String>().prop_map(String::into_bytes),
        piece_soup(60).prop_map(String::into_bytes),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> + Clone {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        4 => (any::<usize>(), piece).prop_map(|(at, piece)| Mutation::Insert { at, piece }),
        3 => (any::<usize>(), 1usize..40).prop_map(|(at, length)| Mutation::Delete { at, length }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        2 => (any::<usize>(), 1usize..80, any::<usize>())
            .prop_map(|(at, length, to)| Mutation::Duplicate { at, length, to }),
    ]
}

/// One change to a project. File indexes are taken modulo the number of files.
#[derive(Clone, Debug)]
enum ProjectEdit {
    Mutate { file: usize, mutation: Mutation },
    Replace { file: usize, bytes: Vec<u8> },
    Add { path: &'static str, bytes: Vec<u8> },
    Remove { file: usize },
}

fn project_edit() -> impl Strategy<Value = ProjectEdit> + Clone {
    prop_oneof![
        12 => (any::<usize>(), mutation())
            .prop_map(|(file, mutation)| ProjectEdit::Mutate { file, mutation }),
        2 => (any::<usize>(), random_bytes())
            .prop_map(|(file, bytes)| ProjectEdit::Replace { file, bytes }),
        2 => (proptest::sample::select(NEW_FILE_PATHS), random_bytes())
            .prop_map(|(path, bytes)| ProjectEdit::Add { path, bytes }),
        1 => any::<usize>().prop_map(|file| ProjectEdit::Remove { file }),
    ]
}

fn apply_edit(files: &mut FileList, edit: &ProjectEdit) {
    let count = files.len();
    match edit {
        ProjectEdit::Mutate { file, mutation } if count > 0 => {
            let bytes = &mut files[file % count].1;
            let mut text = String::from_utf8_lossy(bytes).into_owned();
            apply_mutation(&mut text, mutation);
            *bytes = text.into_bytes();
        }
        ProjectEdit::Replace { file, bytes } if count > 0 => {
            files[file % count].1 = bytes.clone();
        }
        ProjectEdit::Add { path, bytes } => {
            match files.iter_mut().find(|(existing, _)| existing == path) {
                Some(existing) => existing.1 = bytes.clone(),
                None => files.push(((*path).to_string(), bytes.clone())),
            }
        }
        ProjectEdit::Remove { file } if count > 0 => {
            files.remove(file % count);
        }
        _ => {}
    }
}

fn vars_argument() -> impl Strategy<Value = Option<String>> + Clone {
    prop_oneof![
        8 => Just(None),
        1 => piece_soup(12).prop_map(Some),
        1 => Just(Some("{x: 1, 'é': ’}".to_string())),
    ]
}

fn edited_fixture_projects(projects: &'static [FileList]) -> impl Strategy<Value = ProjectFiles> {
    (
        0..projects.len(),
        proptest::collection::vec(project_edit(), 1..8),
        vars_argument(),
    )
        .prop_map(move |(index, edits, vars)| {
            let mut files = projects[index].clone();
            for edit in &edits {
                apply_edit(&mut files, edit);
            }
            ProjectFiles { files, vars }
        })
}

/// A small project whose every file is soup around a skeleton that gets
/// the loader past the project file and the profile most of the time.
fn generated_projects() -> impl Strategy<Value = ProjectFiles> {
    let file = |skeleton: &'static str| {
        prop_oneof![
            2 => piece_soup(40).prop_map(move |soup| format!("{skeleton}{soup}")),
            1 => piece_soup(40),
            1 => Just(skeleton.to_string()),
        ]
    };
    (
        (
            file("name: fuzz\nprofile: fuzz\nconfig-version: 2\n"),
            file("fuzz:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ':memory:'\n"),
            file("version: 2\nmodels:\n  - name: first\n    columns:\n      - name: id\n"),
            file("select 1 as id from {{ ref('fuzz_seed') }}\n"),
        ),
        (
            file("select * from {{ ref('first') }}\n"),
            file("id,name\n1,a\n"),
            file("{% macro m(x) %}{{ x }}{% endmacro %}\n"),
            file("{% snapshot snap %}{{ config(unique_key='id', strategy='check', check_cols='all') }}select 1 as id{% endsnapshot %}\n"),
            file("{% docs d %}text{% enddocs %}\n"),
        ),
        vars_argument(),
    )
        .prop_map(
            |((project, profiles, schema, first), (second, seed, macros, snapshot, docs), vars)| {
                let files = [
                    ("dbt_project.yml", project),
                    ("profiles.yml", profiles),
                    ("models/schema.yml", schema),
                    ("models/first.sql", first),
                    ("models/second.sql", second),
                    ("seeds/fuzz_seed.csv", seed),
                    ("macros/m.sql", macros),
                    ("snapshots/snap.sql", snapshot),
                    ("models/docs.md", docs),
                ]
                .into_iter()
                .map(|(path, text)| (path.to_string(), text.into_bytes()))
                .collect();
                ProjectFiles { files, vars }
            },
        )
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn edited_fixture_projects_never_panic_or_hang() {
    let projects = fixture_projects();
    assert!(
        projects.len() >= 10,
        "too few fixture projects: {}",
        projects.len()
    );
    fuzz_projects("edited fixture projects", edited_fixture_projects(projects));
}

#[test]
fn generated_projects_never_panic_or_hang() {
    fuzz_projects("generated projects", generated_projects());
}

/// Every project that once panicked or hung, loaded again. A fixture is a
/// project folder, its files byte for byte; `vars.txt` beside its
/// `dbt_project.yml`, when there is one, is the `--vars` argument.
#[test]
fn loader_fuzz_regressions_never_panic_or_hang() {
    let folder = repository_root().join("tests/fuzz_regressions/loader");
    let projects = sub_folders(&folder);
    assert!(!projects.is_empty(), "no fixtures in {}", folder.display());
    let mut failures = Vec::new();
    for project in &projects {
        let mut files = read_project(project);
        let vars = files
            .iter()
            .position(|(path, _)| path == "vars.txt")
            .map(|index| String::from_utf8_lossy(&files.remove(index).1).into_owned());
        if let Err(failure) = check_project(&ProjectFiles { files, vars }) {
            failures.push(format!("{}: {failure}", project.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "loader fuzz regressions failed:\n{}",
        failures.join("\n")
    );
}
