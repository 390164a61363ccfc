//! Python's helpers as dbt templates use them: `modules`, `fromjson`, `zip`,
//! `log` and `print` (which write nothing), and dbt's type-marking filters.

use crate::jinja::to_value;
use minijinja::value::Rest;
use minijinja::{Environment, Error, ErrorKind, Value};

pub(super) fn register(environment: &mut Environment<'static>) {
    crate::jinja::register_type_marker_filters(environment);
    environment.add_global(
        "modules",
        to_value(serde_json::json!({ "datetime": {}, "re": {}, "itertools": {} })),
    );
    environment.add_function(
        "fromjson",
        |text: String, default: Option<Value>| -> Result<Value, Error> {
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(value) => Ok(to_value(value)),
                Err(error) => default
                    .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, error.to_string())),
            }
        },
    );
    environment.add_function("zip", |lists: Rest<Value>| -> Result<Value, Error> {
        let lists: Vec<Vec<Value>> = lists
            .iter()
            .map(|list| list.try_iter().map(|items| items.collect()))
            .collect::<Result<_, _>>()?;
        let length = lists.iter().map(Vec::len).min().unwrap_or(0);
        Ok(Value::from(
            (0..length)
                .map(|index| {
                    Value::from(
                        lists
                            .iter()
                            .map(|list| list[index].clone())
                            .collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>(),
        ))
    });
    environment.add_function("log", |_args: Rest<Value>| "");
    environment.add_function("print", |_args: Rest<Value>| "");
}
