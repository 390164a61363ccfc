//! The manifest's `selectors` map: each selector of `selectors.yml` as
//! rendered, its definition written out as dbt's `SelectorDict` writes it
//! (strings in a union or intersection become criterion mappings, a
//! one-key `method: value` mapping becomes `{method, value}`, and
//! `method: selector` is replaced by the definition it names).

use fusion_frontend::project::Selectors;
use serde_json::{Map, Value};

/// The `selectors` map of the manifest (empty without selectors.yml).
pub(crate) fn manifest_selectors(selectors: Option<&Selectors>) -> Map<String, Value> {
    let mut written: Map<String, Value> = Map::new();
    for selector in selectors
        .map(|selectors| selectors.selectors.as_slice())
        .unwrap_or_default()
    {
        let definition = normalised(&selector.definition, &written);
        let mut entry = match &selector.rendered {
            Value::Object(fields) => fields.clone(),
            _ => Map::new(),
        };
        entry.insert("definition".to_string(), definition);
        written.insert(selector.name.clone(), Value::Object(entry));
    }
    written
}

fn normalised(definition: &Value, earlier: &Map<String, Value>) -> Value {
    match definition {
        Value::String(text) => single_spec_fields(text),
        Value::Object(fields) if fields.contains_key("union") => group(fields, "union", earlier),
        Value::Object(fields) if fields.contains_key("intersection") => {
            group(fields, "intersection", earlier)
        }
        Value::Object(fields) => mapping(fields, earlier),
        other => other.clone(),
    }
}

/// A union or intersection: only its list is kept, each member written out.
fn group(fields: &Map<String, Value>, key: &str, earlier: &Map<String, Value>) -> Value {
    let members = match fields.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Object(_) => normalised(item, earlier),
                Value::String(text) => single_spec_fields(text),
                other => other.clone(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut written = Map::new();
    written.insert(key.to_string(), Value::Array(members));
    Value::Object(written)
}

/// A mapping: its first key's list written out; `exclude` kept alone, one
/// key read as `method: value`, `method: selector` replaced.
fn mapping(fields: &Map<String, Value>, earlier: &Map<String, Value>) -> Value {
    let Some((key, value)) = fields.iter().next() else {
        return Value::Object(fields.clone());
    };
    let value = match value {
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| normalised(item, earlier)).collect())
        }
        other => other.clone(),
    };
    if key == "exclude" {
        let mut written = Map::new();
        written.insert(key.clone(), value);
        Value::Object(written)
    } else if fields.len() == 1 {
        let mut written = Map::new();
        written.insert("method".to_string(), Value::String(key.clone()));
        written.insert("value".to_string(), value);
        Value::Object(written)
    } else if key == "method" && value.as_str() == Some("selector") {
        let named = fields
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        earlier
            .get(named)
            .and_then(|entry| entry.get("definition"))
            .cloned()
            .unwrap_or(Value::Null)
    } else {
        Value::Object(fields.clone())
    }
}

/// A command-line criterion (`@2+tag:nightly+1`) as the mapping of its
/// parts dbt writes: only the parts present, `+` and `@` as `true`,
/// depths as text, `fqn` when no method is named.
fn single_spec_fields(raw: &str) -> Value {
    let mut rest = raw;
    let mut fields = Map::new();
    if let Some(after) = rest.strip_prefix('@') {
        fields.insert("childrens_parents".to_string(), Value::Bool(true));
        rest = after;
    }
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if rest[digits..].starts_with('+') {
        fields.insert("parents".to_string(), Value::Bool(true));
        if digits > 0 {
            fields.insert(
                "parents_depth".to_string(),
                Value::String(rest[..digits].to_string()),
            );
        }
        rest = &rest[digits + 1..];
    }
    let method = rest.split_once(':').and_then(|(method, value)| {
        let is_method = !method.is_empty()
            && method
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        is_method.then_some((method, value))
    });
    let (method, mut value) = match method {
        Some((method, value)) => (method.to_string(), value),
        None => (default_method(rest).to_string(), rest),
    };
    let mut children_depth = None;
    if let Some(plus) = value.rfind('+') {
        let after = &value[plus + 1..];
        if after.chars().all(|c| c.is_ascii_digit()) {
            children_depth = (!after.is_empty()).then(|| after.to_string());
            fields.insert("children".to_string(), Value::Bool(true));
            value = &value[..plus];
        }
    }
    fields.insert("method".to_string(), Value::String(method));
    if !value.is_empty() {
        fields.insert("value".to_string(), Value::String(value.to_string()));
    }
    // dbt's key order: the regular expression's groups.
    let order = [
        "childrens_parents",
        "parents",
        "parents_depth",
        "method",
        "value",
        "children",
    ];
    let mut ordered = Map::new();
    for key in order {
        if let Some(value) = fields.remove(key) {
            ordered.insert(key.to_string(), value);
        }
    }
    if let Some(depth) = children_depth {
        ordered.insert("children_depth".to_string(), Value::String(depth));
    }
    Value::Object(ordered)
}

/// The method dbt gives a criterion written without one: `path` for what
/// looks like a path, `file` for a file name, else `fqn`.
pub(crate) fn default_method(value: &str) -> &'static str {
    if value.contains('/') || value == "." || value == ".." {
        "path"
    } else if [".sql", ".py", ".csv"]
        .iter()
        .any(|extension| value.to_ascii_lowercase().ends_with(extension))
    {
        "file"
    } else {
        "fqn"
    }
}
