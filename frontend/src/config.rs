//! Node configs and dbt's precedence: `config()` in the file over the YAML
//! `config:` over `dbt_project.yml`'s `models:`/`seeds:`/`tests:` tree (with
//! `+` keys and folder nesting, deeper folders winning).

use fusion_ir::span::Span;
use serde_json::{Map, Value};

/// How a node is built in the warehouse: dbt's `materialized` config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Materialization<'config> {
    View,
    Table,
    Incremental,
    /// Not built: inlined as a CTE into each node that reads it.
    Ephemeral,
    MaterializedView,
    Seed,
    Snapshot,
    Test,
    /// A materialization the project or a package defines, by name.
    Other(&'config str),
}

impl<'config> Materialization<'config> {
    /// The materialization a `materialized` config names.
    pub fn from_name(name: &'config str) -> Materialization<'config> {
        match name {
            "view" => Materialization::View,
            "table" => Materialization::Table,
            "incremental" => Materialization::Incremental,
            "ephemeral" => Materialization::Ephemeral,
            "materialized_view" => Materialization::MaterializedView,
            "seed" => Materialization::Seed,
            "snapshot" => Materialization::Snapshot,
            "test" => Materialization::Test,
            other => Materialization::Other(other),
        }
    }

    /// The name as dbt writes it in configs and artifacts.
    pub fn name(self) -> &'config str {
        match self {
            Materialization::View => "view",
            Materialization::Table => "table",
            Materialization::Incremental => "incremental",
            Materialization::Ephemeral => "ephemeral",
            Materialization::MaterializedView => "materialized_view",
            Materialization::Seed => "seed",
            Materialization::Snapshot => "snapshot",
            Materialization::Test => "test",
            Materialization::Other(name) => name,
        }
    }
}

/// A node's resolved config, with typed accessors for the keys fusionc uses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeConfig {
    pub values: Map<String, Value>,
}

/// Keys whose mapping values are configs, not folders, in the project tree.
const MAPPING_CONFIG_KEYS: &[&str] = &[
    "meta",
    "column_types",
    "persist_docs",
    "contract",
    "docs",
    "grants",
    "freshness",
    "quoting",
    "labels",
    "partition_by",
    "snapshot_meta_column_names",
];

/// Whether `key`, written without `+` in a project tree, is a config whose
/// value is a mapping rather than a folder.
pub(crate) fn is_mapping_config_key(key: &str) -> bool {
    MAPPING_CONFIG_KEYS.contains(&key)
}

impl NodeConfig {
    pub fn get(&self, key: &str) -> Option<&Value> {
        crate::yaml::field(&self.values, key)
    }

    fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// `view` unless configured (dbt's default for models): the name as
    /// written, for artifacts and reports. Compare with [`Self::materialization`].
    pub fn materialized(&self) -> &str {
        self.get_str("materialized").unwrap_or("view")
    }

    /// How the node is built, `view` unless configured.
    pub fn materialization(&self) -> Materialization<'_> {
        Materialization::from_name(self.materialized())
    }

    /// The custom schema, if any (`None` when unset or null).
    pub fn schema(&self) -> Option<&str> {
        self.get_str("schema")
    }

    pub fn alias(&self) -> Option<&str> {
        self.get_str("alias")
    }

    pub fn database(&self) -> Option<&str> {
        self.get_str("database")
    }

    pub fn tags(&self) -> Vec<String> {
        string_list(self.get("tags"))
    }

    /// True unless `enabled: false`.
    pub fn enabled(&self) -> bool {
        self.get("enabled").and_then(Value::as_bool).unwrap_or(true)
    }

    /// A string or a list of column names.
    pub fn unique_key(&self) -> Vec<String> {
        string_list(self.get("unique_key"))
    }

    pub fn incremental_strategy(&self) -> Option<&str> {
        self.get_str("incremental_strategy")
    }

    pub fn on_schema_change(&self) -> Option<&str> {
        self.get_str("on_schema_change")
    }

    pub fn full_refresh(&self) -> Option<bool> {
        self.get("full_refresh").and_then(Value::as_bool)
    }

    /// `column_types` for seeds: column name → type as written.
    pub fn column_types(&self) -> Map<String, Value> {
        self.get("column_types")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    pub fn contract_enforced(&self) -> bool {
        self.get("contract")
            .and_then(|contract| contract.get("enforced"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub fn severity(&self) -> Option<&str> {
        self.get_str("severity")
    }

    pub fn pre_hooks(&self) -> Vec<String> {
        string_list(self.get("pre-hook").or_else(|| self.get("pre_hook")))
    }

    pub fn post_hooks(&self) -> Vec<String> {
        string_list(self.get("post-hook").or_else(|| self.get("post_hook")))
    }

    /// Applies one layer of configs over this one, the way dbt merges them:
    /// `tags` accumulate, `meta` merges key by key, hooks append, and every
    /// other key is replaced.
    pub fn apply(&mut self, layer: &Map<String, Value>) {
        for (key, value) in layer {
            let key = normalize_key(key);
            match key.as_str() {
                "tags" | "pre-hook" | "post-hook" => {
                    let mut merged = string_list(self.values.get(&key));
                    for item in string_list(Some(value)) {
                        if !merged.contains(&item) {
                            merged.push(item);
                        }
                    }
                    self.values.insert(
                        key,
                        Value::Array(merged.into_iter().map(Value::String).collect()),
                    );
                }
                "grants" => {
                    let merged = merge_grants(self.values.get("grants"), value);
                    self.values.insert(key, Value::Object(merged));
                }
                "meta" => {
                    let mut merged = self
                        .values
                        .get("meta")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    if let Some(object) = value.as_object() {
                        for (meta_key, meta_value) in object {
                            merged.insert(meta_key.clone(), meta_value.clone());
                        }
                    }
                    self.values.insert(key, Value::Object(merged));
                }
                _ => {
                    self.values.insert(key, value.clone());
                }
            }
        }
    }
}

/// dbt's merge of `grants` layers: privilege by privilege, a later layer's
/// grantees replace an earlier one's, unless its key starts with `+`
/// (`+select`), which adds them to the earlier list; a grantee written
/// alone is a list of one.
fn merge_grants(earlier: Option<&Value>, later: &Value) -> Map<String, Value> {
    let as_list = |value: &Value| match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    let mut merged: Map<String, Value> = earlier
        .and_then(Value::as_object)
        .map(|grants| {
            grants
                .iter()
                .map(|(privilege, grantees)| (privilege.clone(), Value::Array(as_list(grantees))))
                .collect()
        })
        .unwrap_or_default();
    let Some(later) = later.as_object() else {
        return merged;
    };
    for (key, grantees) in later {
        let (privilege, extend) = match key.strip_prefix('+') {
            Some(privilege) => (privilege.trim_start_matches('+'), true),
            None => (key.as_str(), false),
        };
        match merged.get_mut(privilege) {
            Some(Value::Array(existing)) if extend => existing.extend(as_list(grantees)),
            _ => {
                merged.insert(privilege.to_string(), Value::Array(as_list(grantees)));
            }
        }
    }
    merged
}

/// dbt accepts `pre_hook` and `pre-hook`; keep one spelling.
fn normalize_key(key: &str) -> String {
    match key {
        "pre_hook" => "pre-hook".to_string(),
        "post_hook" => "post-hook".to_string(),
        other => other.to_string(),
    }
}

/// Where a template (`raw`) first names the config `key` as a keyword
/// argument (`config(key=...)`) or a mapping key (`config({'key': ...})`):
/// the place to point at when that config is the fault.
pub fn config_argument_span(raw: &str, key: &str) -> Option<Span> {
    let bytes = raw.as_bytes();
    let mut from = 0;
    while let Some(found) = raw.get(from..).and_then(|rest| rest.find(key)) {
        let start = from + found;
        let end = start + key.len();
        from = end;
        let before = start.checked_sub(1).map(|index| bytes[index]);
        let after = raw[end..].trim_start();
        let keyword = !before.is_some_and(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
            && after.starts_with('=')
            && !after.starts_with("==");
        let quoted = matches!(before, Some(b'\'' | b'"'))
            && bytes.get(end) == before.as_ref()
            && raw[end + 1..].trim_start().starts_with(':');
        if keyword || quoted {
            return Some(Span::from_range(start..end));
        }
    }
    None
}

/// A string, or a list of strings, as a list.
pub fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(text) => Some(text.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The configs that a `models:`-style tree of dbt_project.yml gives the node
/// at `fqn` (`[project, folder..., name]`): each level's configs apply in
/// order from the root, so deeper levels win.
pub fn project_tree_configs(tree: &Value, fqn: &[String]) -> Vec<Map<String, Value>> {
    let mut layers = Vec::new();
    let mut level = tree;
    let mut remaining = fqn;
    while let Some(object) = level.as_object() {
        let mut layer = Map::new();
        for (key, value) in object {
            if let Some(config_key) = key.strip_prefix('+') {
                layer.insert(config_key.to_string(), value.clone());
            } else if !value.is_object() || is_mapping_config_key(key) {
                layer.insert(key.clone(), value.clone());
            }
        }
        layers.push(layer);
        let Some((first, rest)) = remaining.split_first() else {
            break;
        };
        match object.get(first.as_str()) {
            Some(next) if next.is_object() => {
                level = next;
                remaining = rest;
            }
            _ => break,
        }
    }
    layers
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_arguments_are_found_as_written() {
        let raw = "{{ config(materialized_view=1, materialise='table') }}";
        assert_eq!(
            config_argument_span(raw, "materialise"),
            Some(Span::from_range(31..42))
        );
        let raw = "{{ config({'materialise': 'table'}) }}";
        assert_eq!(
            config_argument_span(raw, "materialise"),
            Some(Span::from_range(12..23))
        );
        assert_eq!(
            config_argument_span("select materialise == 1", "materialise"),
            None
        );
    }

    #[test]
    fn deeper_folders_win_and_tags_accumulate() {
        let tree = json!({
            "+materialized": "view",
            "+tags": ["all"],
            "shop": {
                "+schema": "analytics",
                "staging": { "+materialized": "table", "tags": "staging", "meta": {"owner": "a"} },
                "marts": { "+materialized": "incremental" }
            }
        });
        let fqn = ["shop", "staging", "stg_orders"].map(String::from);
        let mut config = NodeConfig::default();
        for layer in project_tree_configs(&tree, &fqn) {
            config.apply(&layer);
        }
        assert_eq!(config.materialization(), Materialization::Table);
        assert_eq!(config.schema(), Some("analytics"));
        assert_eq!(config.tags(), vec!["all", "staging"]);
        assert_eq!(config.values["meta"], json!({"owner": "a"}));
    }

    /// As dbt-core 1.11 merges them (checked with `dbt ls --output json`):
    /// privilege by privilege, `+` adding to the project's grantees.
    #[test]
    fn grants_merge_privilege_by_privilege() {
        let project = json!({"grants": {"select": ["pg_monitor"], "update": ["a"]}});
        let merged = |model: serde_json::Value| {
            let mut config = NodeConfig::default();
            for layer in [&project, &model] {
                config.apply(layer.as_object().expect("a layer"));
            }
            config.values["grants"].clone()
        };
        assert_eq!(
            merged(json!({"grants": {"insert": ["pg_read_all_stats"]}})),
            json!({"select": ["pg_monitor"], "update": ["a"], "insert": ["pg_read_all_stats"]})
        );
        assert_eq!(
            merged(json!({"grants": {"+select": ["b"], "update": "c"}})),
            json!({"select": ["pg_monitor", "b"], "update": ["c"]})
        );
        assert_eq!(
            merged(json!({})),
            json!({"select": ["pg_monitor"], "update": ["a"]})
        );
    }
}
