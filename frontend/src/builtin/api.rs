//! `api`: dbt's adapter classes as templates reach them,
//! `api.Relation.create(database=, schema=, identifier=)` and
//! `api.Column.translate_type('string')`.

use crate::adapter_naming::AdapterNaming;
use crate::quoting::{QuotePolicy, QuotingConfig};
use crate::relation::{RelationObject, RelationParts};
use crate::render_state::RenderShared;
use minijinja::value::{Kwargs, Object, Rest};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::sync::Arc;

pub(super) fn register(environment: &mut Environment<'static>, shared: &Arc<RenderShared>) {
    environment.add_global(
        "api",
        Value::from_object(Api {
            naming: shared.naming,
            quote: shared.quote,
            quoting: shared.relation_quoting,
        }),
    );
}

/// The `api` namespace.
#[derive(Debug)]
struct Api {
    naming: &'static dyn AdapterNaming,
    quote: char,
    quoting: QuotePolicy,
}

impl Object for Api {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "Relation" => Some(Value::from_object(RelationClass {
                quote: self.quote,
                quoting: self.quoting,
            })),
            "Column" => Some(Value::from_object(ColumnClass {
                naming: self.naming,
            })),
            _ => None,
        }
    }
}

/// `api.Relation`: its relations are quoted as the project's are (dbt's
/// relation proxy lays the project's `quoting:` under a `quote_policy=`).
#[derive(Debug)]
struct RelationClass {
    quote: char,
    quoting: QuotePolicy,
}

impl Object for RelationClass {
    /// `create` is there as a value too (`api.Relation.create is defined`);
    /// calling it goes through `call_method`.
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        (key.as_str()? == "create").then(|| {
            Value::from_object(BoundMethod {
                receiver: Value::from_dyn_object(self.clone()),
                method: "create",
            })
        })
    }

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
                    quoting: self.quoting.overridden(&QuotingConfig::from_yaml(
                        &kwargs
                            .get::<Option<Value>>("quote_policy")
                            .ok()
                            .flatten()
                            .map(|policy| serde_json::to_value(&policy).unwrap_or_default())
                            .unwrap_or_default(),
                        &[],
                    )),
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
    naming: &'static dyn AdapterNaming,
}

impl Object for ColumnClass {
    /// The class method as a value, so templates can test it
    /// (`api.Column.translate_type is defined`) or pass it around.
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let naming = self.naming;
        (key.as_str()? == "translate_type").then(|| {
            Value::from_function(move |dtype: String| naming.translate_column_type(&dtype))
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "translate_type" => {
                let (dtype,): (String,) = minijinja::value::from_args(args)?;
                Ok(Value::from(self.naming.translate_column_type(&dtype)))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("api.Column has no method `{method}`"),
            )),
        }
    }
}

/// A method of a host object taken as a value: calling it calls the method.
#[derive(Debug)]
struct BoundMethod {
    receiver: Value,
    method: &'static str,
}

impl Object for BoundMethod {
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        self.receiver.call_method(state, self.method, args)
    }
}
