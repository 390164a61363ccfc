//! Property-based fuzzing of the project loader: generated projects must
//! never make `load_project` panic or hang, and every diagnostic it reports
//! and every source map it builds must point at characters of their texts.
//! Three kinds of input: edits of the text of the repository's fixture
//! projects (`tests/frontend/*`, `tests/projects/*`, `examples/*`, read at
//! test time) — insertions of YAML, Jinja, CSV and SQL pieces, deletions,
//! truncations, duplicated spans, files replaced by random text or bytes,
//! files added and removed; edits of the values of their YAML files
//! (a node replaced by a value of another kind, wrapped in a list, a key
//! removed or added), written back as JSON; and small projects generated
//! from the pieces alone. Each case is written to a scratch folder and loaded on a
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

/// Values a YAML node is replaced with: every JSON kind, text of several
/// bytes per character, Jinja, and shapes dbt's keys take elsewhere.
fn replacement_value() -> impl Strategy<Value = serde_json::Value> + Clone {
    use serde_json::json;
    proptest::sample::select(vec![
        json!(null),
        json!(true),
        json!(false),
        json!(0),
        json!(-1),
        json!(4_294_967_296_i64),
        json!(1.5),
        json!(""),
        json!("x"),
        json!("é’🦆"),
        json!("{{ ref('x') }}"),
        json!("{{ var('x') }}"),
        json!("{{"),
        json!("ref('x')"),
        json!("table"),
        json!([]),
        json!(["a"]),
        json!([null]),
        json!([{}]),
        json!({}),
        json!({"name": "x"}),
        json!({"name": null}),
        json!({"+enabled": false}),
        json!({"enabled": "{{ true }}"}),
        json!({"arguments": {"values": [1]}}),
    ])
}

/// Keys a mapping gains: dbt's, and odd ones.
const ADDED_KEYS: &[&str] = &[
    "name",
    "description",
    "config",
    "columns",
    "tests",
    "data_tests",
    "tables",
    "versions",
    "latest_version",
    "v",
    "meta",
    "tags",
    "enabled",
    "+enabled",
    "materialized",
    "+materialized",
    "column_types",
    "+column_types",
    "contract",
    "constraints",
    "data_type",
    "to",
    "field",
    "values",
    "arguments",
    "where",
    "docs",
    "freshness",
    "loaded_at_field",
    "external",
    "quoting",
    "identifier",
    "schema",
    "database",
    "alias",
    "vars",
    "packages",
    "local",
    "git",
    "revision",
    "outputs",
    "target",
    "type",
    "threads",
    "",
    "é",
];

/// One change to the value of a YAML file; nodes are numbered in
/// pre-order and taken modulo their count.
#[derive(Clone, Debug)]
enum Reshape {
    Replace {
        node: usize,
        with: serde_json::Value,
    },
    WrapInList {
        node: usize,
    },
    RemoveKey {
        node: usize,
        key: usize,
    },
    AddKey {
        node: usize,
        key: &'static str,
        value: serde_json::Value,
    },
}

fn reshape() -> impl Strategy<Value = Reshape> + Clone {
    prop_oneof![
        4 => (any::<usize>(), replacement_value())
            .prop_map(|(node, with)| Reshape::Replace { node, with }),
        1 => any::<usize>().prop_map(|node| Reshape::WrapInList { node }),
        2 => (any::<usize>(), any::<usize>())
            .prop_map(|(node, key)| Reshape::RemoveKey { node, key }),
        2 => (any::<usize>(), proptest::sample::select(ADDED_KEYS), replacement_value())
            .prop_map(|(node, key, value)| Reshape::AddKey { node, key, value }),
    ]
}

fn count_nodes(value: &serde_json::Value) -> usize {
    1 + match value {
        serde_json::Value::Array(items) => items.iter().map(count_nodes).sum(),
        serde_json::Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The node at pre-order position `target` (counting from `*seen`).
fn node_at<'v>(
    value: &'v mut serde_json::Value,
    target: usize,
    seen: &mut usize,
) -> Option<&'v mut serde_json::Value> {
    if *seen == target {
        return Some(value);
    }
    *seen += 1;
    match value {
        serde_json::Value::Array(items) => items
            .iter_mut()
            .find_map(|item| node_at(item, target, seen)),
        serde_json::Value::Object(map) => map
            .values_mut()
            .find_map(|item| node_at(item, target, seen)),
        _ => None,
    }
}

fn apply_reshape(value: &mut serde_json::Value, edit: &Reshape) {
    let count = count_nodes(value);
    let (Reshape::Replace { node, .. }
    | Reshape::WrapInList { node }
    | Reshape::RemoveKey { node, .. }
    | Reshape::AddKey { node, .. }) = edit;
    let Some(target) = node_at(value, node % count, &mut 0) else {
        return;
    };
    match edit {
        Reshape::Replace { with, .. } => *target = with.clone(),
        Reshape::WrapInList { .. } => *target = serde_json::Value::Array(vec![target.take()]),
        Reshape::RemoveKey { key, .. } => {
            if let Some(map) = target.as_object_mut() {
                if let Some(name) = map.keys().nth(key % map.len().max(1)).cloned() {
                    map.remove(&name);
                }
            }
        }
        Reshape::AddKey { key, value, .. } => {
            if let Some(map) = target.as_object_mut() {
                map.insert((*key).to_string(), value.clone());
            }
        }
    }
}

/// Fixture projects whose YAML files are parsed, reshaped as values (a
/// list where a mapping was, a key gone, a number for a name) and written
/// back as JSON, which is YAML: this reaches the code that reads dbt's
/// keys, past the YAML parser.
fn reshaped_fixture_projects(projects: &'static [FileList]) -> impl Strategy<Value = ProjectFiles> {
    (
        0..projects.len(),
        proptest::collection::vec((any::<usize>(), reshape()), 1..6),
    )
        .prop_map(move |(index, edits)| {
            let mut files = projects[index].clone();
            let yaml_files: Vec<usize> = files
                .iter()
                .enumerate()
                .filter(|(_, (path, _))| path.ends_with(".yml") || path.ends_with(".yaml"))
                .map(|(position, _)| position)
                .collect();
            if yaml_files.is_empty() {
                return ProjectFiles { files, vars: None };
            }
            for (file, edit) in &edits {
                let bytes = &mut files[yaml_files[file % yaml_files.len()]].1;
                let text = String::from_utf8_lossy(bytes);
                let parsed = fusion_frontend::yaml::parse_yaml(
                    &text,
                    fusion_ir::span::FileId(0),
                    &mut Vec::new(),
                );
                let Ok(mut value) = parsed else {
                    continue;
                };
                apply_reshape(&mut value, edit);
                *bytes = serde_json::to_string_pretty(&value)
                    .unwrap_or_default()
                    .into_bytes();
            }
            ProjectFiles { files, vars: None }
        })
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
fn reshaped_fixture_projects_never_panic_or_hang() {
    fuzz_projects(
        "reshaped fixture projects",
        reshaped_fixture_projects(fixture_projects()),
    );
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
