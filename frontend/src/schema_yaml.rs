//! Schema YAML files (`models/**/*.yml`): model, seed and source
//! declarations with descriptions, columns, configs and generic tests.
//! Unknown keys are accepted; wrong shapes become FC0003 diagnostics, and
//! unknown keys of a `config:` FC0011 warnings.

use crate::config_keys::unknown_config_key;
use crate::quoting::QuotingConfig;
use crate::yaml::{describe_kind, field, find_key_span};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::NodeKind;
use fusion_ir::span::{FileId, Span};
use serde_json::{Map, Value};

/// A column declared in YAML.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColumnInfo {
    pub name: String,
    /// The type as written in YAML; the dialect converts it.
    pub data_type: Option<String>,
    pub description: String,
    /// Unique ids of the docs blocks the description calls with `doc()`.
    pub doc_blocks: Vec<String>,
    /// The test names declared on the column (`not_null`, `unique`, ...).
    pub tests: Vec<String>,
    pub constraints: Vec<serde_json::Value>,
    pub meta: serde_json::Map<String, serde_json::Value>,
    /// Where the column is declared: its `name` in the YAML file.
    pub location: Option<fusion_ir::span::FileSpan>,
}

/// A user-defined function declared under `functions:` in a schema YAML
/// file, in the signature language of the dialect catalogs: either a whole
/// signature (`"clean_phone(raw varchar) -> varchar"`) or a name and a
/// signature (`{name: clean_phone, signature: "(raw varchar) -> varchar"}`).
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDeclaration {
    pub name: Option<String>,
    pub signature: String,
    pub location: fusion_ir::span::FileSpan,
}

/// A generic test as declared in YAML.
#[derive(Clone, Debug, PartialEq)]
pub struct TestSpec {
    /// `not_null`, `accepted_values`, ... (without the namespace).
    pub test_name: String,
    /// `dbt_utils` in `dbt_utils.expression_is_true`.
    pub namespace: Option<String>,
    pub column_name: Option<String>,
    /// Arguments, inline or from `arguments:`.
    pub kwargs: Map<String, Value>,
    pub config: Map<String, Value>,
    /// The test's own `name:`, which replaces the name dbt makes up.
    pub custom_name: Option<String>,
}

/// The configs dbt accepts at the top of a generic test's entry (dbt's
/// `TestBuilder.CONFIG_ARGS`): they are the test's config, not arguments.
const TEST_CONFIG_ARGS: [&str; 14] = [
    "severity",
    "tags",
    "enabled",
    "where",
    "limit",
    "warn_if",
    "error_if",
    "fail_calc",
    "store_failures",
    "store_failures_as",
    "meta",
    "database",
    "schema",
    "alias",
];

/// The YAML declaration of a model, seed, snapshot or analysis.
#[derive(Clone, Debug)]
pub struct NodePatch {
    pub name: String,
    /// The project or package whose YAML declares it (set by the loader).
    pub package: String,
    pub description: String,
    /// Unique ids of the docs blocks the description calls with `doc()`.
    pub doc_blocks: Vec<String>,
    pub columns: Vec<ColumnInfo>,
    pub config: Map<String, Value>,
    /// Model-level and column-level tests, in file order.
    pub tests: Vec<TestSpec>,
    pub file: FileId,
    pub yaml_path: String,
    /// Where `name: <name>` is written.
    pub name_span: Span,
    /// A versioned model's `latest_version:`.
    pub latest_version: Option<String>,
    /// A model's `deprecation_date:`.
    pub deprecation_date: Option<String>,
    /// A model's `time_spine:` (MetricFlow's), as dbt records it:
    /// `standard_granularity_column` and `custom_granularities` (empty
    /// unless written).
    pub time_spine: Option<Value>,
    /// A versioned model's `versions:`.
    pub versions: Vec<VersionDecl>,
}

/// One entry of a model's `versions:`.
#[derive(Clone, Debug)]
pub struct VersionDecl {
    /// Its `v:`.
    pub version: String,
    /// Its `defined_in:`: the file (without `.sql`) that defines it.
    pub defined_in: Option<String>,
    pub config: Map<String, Value>,
    /// Which of the model's columns it has: from `include:`/`exclude:`
    /// (all of them when it names none).
    pub include: ColumnSelection,
    /// Its own columns, which replace the model's of the same name.
    pub columns: Vec<ColumnInfo>,
    /// Its own tests and its columns' tests.
    pub tests: Vec<TestSpec>,
    pub description: Option<String>,
    /// Its `deprecation_date:` (the model's when it has none).
    pub deprecation_date: Option<String>,
    /// Where `v: <version>` is written.
    pub span: Span,
}

/// A version's `include:` and `exclude:` of its model's columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColumnSelection {
    /// `None` for `all` (or `*`, or no `include:`).
    pub include: Option<Vec<String>>,
    pub exclude: Vec<String>,
}

impl ColumnSelection {
    pub fn includes(&self, column: &str) -> bool {
        self.include
            .as_ref()
            .is_none_or(|names| names.iter().any(|name| name == column))
            && !self.exclude.iter().any(|name| name == column)
    }
}

/// A table of a declared source.
#[derive(Clone, Debug)]
pub struct SourceTableDecl {
    pub name: String,
    /// Where `name: <name>` is written (in the source's file).
    pub name_span: Span,
    pub identifier: String,
    pub description: String,
    /// Unique ids of the docs blocks the description calls with `doc()`.
    pub doc_blocks: Vec<String>,
    pub columns: Vec<ColumnInfo>,
    pub tests: Vec<TestSpec>,
    pub config: Map<String, Value>,
    /// The source's and the table's `meta:` and `config:` entries merged,
    /// later ones winning (source meta, table meta, source config, table
    /// config), as dbt-duckdb reads them: an `external_location` there makes
    /// `source()` render a file location (see `loader::external_source_text`).
    pub adapter_settings: Map<String, Value>,
    /// The table's `quoting:` (over its source's).
    pub quoting: QuotingConfig,
}

/// A `sources:` entry.
#[derive(Clone, Debug)]
pub struct SourceDecl {
    pub name: String,
    /// The project or package whose YAML declares it (set by the loader).
    pub package: String,
    /// The source's own `config:` (its tables' apply over it).
    pub config: Map<String, Value>,
    pub database: Option<String>,
    pub schema: String,
    pub loader: String,
    pub description: String,
    pub tables: Vec<SourceTableDecl>,
    /// The source's `quoting:`: which parts of its tables' names `source()`
    /// quotes, over the adapter's policy.
    pub quoting: QuotingConfig,
    pub file: FileId,
    pub yaml_path: String,
    pub name_span: Span,
}

/// A YAML entry of a resource that never runs: an exposure, a semantic
/// model, a metric, a saved query or a group (see [`DeclaredKind`]). Its
/// fields stay as written; the loader resolves what it depends on.
#[derive(Clone, Debug)]
pub struct ResourceDecl {
    pub kind: DeclaredKind,
    pub name: String,
    /// The project or package whose YAML declares it (set by the loader).
    pub package: String,
    /// The entry as written.
    pub entry: Map<String, Value>,
    /// Its `config:`.
    pub config: Map<String, Value>,
    pub file: FileId,
    pub yaml_path: String,
    /// The YAML file's path under its resource folder (set by the loader):
    /// its folders are in the resource's fqn.
    pub path: String,
    /// Where `name: <name>` is written.
    pub name_span: Span,
}

/// The kinds of resource a schema file declares that never run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeclaredKind {
    Exposure,
    SemanticModel,
    Metric,
    SavedQuery,
    /// Groups are written to the manifest only: dbt does not list them.
    Group,
}

impl DeclaredKind {
    /// Every kind, in the order dependencies are resolved (a metric reads
    /// semantic models, a saved query metrics, an exposure any of them).
    pub const ALL: [DeclaredKind; 5] = [
        DeclaredKind::Group,
        DeclaredKind::SemanticModel,
        DeclaredKind::Metric,
        DeclaredKind::SavedQuery,
        DeclaredKind::Exposure,
    ];

    /// dbt's `resource_type` spelling (also the prefix of the unique id and
    /// the selector method).
    pub fn resource_type(self) -> &'static str {
        match self {
            DeclaredKind::Exposure => "exposure",
            DeclaredKind::SemanticModel => "semantic_model",
            DeclaredKind::Metric => "metric",
            DeclaredKind::SavedQuery => "saved_query",
            DeclaredKind::Group => "group",
        }
    }

    /// The top-level key of a schema file that lists them.
    pub fn yaml_key(self) -> &'static str {
        match self {
            DeclaredKind::Exposure => "exposures",
            DeclaredKind::SemanticModel => "semantic_models",
            DeclaredKind::Metric => "metrics",
            DeclaredKind::SavedQuery => "saved_queries",
            DeclaredKind::Group => "groups",
        }
    }

    /// The key of `dbt_project.yml` that configures them.
    pub fn project_file_key(self) -> &'static str {
        match self {
            DeclaredKind::Exposure => "exposures",
            DeclaredKind::SemanticModel => "semantic-models",
            DeclaredKind::Metric => "metrics",
            DeclaredKind::SavedQuery => "saved-queries",
            DeclaredKind::Group => "groups",
        }
    }
}

/// Everything one schema file declares.
#[derive(Clone, Debug, Default)]
pub struct SchemaFile {
    pub functions: Vec<FunctionDeclaration>,
    pub models: Vec<NodePatch>,
    pub seeds: Vec<NodePatch>,
    pub snapshots: Vec<NodePatch>,
    pub sources: Vec<SourceDecl>,
    /// Exposures, semantic models, metrics, saved queries and groups, by
    /// kind in [`DeclaredKind::ALL`] order, each kind in file order.
    pub resources: Vec<ResourceDecl>,
    /// `unit_tests:` entries (see `crate::unit_tests`).
    pub unit_tests: Vec<crate::unit_tests::UnitTestDecl>,
}

struct ShapeChecker<'a> {
    text: &'a str,
    file: FileId,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl ShapeChecker<'_> {
    fn error(&mut self, key: &str, expected: &str, found: &Value, near: usize) {
        self.diagnostics.push(
            Diagnostic::new(
                Code::YamlShape,
                format!("`{key}` must be {expected}, found {}", describe_kind(found)),
            )
            .with_primary(self.file, find_key_span(self.text, key, near), ""),
        );
    }

    /// A source's or source table's `quoting:`; a value that is neither
    /// true, false nor null is an error, as in dbt, and leaves the
    /// adapter's quoting.
    fn quoting(&mut self, object: &Map<String, Value>, near: usize) -> QuotingConfig {
        let value = field(object, "quoting").unwrap_or(&Value::Null);
        if let Some(invalid) = QuotingConfig::invalid_value(value) {
            self.error(
                "quoting",
                "a mapping of `database`, `schema` and `identifier` to true or false",
                invalid,
                near,
            );
            return QuotingConfig::default();
        }
        QuotingConfig::from_yaml(value, &[])
    }

    fn string(&mut self, object: &Map<String, Value>, key: &str, near: usize) -> Option<String> {
        match field(object, key) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(value @ (Value::Number(_) | Value::Bool(_))) => Some(value.to_string()),
            Some(other) => {
                self.error(key, "a string", other, near);
                None
            }
        }
    }

    fn mapping(
        &mut self,
        object: &Map<String, Value>,
        key: &str,
        near: usize,
    ) -> Map<String, Value> {
        match field(object, key) {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(other) => {
                self.error(key, "a mapping", other, near);
                Map::new()
            }
        }
    }

    /// The `config:` mapping of an entry describing a resource of `kind`,
    /// each unknown key reported (FC0011) where it is written after `near`.
    fn config(
        &mut self,
        object: &Map<String, Value>,
        kind: NodeKind,
        near: usize,
    ) -> Map<String, Value> {
        let config = self.mapping(object, "config", near);
        // Keys are found in the text only for the reports: most configs
        // have none to report.
        if config
            .keys()
            .all(|key| crate::config_keys::is_known_config_key(kind, key))
        {
            return config;
        }
        let mut cursor = find_key_span(self.text, "config", near).end as usize;
        for key in config.keys() {
            if crate::config_keys::is_known_config_key(kind, key) {
                continue;
            }
            let span = find_key_span(self.text, key, cursor);
            cursor = cursor.max(span.end as usize);
            self.diagnostics
                .extend(unknown_config_key(kind, key, self.file, span));
        }
        config
    }

    fn list<'v>(&mut self, object: &'v Map<String, Value>, key: &str, near: usize) -> &'v [Value] {
        match field(object, key) {
            Some(Value::Array(items)) => items,
            None | Some(Value::Null) => &[],
            Some(other) => {
                self.error(key, "a list", other, near);
                &[]
            }
        }
    }
}

/// Reads a schema file's parsed YAML.
pub fn read_schema_file(
    value: &Value,
    text: &str,
    file: FileId,
    yaml_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> SchemaFile {
    let mut schema_file = SchemaFile::default();
    let mut checker = ShapeChecker {
        text,
        file,
        diagnostics,
    };
    let Some(object) = value.as_object() else {
        if !value.is_null() {
            checker.diagnostics.push(
                Diagnostic::new(
                    Code::YamlShape,
                    format!(
                        "a schema file must be a mapping, found {}",
                        describe_kind(value)
                    ),
                )
                .at(file, Span::EMPTY),
            );
        }
        return schema_file;
    };
    for (key, kind, slot) in [
        ("models", NodeKind::Model, 0),
        ("seeds", NodeKind::Seed, 1),
        ("snapshots", NodeKind::Snapshot, 2),
    ] {
        let patches = read_node_patches(&mut checker, object, key, kind, yaml_path);
        match slot {
            0 => schema_file.models = patches,
            1 => schema_file.seeds = patches,
            _ => schema_file.snapshots = patches,
        }
    }
    for declaration in checker.list(object, "functions", 0) {
        let (name, signature) = match &declaration {
            Value::String(signature) => (None, Some(signature.clone())),
            Value::Object(entry) => (
                checker.string(entry, "name", 0),
                checker.string(entry, "signature", 0),
            ),
            _ => (None, None),
        };
        let Some(signature) = signature else {
            checker.error(
                "functions",
                "a list of signatures, or of mappings with `name` and `signature`",
                declaration,
                0,
            );
            continue;
        };
        let located = name.as_deref().unwrap_or(signature.as_str());
        let span = match text.find(located) {
            Some(start) => Span::from_range(start..start + located.len()),
            None => find_key_span(text, "functions", 0),
        };
        schema_file.functions.push(FunctionDeclaration {
            name,
            signature,
            location: fusion_ir::span::FileSpan::new(file, span),
        });
    }
    for kind in DeclaredKind::ALL {
        schema_file
            .resources
            .extend(read_resource_decls(&mut checker, object, kind, yaml_path));
    }
    let mut cursor = 0usize;
    for source in checker.list(object, "sources", 0) {
        let Some(source_object) = source.as_object() else {
            checker.error("sources", "a list of mappings", source, 0);
            continue;
        };
        let Some(name) = checker.string(source_object, "name", cursor) else {
            checker.diagnostics.push(
                Diagnostic::new(Code::YamlShape, "a source has no `name`").with_primary(
                    file,
                    find_key_span(text, "sources", 0),
                    "",
                ),
            );
            continue;
        };
        let name_span = name_span_of(text, &name, cursor);
        cursor = name_span.end as usize;
        // Where this source's declarations end (its tables' columns): the
        // next source's name is looked for after them.
        let mut source_end = cursor;
        let schema = checker
            .string(source_object, "schema", cursor)
            .unwrap_or_else(|| name.clone());
        let source_meta = checker.mapping(source_object, "meta", cursor);
        let source_config = checker.config(source_object, NodeKind::Source, cursor);
        let mut tables = Vec::new();
        // Tables are declared in order: each one's name is looked for after
        // the previous one's.
        let mut table_cursor = cursor;
        for table in checker.list(source_object, "tables", cursor) {
            let Some(table_object) = table.as_object() else {
                checker.error("tables", "a list of mappings", table, cursor);
                continue;
            };
            let Some(table_name) = checker.string(table_object, "name", cursor) else {
                checker.error("tables", "a list of tables with a `name`", table, cursor);
                continue;
            };
            let table_name_span = name_span_of(text, &table_name, table_cursor);
            table_cursor = table_cursor.max(table_name_span.end as usize);
            let (columns, tests, columns_end) = read_columns(&mut checker, table_object, cursor);
            source_end = source_end.max(columns_end);
            let mut config = checker.config(table_object, NodeKind::Source, table_cursor);
            source_freshness(source_object, &source_config, table_object, &mut config);
            let mut adapter_settings = source_meta.clone();
            adapter_settings.extend(checker.mapping(table_object, "meta", cursor));
            adapter_settings.extend(source_config.clone());
            adapter_settings.extend(config.clone());
            let mut all_tests = tests;
            all_tests.extend(read_tests(&mut checker, table_object, None, cursor));
            tables.push(SourceTableDecl {
                identifier: checker
                    .string(table_object, "identifier", cursor)
                    .unwrap_or_else(|| table_name.clone()),
                description: checker
                    .string(table_object, "description", cursor)
                    .unwrap_or_default(),
                doc_blocks: Vec::new(),
                quoting: checker.quoting(table_object, cursor),
                config,
                adapter_settings,
                name: table_name,
                name_span: table_name_span,
                columns,
                tests: all_tests,
            });
        }
        schema_file.sources.push(SourceDecl {
            package: String::new(),
            config: source_config,
            database: checker.string(source_object, "database", cursor),
            loader: checker
                .string(source_object, "loader", cursor)
                .unwrap_or_default(),
            description: checker
                .string(source_object, "description", cursor)
                .unwrap_or_default(),
            quoting: checker.quoting(source_object, cursor),
            name,
            schema,
            tables,
            file,
            yaml_path: yaml_path.to_string(),
            name_span,
        });
        cursor = cursor.max(source_end);
    }
    schema_file.unit_tests =
        crate::unit_tests::read_unit_tests(object, text, file, yaml_path, checker.diagnostics);
    schema_file
}

/// A source table's `freshness`, `loaded_at_field` and `loaded_at_query`
/// as dbt resolves them into its config: each written at the top of the
/// source or table entry or under its `config:`, the table's over the
/// source's; `freshness` merges rule by rule (`warn_after`, `error_after`,
/// `filter`), and a table's `freshness: null` turns it off.
fn source_freshness(
    source: &Map<String, Value>,
    source_config: &Map<String, Value>,
    table: &Map<String, Value>,
    table_config: &mut Map<String, Value>,
) {
    for key in ["loaded_at_field", "loaded_at_query"] {
        let written = [
            table_config.get(key),
            table.get(key),
            source_config.get(key),
            source.get(key),
        ]
        .into_iter()
        .flatten()
        .next()
        .cloned();
        if let Some(value) = written.filter(|value| !value.is_null()) {
            table_config.insert(key.to_string(), value);
        }
    }
    let table_freshness = table_config
        .get("freshness")
        .or_else(|| table.get("freshness"));
    let merged = match table_freshness {
        Some(Value::Null) => Some(Value::Null),
        table_freshness => {
            let source_freshness = source_config
                .get("freshness")
                .or_else(|| source.get("freshness"));
            match (source_freshness, table_freshness) {
                (None, None) => None,
                (Some(Value::Object(source)), Some(Value::Object(table))) => {
                    let mut rules = source.clone();
                    for (rule, value) in table {
                        rules.insert(rule.clone(), value.clone());
                    }
                    Some(Value::Object(rules))
                }
                (_, Some(table)) => Some(table.clone()),
                (Some(source), None) => Some(source.clone()),
            }
        }
    };
    if let Some(merged) = merged {
        table_config.insert("freshness".to_string(), merged);
    }
}

fn name_span_of(text: &str, name: &str, from: usize) -> Span {
    let key_span = find_key_span(text, "name", from);
    let after_key = key_span.end as usize;
    // The value nearly always follows the key at once (`name: orders`,
    // `name: "orders"`): look there before searching the rest of the file.
    let immediately_after = |rest: &str| {
        let skipped = [':', ' ', '"', '\''];
        if name.is_empty() || name.starts_with(skipped) {
            return None;
        }
        let value = rest.trim_start_matches(skipped);
        value.starts_with(name).then_some(rest.len() - value.len())
    };
    let found = text
        .get(after_key..)
        .and_then(|rest| immediately_after(rest).or_else(|| crate::text_search::find(rest, name)));
    match found {
        Some(found) if !key_span.is_empty() => {
            Span::from_range(after_key + found..after_key + found + name.len())
        }
        _ => key_span,
    }
}

/// Where `name: <name>` is written after `from`, skipping the `name:` keys
/// of nested entries (a semantic model's entities and measures have names
/// too); [`name_span_of`]'s answer when no key is followed by the name.
fn entry_name_span(text: &str, name: &str, from: usize) -> Span {
    let mut position = from;
    loop {
        let key_span = find_key_span(text, "name", position);
        if key_span.is_empty() || (key_span.end as usize) <= position {
            return name_span_of(text, name, from);
        }
        let after_key = key_span.end as usize;
        let rest = text.get(after_key..).unwrap_or_default();
        let value = rest.trim_start_matches([':', ' ', '"', '\'']);
        let value_end = value.find(['\n', '"', '\'', '#']).unwrap_or(value.len());
        if !name.is_empty() && value[..value_end].trim_end() == name {
            let start = after_key + (rest.len() - value.len());
            return Span::from_range(start..start + name.len());
        }
        position = after_key;
    }
}

/// An entry of the list under `key` that must be a mapping with a `name`:
/// the mapping and its name, or `None` with the fault reported.
fn named_entry<'v>(
    checker: &mut ShapeChecker,
    key: &str,
    entry: &'v Value,
    cursor: usize,
) -> Option<(&'v Map<String, Value>, String)> {
    let Some(entry_object) = entry.as_object() else {
        checker.error(key, "a list of mappings", entry, cursor);
        return None;
    };
    let Some(name) = checker.string(entry_object, "name", cursor) else {
        checker.diagnostics.push(
            Diagnostic::new(
                Code::YamlShape,
                format!("an entry of `{key}` has no `name`"),
            )
            .with_primary(checker.file, find_key_span(checker.text, key, 0), ""),
        );
        return None;
    };
    Some((entry_object, name))
}

fn read_node_patches(
    checker: &mut ShapeChecker,
    object: &Map<String, Value>,
    key: &str,
    kind: NodeKind,
    yaml_path: &str,
) -> Vec<NodePatch> {
    let mut patches = Vec::new();
    let mut cursor = find_key_span(checker.text, key, 0).start as usize;
    for entry in checker.list(object, key, 0) {
        let Some((entry_object, name)) = named_entry(checker, key, entry, cursor) else {
            continue;
        };
        let name_span = name_span_of(checker.text, &name, cursor);
        cursor = name_span.end as usize;
        let (columns, mut tests, columns_end) = read_columns(checker, entry_object, cursor);
        let mut node_tests = read_tests(checker, entry_object, None, cursor);
        node_tests.append(&mut tests);
        let versions = read_versions(checker, entry_object, cursor);
        let mut config = checker.config(entry_object, kind, cursor);
        // Configs dbt also reads at the top of an entry.
        for key in ["group", "access"] {
            if let Some(value) = field(entry_object, key).filter(|value| !value.is_null()) {
                config.entry(key).or_insert_with(|| value.clone());
            }
        }
        patches.push(NodePatch {
            latest_version: checker.string(entry_object, "latest_version", cursor),
            deprecation_date: checker.string(entry_object, "deprecation_date", cursor),
            time_spine: field(entry_object, "time_spine")
                .and_then(Value::as_object)
                .map(|written| {
                    let mut time_spine = Map::new();
                    for (key, default) in [
                        ("standard_granularity_column", Value::Null),
                        ("custom_granularities", Value::Array(Vec::new())),
                    ] {
                        let value = written.get(key).cloned().unwrap_or(default);
                        time_spine.insert(key.to_string(), value);
                    }
                    Value::Object(time_spine)
                }),
            versions,
            package: String::new(),
            description: checker
                .string(entry_object, "description", cursor)
                .unwrap_or_default(),
            doc_blocks: Vec::new(),
            config,
            name,
            columns,
            tests: node_tests,
            file: checker.file,
            yaml_path: yaml_path.to_string(),
            name_span,
        });
        // The next entry's name comes after this one's columns.
        cursor = cursor.max(columns_end);
    }
    patches
}

/// Reads the entries of one kind of resource that never runs (exposures,
/// metrics, ...): each needs a `name`, and its `config:` a mapping.
fn read_resource_decls(
    checker: &mut ShapeChecker,
    object: &Map<String, Value>,
    kind: DeclaredKind,
    yaml_path: &str,
) -> Vec<ResourceDecl> {
    let key = kind.yaml_key();
    let mut declarations = Vec::new();
    let mut cursor = find_key_span(checker.text, key, 0).start as usize;
    for entry in checker.list(object, key, 0) {
        let Some((entry_object, name)) = named_entry(checker, key, entry, cursor) else {
            continue;
        };
        let name_span = entry_name_span(checker.text, &name, cursor);
        cursor = cursor.max(name_span.end as usize);
        declarations.push(ResourceDecl {
            kind,
            package: String::new(),
            config: checker.mapping(entry_object, "config", cursor),
            entry: entry_object.clone(),
            name,
            file: checker.file,
            yaml_path: yaml_path.to_string(),
            path: String::new(),
            name_span,
        });
    }
    declarations
}

/// Reads a model's `versions:`.
fn read_versions(
    checker: &mut ShapeChecker,
    object: &Map<String, Value>,
    near: usize,
) -> Vec<VersionDecl> {
    let mut versions = Vec::new();
    let mut cursor = near;
    for entry in checker.list(object, "versions", near).to_vec() {
        let Some(entry_object) = entry.as_object() else {
            checker.error("versions", "a list of mappings", &entry, near);
            continue;
        };
        let Some(version) = checker.string(entry_object, "v", cursor) else {
            checker.diagnostics.push(
                Diagnostic::new(Code::YamlShape, "an entry of `versions` has no `v`").with_primary(
                    checker.file,
                    find_key_span(checker.text, "versions", near),
                    "",
                ),
            );
            continue;
        };
        let key_span = find_key_span(checker.text, "v", cursor);
        cursor = cursor.max(key_span.end as usize);
        // `include:`/`exclude:` entries select the model's columns; the
        // other entries are the version's own columns.
        let mut include = ColumnSelection::default();
        let mut own = entry_object.clone();
        if let Some(Value::Array(columns)) = field(entry_object, "columns") {
            let mut kept = Vec::new();
            for column in columns {
                let selection = column.as_object().filter(|column| {
                    field(column, "include").is_some() || field(column, "exclude").is_some()
                });
                match selection {
                    Some(selection) => {
                        include.include = match field(selection, "include") {
                            None | Some(Value::Null) => None,
                            Some(Value::String(all)) if all == "all" || all == "*" => None,
                            Some(names) => Some(crate::config::string_list(Some(names))),
                        };
                        include.exclude = crate::config::string_list(field(selection, "exclude"));
                    }
                    None => kept.push(column.clone()),
                }
            }
            own.insert("columns".to_string(), Value::Array(kept));
        }
        let (columns, mut column_tests, _) = read_columns(checker, &own, cursor);
        let mut tests = read_tests(checker, &own, None, cursor);
        tests.append(&mut column_tests);
        versions.push(VersionDecl {
            defined_in: checker.string(entry_object, "defined_in", cursor),
            config: checker.config(entry_object, NodeKind::Model, cursor),
            description: checker.string(entry_object, "description", cursor),
            deprecation_date: checker.string(entry_object, "deprecation_date", cursor),
            include,
            columns,
            tests,
            version,
            span: key_span,
        });
    }
    versions
}

/// Reads `columns:`; also returns where the last column's name ends (or
/// `near`), so that the search for the next entry's name starts after them.
fn read_columns(
    checker: &mut ShapeChecker,
    object: &Map<String, Value>,
    near: usize,
) -> (Vec<ColumnInfo>, Vec<TestSpec>, usize) {
    let declared = checker.list(object, "columns", near);
    // A project keeps every column record for the whole run: sized once,
    // not grown by doubling (which leaves up to half of it unused).
    let mut columns = Vec::with_capacity(declared.len());
    let mut tests = Vec::new();
    // Columns are declared in order: each search starts after the previous
    // column, so finding every column's place is linear in the file.
    let mut cursor = near;
    for column in declared {
        let Some(column_object) = column.as_object() else {
            checker.error("columns", "a list of mappings", column, near);
            continue;
        };
        let Some(name) = checker.string(column_object, "name", near) else {
            checker.error("columns", "a list of columns with a `name`", column, near);
            continue;
        };
        let column_tests = read_tests(checker, column_object, Some(&name), near);
        let constraints = checker.list(column_object, "constraints", near).to_vec();
        let name_span = name_span_of(checker.text, &name, cursor);
        if !name_span.is_empty() {
            cursor = name_span.end as usize;
        }
        columns.push(ColumnInfo {
            location: Some(fusion_ir::span::FileSpan::new(checker.file, name_span)),
            data_type: checker
                .string(column_object, "data_type", near)
                .or_else(|| checker.string(column_object, "type", near)),
            description: checker
                .string(column_object, "description", near)
                .unwrap_or_default(),
            doc_blocks: Vec::new(),
            tests: column_tests
                .iter()
                .map(|test| test.test_name.clone())
                .collect(),
            constraints,
            meta: checker.mapping(column_object, "meta", near),
            name,
        });
        tests.extend(column_tests);
    }
    (columns, tests, cursor)
}

/// Reads `tests:` and `data_tests:` of a node or column.
fn read_tests(
    checker: &mut ShapeChecker,
    object: &Map<String, Value>,
    column_name: Option<&str>,
    near: usize,
) -> Vec<TestSpec> {
    let mut specs = Vec::new();
    for key in ["data_tests", "tests"] {
        for entry in checker.list(object, key, near) {
            let (full_name, arguments) = match &entry {
                Value::String(name) => (name.clone(), Map::new()),
                Value::Object(map)
                    if map.len() == 1
                        || field(map, "name").is_some()
                        || field(map, "test_name").is_some() =>
                {
                    match map
                        .iter()
                        .find(|(_, value)| value.is_object() || value.is_null())
                    {
                        Some((name, Value::Object(arguments))) => (name.clone(), arguments.clone()),
                        Some((name, _)) => (name.clone(), Map::new()),
                        None => match field(map, "test_name").and_then(Value::as_str) {
                            Some(name) => (name.to_string(), map.clone()),
                            None => {
                                checker.error(
                                    key,
                                    "a list of test names or `test_name: {arguments}` mappings",
                                    entry,
                                    near,
                                );
                                continue;
                            }
                        },
                    }
                }
                other => {
                    checker.error(
                        key,
                        "a list of test names or `test_name: {arguments}` mappings",
                        other,
                        near,
                    );
                    continue;
                }
            };
            let (namespace, test_name) = match full_name.split_once('.') {
                Some((namespace, name)) => (Some(namespace.to_string()), name.to_string()),
                None => (None, full_name.clone()),
            };
            let mut kwargs = Map::new();
            let mut config = Map::new();
            let mut custom_name = None;
            for (argument, value) in arguments {
                match argument.as_str() {
                    // dbt 1.10's `arguments:` holds the test's arguments;
                    // configs written there are moved to the config, as
                    // dbt moves them.
                    "arguments" => {
                        if let Value::Object(nested) = value {
                            for (argument, value) in nested {
                                match argument.as_str() {
                                    "config" => {
                                        if let Value::Object(nested) = value {
                                            config.extend(nested);
                                        }
                                    }
                                    key if TEST_CONFIG_ARGS.contains(&key) => {
                                        config.insert(argument, value);
                                    }
                                    _ => {
                                        kwargs.insert(argument, value);
                                    }
                                }
                            }
                        }
                    }
                    "config" => {
                        if let Value::Object(nested) = value {
                            for key in nested.keys() {
                                let span = find_key_span(checker.text, key, near);
                                checker.diagnostics.extend(unknown_config_key(
                                    NodeKind::Test,
                                    key,
                                    checker.file,
                                    span,
                                ));
                            }
                            config.extend(nested);
                        }
                    }
                    key if TEST_CONFIG_ARGS.contains(&key) => {
                        config.insert(argument, value);
                    }
                    "name" => {
                        custom_name = value.as_str().map(str::to_string);
                    }
                    // Not passed to the test's macro (dbt's `TestBuilder`).
                    "test_name" | "description" => {}
                    _ => {
                        kwargs.insert(argument, value);
                    }
                }
            }
            let column_name = kwargs
                .remove("column_name")
                .and_then(|value| value.as_str().map(String::from))
                .or_else(|| column_name.map(String::from));
            specs.push(TestSpec {
                test_name,
                namespace,
                column_name,
                kwargs,
                config,
                custom_name,
            });
        }
    }
    specs
}
