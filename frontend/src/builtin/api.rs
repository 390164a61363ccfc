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
