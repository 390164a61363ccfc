//! The config keys dbt and the adapters fusionc knows define, per resource
//! type, and the FC0011 check of the keys a project writes
//! (`dbt_project.yml`, a YAML `config:`, a `config()` call). dbt keeps an
//! unknown key silently, so a misspelt `+materialise: table` would be
//! ignored: fusionc keeps it too (a macro may read it with `config.get`),
//! and warns.
//!
//! The lists are dbt's own, per resource type: the fields of dbt-core's
//! config classes (`dbt/artifacts/resources/v1/*.py`, whose `NodeConfig`
//! fields every node type inherits) and the properties of the config
//! definitions in its JSON schemas (`dbt/jsonschemas/project/0.0.110.json`
//! and `resources/latest.json`, which span every adapter dbt Labs
//! maintains), as of dbt-core 1.11; plus the keys of the adapters those
//! leave out ([`ADAPTER_EXTRA_KEYS`]).

use crate::config::{config_argument_span, is_mapping_config_key};
use crate::yaml::find_key_span;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic};
use fusion_ir::graph::NodeKind;
use fusion_ir::span::{FileId, Span};
use serde_json::Value;

/// Keys every resource type accepts.
const COMMON_KEYS: &[&str] = &[
    "adapter_properties",
    "as_columnstore",
    "auto_liquid_cluster",
    "auto_refresh",
    "automatic_clustering",
    "backup",
    "base_location_root",
    "base_location_subpath",
    "batch_id",
    "bind",
    "buckets",
    "catalog",
    "catalog_name",
    "category",
    "cluster_by",
    "clustered_by",
    "compression",
    "copy_grants",
    "databricks_compute",
    "databricks_tags",
    "dataproc_cluster_name",
    "description",
    "dist",
    "enable_list_inference",
    "enable_refresh",
    "enabled",
    "external_volume",
    "file_format",
    "grant_access_to",
    "hours_to_expiration",
    "include_full_name_in_path",
    "indexes",
    "initialize",
    "intermediate_format",
    "jar_file_uri",
    "kms_key_name",
    "labels",
    "labels_from_meta",
    "liquid_clustered_by",
    "location_root",
    "matched_condition",
    "max_staleness",
    "merge_with_schema_evolution",
    "meta",
    "not_matched_by_source_action",
    "not_matched_by_source_condition",
    "not_matched_condition",
    "notebook_template_id",
    "partition_by",
    "partition_expiration_days",
    "partitions",
    "primary_key",
    "query_tag",
    "quoting",
    "refresh_interval_minutes",
    "refresh_mode",
    "require_partition_filter",
    "resource_tags",
    "row_access_policy",
    "schedule",
    "secure",
    "skip_matched_step",
    "skip_not_matched_step",
    "snowflake_warehouse",
    "sort",
    "sort_type",
    "source_alias",
    "static_analysis",
    "table_tag",
    "table_type",
    "tags",
    "target_alias",
    "target_lag",
    "tblproperties",
    "timeout",
    "tmp_relation_type",
    "transient",
];

/// Keys only models (and analyses) accept.
const MODEL_KEYS: &[&str] = &[
    "access",
    "additional_libs",
    "alias",
    "batch_size",
    "begin",
    "cluster_id",
    "column_types",
    "concurrent_batches",
    "contract",
    "create_notebook",
    "custom_checks",
    "database",
    "docs",
    "event_time",
    "external_access_integrations",
    "freshness",
    "full_refresh",
    "grants",
    "group",
    "http_path",
    "imports",
    "incremental_predicates",
    "incremental_strategy",
    "index_url",
    "job_cluster_config",
    "location",
    "lookback",
    "materialized",
    "merge_exclude_columns",
    "merge_update_columns",
    "on_configuration_change",
    "on_schema_change",
    "packages",
    "persist_docs",
    "post-hook",
    "pre-hook",
    "predicates",
    "python_job_config",
    "python_version",
    "schema",
    "secrets",
    "sql_header",
    "strictness",
    "submission_method",
    "sync",
    "table_format",
    "unique_key",
    "use_anonymous_sproc",
    "user_folder_for_python",
];

/// Keys only seeds accept.
const SEED_KEYS: &[&str] = &[
    "alias",
    "batch_size",
    "begin",
    "column_types",
    "concurrent_batches",
    "contract",
    "database",
    "delimiter",
    "docs",
    "event_time",
    "full_refresh",
    "grants",
    "group",
    "incremental_strategy",
    "lookback",
    "materialized",
    "on_configuration_change",
    "on_schema_change",
    "packages",
    "persist_docs",
    "post-hook",
    "pre-hook",
    "quote_columns",
    "schema",
    "unique_key",
];

/// Keys only snapshots accept.
const SNAPSHOT_KEYS: &[&str] = &[
    "alias",
    "batch_size",
    "begin",
    "check_cols",
    "column_types",
    "concurrent_batches",
    "contract",
    "database",
    "dbt_valid_to_current",
    "docs",
    "event_time",
    "full_refresh",
    "grants",
    "group",
    "hard_deletes",
    "incremental_strategy",
    "invalidate_hard_deletes",
    "lookback",
    "materialized",
    "on_configuration_change",
    "on_schema_change",
    "packages",
    "persist_docs",
    "post-hook",
    "pre-hook",
    "quote_columns",
    "schema",
    "snapshot_meta_column_names",
    "strategy",
    "sync",
    "target_database",
    "target_schema",
    "unique_key",
    "updated_at",
];

/// Keys only data tests accept.
const TEST_KEYS: &[&str] = &[
    "alias",
    "database",
    "error_if",
    "fail_calc",
    "full_refresh",
    "group",
    "limit",
    "materialized",
    "schema",
    "severity",
    "store_failures",
    "store_failures_as",
    "warn_if",
    "where",
];

/// Keys only sources accept.
const SOURCE_KEYS: &[&str] = &[
    "event_time",
    "freshness",
    "loaded_at_field",
    "loaded_at_query",
    "schema_origin",
    "sync",
];

/// Keys of adapters that dbt's schemas leave out, and fusionc's own:
/// dbt-duckdb's external sources and materialization, dbt-postgres's
/// unlogged tables, BigQuery's aliases of `schema` and `database`, and the
/// hook spellings with an underscore (dbt reads both).
const ADAPTER_EXTRA_KEYS: &[&str] = &[
    "dataset",
    "external_location",
    "format",
    "glue_database",
    "glue_register",
    "options",
    "per_thread_output",
    "plugin",
    "post_hook",
    "pre_hook",
    "project",
    "unlogged",
];

/// A unit test's own config keys (dbt's `UnitTestConfig`), beyond the
/// common ones.
const UNIT_TEST_KEYS: &[&str] = &[];

/// Whether `key` is a config key of resources of `kind`.
pub(crate) fn is_known_config_key(kind: NodeKind, key: &str) -> bool {
    let own: &[&str] = match kind {
        NodeKind::Model | NodeKind::Analysis => MODEL_KEYS,
        NodeKind::Seed => SEED_KEYS,
        NodeKind::Snapshot => SNAPSHOT_KEYS,
        NodeKind::Test => TEST_KEYS,
        NodeKind::Source => SOURCE_KEYS,
        NodeKind::UnitTest => UNIT_TEST_KEYS,
    };
    // Each list is sorted (a test checks): every key is looked up once per
    // place it is written, in every node.
    [COMMON_KEYS, own, ADAPTER_EXTRA_KEYS]
        .iter()
        .any(|keys| keys.binary_search(&key).is_ok())
}

/// Every known key of `kind`, for "did you mean".
fn known_keys(kind: NodeKind) -> impl Iterator<Item = &'static str> {
    let own: &'static [&'static str] = match kind {
        NodeKind::Model | NodeKind::Analysis => MODEL_KEYS,
        NodeKind::Seed => SEED_KEYS,
        NodeKind::Snapshot => SNAPSHOT_KEYS,
        NodeKind::Test => TEST_KEYS,
        NodeKind::Source => SOURCE_KEYS,
        NodeKind::UnitTest => UNIT_TEST_KEYS,
    };
    [COMMON_KEYS, own, ADAPTER_EXTRA_KEYS]
        .into_iter()
        .flatten()
        .copied()
}

/// FC0011 for the config key `key` of a resource of `kind`, written at
/// `span` of `file`; `None` when the key is known.
pub(crate) fn unknown_config_key(
    kind: NodeKind,
    key: &str,
    file: FileId,
    span: Span,
) -> Option<Diagnostic> {
    if is_known_config_key(kind, key) {
        return None;
    }
    let configures = [
        NodeKind::Model,
        NodeKind::Seed,
        NodeKind::Snapshot,
        NodeKind::Test,
        NodeKind::Source,
    ]
    .into_iter()
    .find(|other| is_known_config_key(*other, key));
    let help = match (closest_name(key, known_keys(kind)), configures) {
        (Some(known), _) => format!("did you mean `{known}`?"),
        (None, Some(other)) => {
            format!("`{key}` configures {}, not {}", plural(other), plural(kind))
        }
        (None, None) => "a key of the project's own belongs under `meta`".to_string(),
    };
    Some(
        Diagnostic::new(
            Code::UnknownConfigKey,
            format!(
                "unknown config key `{key}` for {}: it is kept, but neither dbt nor fusionc reads it",
                plural(kind)
            ),
        )
        .with_primary(file, span, "unknown config key")
        .with_help(help),
    )
}

fn plural(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Model => "models",
        NodeKind::Analysis => "analyses",
        NodeKind::Seed => "seeds",
        NodeKind::Snapshot => "snapshots",
        NodeKind::Test => "data tests",
        NodeKind::Source => "sources",
        NodeKind::UnitTest => "unit tests",
    }
}

/// Reports the unknown config keys of the config trees of a project file
/// (`project`, parsed from `text`, in `file`): `models:`, `seeds:`,
/// `tests:` (or `data_tests:`) and `snapshots:`, each for its resource type.
pub(crate) fn check_project_trees(
    project: &Value,
    text: &str,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (key, kind) in [
        ("models", NodeKind::Model),
        ("seeds", NodeKind::Seed),
        ("tests", NodeKind::Test),
        ("data_tests", NodeKind::Test),
        ("snapshots", NodeKind::Snapshot),
        ("unit_tests", NodeKind::UnitTest),
    ] {
        if let Some(tree) = project.get(key) {
            let from = find_key_span(text, key, 0).end as usize;
            check_project_tree(tree, kind, text, file, from, diagnostics);
        }
    }
}

/// Reports the unknown config keys of a `models:`-style tree of
/// `dbt_project.yml` (`text`, in `file`) whose nodes are of `kind`, read as
/// `crate::config::project_tree_configs` reads it: a `+key` is a config, and
/// so is a key without `+` whose value is not a mapping (or is one of the
/// mapping-valued configs); any other key is a folder, walked in turn.
/// Keys are located in document order from `from` (the tree's own key);
/// returns where the tree's last key ends.
fn check_project_tree(
    tree: &Value,
    kind: NodeKind,
    text: &str,
    file: FileId,
    from: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> usize {
    let Some(object) = tree.as_object() else {
        return from;
    };
    let mut cursor = from;
    for (key, value) in object {
        let span = find_key_span(text, key, cursor);
        cursor = cursor.max(span.end as usize);
        let config_key = match key.strip_prefix('+') {
            Some(config_key) => config_key,
            None if value.is_object() && !is_mapping_config_key(key) => {
                cursor = check_project_tree(value, kind, text, file, cursor, diagnostics);
                continue;
            }
            // An empty folder (`staging:` with nothing under it) reads as null.
            None if value.is_null() => continue,
            None => key.as_str(),
        };
        diagnostics.extend(unknown_config_key(kind, config_key, file, span));
    }
    cursor
}

/// Reports the unknown keys among those a template's `config()` calls set
/// (`keys`, of a node of `kind` in `file`), each located where the template
/// `raw` first names it as an argument (`key=` or `'key':`), else at its
/// start (a macro the template calls may have set it).
pub(crate) fn check_config_call_keys<'k>(
    kind: NodeKind,
    keys: impl Iterator<Item = &'k String>,
    raw: &str,
    file: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Only an unknown key is looked for in the template.
    for key in keys.filter(|key| !is_known_config_key(kind, key)) {
        let span = config_argument_span(raw, key).unwrap_or(Span::EMPTY);
        diagnostics.extend(unknown_config_key(kind, key, file, span));
    }
}

#[cfg(test)]
mod tests {
    use super::is_known_config_key;
    use fusion_ir::graph::NodeKind;

    #[test]
    fn key_lists_are_sorted_for_binary_search() {
        for keys in [
            super::COMMON_KEYS,
            super::MODEL_KEYS,
            super::SEED_KEYS,
            super::SNAPSHOT_KEYS,
            super::TEST_KEYS,
            super::SOURCE_KEYS,
            super::ADAPTER_EXTRA_KEYS,
        ] {
            assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "{keys:?}");
        }
    }

    #[test]
    fn keys_are_known_per_resource_type() {
        assert!(is_known_config_key(NodeKind::Model, "materialized"));
        assert!(is_known_config_key(NodeKind::Model, "static_analysis"));
        assert!(is_known_config_key(NodeKind::Seed, "column_types"));
        assert!(is_known_config_key(NodeKind::Test, "severity"));
        assert!(is_known_config_key(NodeKind::Source, "external_location"));
        assert!(!is_known_config_key(NodeKind::Model, "materialise"));
        assert!(!is_known_config_key(NodeKind::Model, "severity"));
    }
}
