//! Generic data tests declared in YAML (`not_null`, `unique`,
//! `accepted_values`, `relationships`): their dbt-style names and the SQL
//! that selects the failing rows.

use crate::adapter_naming::AdapterNaming;
use crate::schema_yaml::TestSpec;
use serde_json::Value;

/// The test part of a generic test's name: the test's name, after
/// `source_` for a test on a source table, after the macro's package when
/// one is named (`dbt_utils_source_unique_combination_of_columns`), as
/// dbt's `get_synthetic_test_names` writes it.
fn test_type(spec: &TestSpec, on_source: bool) -> String {
    let name = if on_source {
        format!("source_{}", spec.test_name)
    } else {
        spec.test_name.clone()
    };
    match &spec.namespace {
        Some(namespace) => format!("{namespace}_{name}"),
        None => name,
    }
}

/// dbt's test node name: `<test>_<model>_<column>` plus the arguments that
/// distinguish it (`accepted_values_orders_status__placed__shipped`); a
/// test on a source table is `source_<test>_<source>_<table>_...`.
pub fn test_node_name(spec: &TestSpec, attached_name: &str, on_source: bool) -> String {
    if let Some(name) = &spec.custom_name {
        return name.clone();
    }
    let mut name = format!("{}_{attached_name}", test_type(spec, on_source));
    // dbt appends the argument values, `column_name` among them, sorted by
    // argument name, each as Python prints it.
    let column = spec
        .column_name
        .as_ref()
        .map(|column| Value::String(column.clone()));
    let mut arguments: Vec<(&str, &Value)> = spec
        .kwargs
        .iter()
        .map(|(key, value)| (key.as_str(), value))
        .chain(column.as_ref().map(|column| ("column_name", column)))
        .collect();
    arguments.sort_by(|left, right| left.0.cmp(right.0));
    let mut values = Vec::new();
    for (key, value) in arguments {
        if key == "model" {
            continue;
        }
        match value {
            Value::Array(items) => values.extend(items.iter().map(value_text)),
            Value::Object(entries) => values.extend(entries.values().map(value_text)),
            other => values.push(value_text(other)),
        }
    }
    // `{test}_{target}_{arguments}`, the last part empty for a test
    // without arguments (dbt's name then ends in `_`).
    name.push('_');
    name.push_str(&values.join("__"));
    // Runs of other characters become one underscore, as dbt cleans names.
    let mut cleaned = String::with_capacity(name.len());
    let mut in_run = false;
    for character in name.chars() {
        if character.is_ascii_alphanumeric() || character == '_' {
            cleaned.push(character);
            in_run = false;
        } else if !in_run {
            cleaned.push('_');
            in_run = true;
        }
    }
    cleaned
}

/// A value as Python's `str()` prints it, which is what dbt puts in names.
/// The shorter name dbt gives a generic test whose full name (from
/// [`test_node_name`]) has 64 characters or more, for its alias and its
/// compiled file: the first 30 characters of `[namespace_]test_model`, `_`,
/// and the MD5 digest of the full name. `None` for shorter names.
pub fn test_short_name(
    spec: &TestSpec,
    attached_name: &str,
    on_source: bool,
    full_name: &str,
) -> Option<String> {
    if full_name.len() < 64 || spec.custom_name.is_some() {
        return None;
    }
    let identifier = format!("{}_{attached_name}", test_type(spec, on_source));
    let truncated: String = identifier.chars().take(30).collect();
    Some(format!(
        "{truncated}_{}",
        crate::checksum::md5_hex(full_name)
    ))
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// The model named by a `to: ref('customers')` argument, or a plain name.
pub fn referenced_model_name(text: &str) -> Option<String> {
    let text = text.trim();
    let inner = text.strip_prefix("ref(")?.strip_suffix(')')?;
    let last = inner.split(',').next_back()?;
    let name = last.trim().trim_matches(['\'', '"']);
    (!name.is_empty()).then(|| name.to_string())
}

/// `(source, table)` named by `to: source('shop', 'orders')`.
pub fn referenced_source(text: &str) -> Option<(String, String)> {
    let inner = text.trim().strip_prefix("source(")?.strip_suffix(')')?;
    let mut parts = inner
        .split(',')
        .map(|part| part.trim().trim_matches(['\'', '"']).to_string());
    Some((parts.next()?, parts.next()?))
}

fn sql_literal(value: &Value) -> String {
    match value {
        Value::String(text) => format!("'{}'", text.replace('\'', "''")),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// The SQL selecting the rows that fail the test, or `None` for a test
/// fusionc does not know (a package's or the project's own generic test).
/// `relation` and `to_relation` are already quoted; `adapter` gives the
/// tests its dbt plugin writes its own way.
pub fn test_sql(
    spec: &TestSpec,
    relation: &str,
    to_relation: Option<&str>,
    adapter: &dyn AdapterNaming,
) -> Option<String> {
    let column = spec.column_name.as_deref();
    let where_clause = spec
        .config
        .get("where")
        .and_then(Value::as_str)
        // As dbt's `get_where_subquery` writes it (no `as`).
        .map(|condition| format!("(select * from {relation} where {condition}) dbt_subquery"));
    let relation = where_clause.as_deref().unwrap_or(relation);
    match (spec.namespace.as_deref(), spec.test_name.as_str()) {
        (None, "not_null") => Some(format!(
            "select {}\nfrom {relation}\nwhere {} is null",
            column?, column?
        )),
        (None, "unique") => {
            let column = column?;
            adapter.unique_test_sql(relation, column).or_else(|| Some(format!(
                "select\n    {column} as unique_field,\n    count(*) as n_records\nfrom {relation}\nwhere {column} is not null\ngroup by {column}\nhaving count(*) > 1"
            )))
        }
        (None, "accepted_values") => {
            let values = spec.kwargs.get("values")?.as_array()?;
            let quote = spec
                .kwargs
                .get("quote")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let listed: Vec<String> = values
                .iter()
                .map(|value| {
                    if quote {
                        sql_literal(&Value::String(value_text(value)))
                    } else {
                        value_text(value)
                    }
                })
                .collect();
            Some(format!(
                "with all_values as (\n    select {column} as value_field, count(*) as n_records\n    from {relation}\n    group by {column}\n)\nselect *\nfrom all_values\nwhere value_field not in ({})",
                listed.join(", "),
                column = column?
            ))
        }
        (None, "relationships") => {
            let field = spec.kwargs.get("field").and_then(Value::as_str)?;
            Some(format!(
                "with child as (\n    select {column} as from_field\n    from {relation}\n    where {column} is not null\n),\nparent as (\n    select {field} as to_field\n    from {}\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null",
                to_relation?,
                column = column?
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    fn spec(name: &str, column: &str, kwargs: Value) -> TestSpec {
        TestSpec {
            test_name: name.into(),
            namespace: None,
            column_name: Some(column.into()),
            kwargs: kwargs.as_object().cloned().unwrap_or_default(),
            config: Map::new(),
            custom_name: None,
        }
    }

    #[test]
    fn names_follow_dbt() {
        assert_eq!(
            test_node_name(&spec("not_null", "id", json!({})), "orders", false),
            "not_null_orders_id"
        );
        let accepted = spec(
            "accepted_values",
            "status",
            json!({"values": ["placed", "shipped"]}),
        );
        assert_eq!(
            test_node_name(&accepted, "orders", false),
            "accepted_values_orders_status__placed__shipped"
        );
        let relationships = spec(
            "relationships",
            "customer_id",
            json!({"to": "ref('customers')", "field": "id"}),
        );
        assert_eq!(
            test_node_name(&relationships, "orders", false),
            "relationships_orders_customer_id__id__ref_customers_"
        );
        assert_eq!(
            referenced_model_name("ref('customers')").as_deref(),
            Some("customers")
        );
        assert_eq!(
            referenced_source("source('shop', 'orders')"),
            Some(("shop".to_string(), "orders".to_string()))
        );
    }

    /// An adapter that writes every test as dbt-core does.
    #[derive(Debug)]
    struct DbtDefaults;

    impl AdapterNaming for DbtDefaults {
        fn default_database(&self, _profile_output: &Map<String, Value>) -> String {
            String::new()
        }
        fn default_schema(&self) -> String {
            String::new()
        }
    }

    #[test]
    fn accepted_values_sql_quotes_values() {
        let accepted = spec("accepted_values", "status", json!({"values": ["a'b", 1]}));
        let sql = test_sql(&accepted, "\"t\"", None, &DbtDefaults).unwrap_or_default();
        assert!(sql.contains("not in ('a''b', '1')"), "{sql}");
    }
}
