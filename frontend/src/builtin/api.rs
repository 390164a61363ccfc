//! `api`: dbt's adapter classes as templates reach them,
//! `api.Relation.create(database=, schema=, identifier=)` and
//! `api.Column.translate_type('string')`.

use crate::relation::{RelationObject, RelationParts};
use crate::render_state::RenderShared;
use minijinja::value::{Kwargs, Object, Rest};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::sync::Arc;

pub(super) fn register(environment: &mut Environment<'static>, shared: &Arc<RenderShared>) {
    environment.add_global(
        "api",
        Value::from_object(Api {
            adapter_type: shared.adapter_type.clone(),
            quote: shared.quote,
        }),
    );
}

/// The `api` namespace.
#[derive(Debug)]
struct Api {
    adapter_type: String,
    quote: char,
}

impl Object for Api {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "Relation" => Some(Value::from_object(RelationClass { quote: self.quote })),
            "Column" => Some(Value::from_object(ColumnClass {
                adapter_type: self.adapter_type.clone(),
            })),
            _ => None,
        }
    }
}

/// `api.Relation`.
#[derive(Debug)]
struct RelationClass {
    quote: char,
}

impl Object for RelationClass {
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "create" => {
                let (positional, kwargs): (Rest<Value>, Kwargs) =
                    minijinja::value::from_args(args)?;
                let part = |index: usize, key: &str| -> Option<String> {
                    let value = kwargs
                        .get::<Option<Value>>(key)
                        .ok()
                        .flatten()
                        .or_else(|| positional.get(index).cloned())?;
                    (!value.is_none() && !value.is_undefined()).then(|| value.to_string())
                };
                let parts = RelationParts {
                    database: part(0, "database"),
                    schema: part(1, "schema"),
                    identifier: part(2, "identifier").unwrap_or_default(),
                    ephemeral_cte: false,
                };
                Ok(Value::from_object(RelationObject::new(parts, self.quote)))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("api.Relation has no method `{method}`"),
            )),
        }
    }
}

/// `api.Column`: the adapter's column class.
#[derive(Debug)]
struct ColumnClass {
    adapter_type: String,
}

impl Object for ColumnClass {
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "translate_type" => {
                let (dtype,): (String,) = minijinja::value::from_args(args)?;
                Ok(Value::from(translate_type(&self.adapter_type, &dtype)))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("api.Column has no method `{method}`"),
            )),
        }
    }
}

/// `Column.translate_type` of each adapter's column class: its
/// `TYPE_LABELS` (dbt-adapters' base class maps `STRING` to `TEXT`;
/// BigQuery's maps `TEXT`, `FLOAT` and `INTEGER` to its names; Databricks'
/// maps `LONG` and lowercases), any other type unchanged.
fn translate_type(adapter_type: &str, dtype: &str) -> String {
    let upper = dtype.to_ascii_uppercase();
    match adapter_type {
        "bigquery" => match upper.as_str() {
            "TEXT" => "STRING".to_string(),
            "FLOAT" => "FLOAT64".to_string(),
            "INTEGER" => "INT64".to_string(),
            _ => dtype.to_string(),
        },
        "databricks" => match upper.as_str() {
            "LONG" => "bigint".to_string(),
            _ => dtype.to_lowercase(),
        },
        _ => match upper.as_str() {
            "STRING" => "TEXT".to_string(),
            _ => dtype.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::translate_type;

    #[test]
    fn each_adapter_translates_its_labels() {
        assert_eq!(translate_type("duckdb", "string"), "TEXT");
        assert_eq!(translate_type("postgres", "timestamp"), "timestamp");
        assert_eq!(translate_type("bigquery", "integer"), "INT64");
        assert_eq!(translate_type("databricks", "LONG"), "bigint");
        assert_eq!(translate_type("databricks", "STRING"), "string");
    }
}
