//! `adapter`: `adapter.dispatch` (the project's or a package's
//! implementation of a macro for this adapter), quoting, and introspection
//! (`get_relation`, `get_columns_in_relation`, `execute`...), which returns
//! nothing ahead of time and marks the node introspective, and which the
//! warehouse answers at run time.

use crate::builtin::agate::AgateTable;
use crate::builtin::macros::find_macro;
use crate::jinja::fail;
use crate::quoting::QuotePolicy;
use crate::relation::{RelationObject, RelationParts};
use crate::render_state::{mark_introspective, node_state, run_time, RenderShared};
use crate::runtime::{QueryTable, RelationRef, RunTime, WarehouseColumn};
use fusion_ir::codes::Code;
use minijinja::value::{Enumerator, Kwargs, Object};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::sync::Arc;

pub(super) fn register(environment: &mut Environment<'static>, shared: &Arc<RenderShared>) {
    environment.add_global(
        "adapter",
        Value::from_object(AdapterObject {
            shared: shared.clone(),
        }),
    );
}

/// `adapter`: dispatch and quoting; introspection returns nothing and marks
/// the node introspective.
#[derive(Debug)]
struct AdapterObject {
    shared: Arc<RenderShared>,
}

impl Object for AdapterObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "type" => Some(Value::from(self.shared.adapter_type.clone())),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            // dbt's `adapter.type()` is a method; fusionc also reads `adapter.type`.
            "type" => Ok(Value::from(self.shared.adapter_type.clone())),
            "dispatch" => {
                let (macro_name, namespace, kwargs): (String, Option<String>, Kwargs) =
                    minijinja::value::from_args(args)?;
                let namespace = match namespace {
                    Some(namespace) => Some(namespace),
                    None => kwargs.get::<Option<String>>("macro_namespace")?,
                };
                dispatch(&self.shared, state, &macro_name, namespace.as_deref())
            }
            "quote" => {
                // dbt's `adapter.quote`: the name in the adapter's quote
                // character (BigQuery's backquote).
                let (identifier,): (String,) = minijinja::value::from_args(args)?;
                Ok(Value::from(quoted_name(self.shared.quote, &identifier)))
            }
            "quote_as_configured" => {
                // Quoted when the project's policy quotes that part of a
                // relation's name (`database`, `schema` or `identifier`);
                // any other key leaves the name as it is, as in dbt.
                let (identifier, quote_key): (String, String) = minijinja::value::from_args(args)?;
                let policy = self.shared.relation_quoting;
                let quoted = match quote_key.as_str() {
                    "database" => policy.database,
                    "schema" => policy.schema,
                    "identifier" => policy.identifier,
                    _ => false,
                };
                Ok(Value::from(if quoted {
                    quoted_name(self.shared.quote, &identifier)
                } else {
                    identifier
                }))
            }
            "get_relation"
            | "get_columns_in_relation"
            | "get_relations_by_pattern"
            | "list_relations_without_caching"
            | "execute"
            | "get_missing_columns"
            | "list_schemas"
            | "check_schema_exists" => {
                mark_introspective(state);
                if let Some(node) = run_time(state) {
                    if let Some(runtime) = node.runtime() {
                        return adapter_method(
                            runtime,
                            method,
                            args,
                            (self.shared.quote, self.shared.relation_quoting),
                        );
                    }
                }
                Ok(match method {
                    "get_relation" => Value::from(()),
                    _ => Value::from(Vec::<Value>::new()),
                })
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("adapter has no method `{method}`"),
            )),
        }
    }
}

/// `adapter.dispatch(name, macro_namespace)` as dbt resolves it: the
/// packages to search (the root project's `dispatch:` order for the
/// namespace; else the root project then the namespace when it is an
/// installed package; else the caller's own namespace search), and in each
/// the adapter's prefixes, most specific first, then `default`.
fn dispatch(
    shared: &Arc<RenderShared>,
    state: &State,
    macro_name: &str,
    namespace: Option<&str>,
) -> Result<Value, Error> {
    let configured = namespace.and_then(|namespace| {
        shared
            .dispatch
            .iter()
            .find(|(configured, _)| configured == namespace)
            .map(|(_, order)| order.clone())
    });
    let search: Vec<Option<String>> = match (namespace, configured) {
        (Some(_), Some(order)) if !order.is_empty() => order.into_iter().map(Some).collect(),
        (Some(namespace), _) if shared.packages.iter().any(|package| package == namespace) => {
            vec![
                Some(shared.project_name.clone()),
                Some(namespace.to_string()),
            ]
        }
        _ => vec![None],
    };
    let node_package = node_state(state).and_then(|node| node.package().map(str::to_string));
    let prefixes = adapter_macro_prefixes(shared);
    let mut attempts = Vec::new();
    for package in &search {
        for prefix in &prefixes {
            let candidate = format!("{prefix}__{macro_name}");
            if let Some(found) = find_macro(
                shared,
                package.as_deref(),
                &candidate,
                node_package.as_deref(),
            ) {
                return Ok(found);
            }
            attempts.push(match package {
                Some(package) => format!("`{package}.{candidate}`"),
                None => format!("`{candidate}`"),
            });
        }
    }
    Err(fail(
        Code::UndefinedMacro,
        format!(
            "adapter.dispatch('{macro_name}') found no implementation: searched {}",
            attempts.join(", ")
        ),
    ))
}

/// The prefixes dispatch tries for an adapter: its own type, the adapters
/// it extends, `default`.
fn adapter_macro_prefixes(shared: &RenderShared) -> Vec<&str> {
    std::iter::once(shared.adapter_type.as_str())
        .chain(shared.naming.parent_adapters().iter().copied())
        .chain(std::iter::once("default"))
        .collect()
}

/// The parts of a relation value (`ref()`, `this`, `api.Relation`...), or
/// of `database=`, `schema=`, `identifier=` keywords.
fn relation_argument(args: &[Value]) -> Result<RelationRef, Error> {
    let (positional, kwargs): (minijinja::value::Rest<Value>, Kwargs) =
        minijinja::value::from_args(args)?;
    let positional: Vec<Value> = positional.0;
    let text = |value: Value| -> Option<String> {
        (!value.is_undefined() && !value.is_none()).then(|| value.to_string())
    };
    if let [relation] = positional.as_slice() {
        let identifier = relation
            .get_attr("identifier")
            .ok()
            .and_then(text)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    "expected a relation (ref(), source() or this)",
                )
            })?;
        return Ok(RelationRef {
            database: relation.get_attr("database").ok().and_then(text),
            schema: relation.get_attr("schema").ok().and_then(text),
            identifier,
        });
    }
    let keyword = |key: &str, index: usize| -> Result<Option<String>, Error> {
        Ok(match kwargs.get::<Option<Value>>(key)? {
            Some(value) => text(value),
            None => positional.get(index).cloned().and_then(text),
        })
    };
    let database = keyword("database", 0)?;
    let schema = keyword("schema", 1)?;
    let identifier = keyword("identifier", 2)?.ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            "expected database=, schema= and identifier=",
        )
    })?;
    Ok(RelationRef {
        database,
        schema,
        identifier,
    })
}

/// A name in the adapter's quote character, the character doubled inside.
fn quoted_name(quote: char, identifier: &str) -> String {
    let mut quoted = String::with_capacity(identifier.len() + 2);
    quoted.push(quote);
    for character in identifier.chars() {
        if character == quote {
            quoted.push(quote);
        }
        quoted.push(character);
    }
    quoted.push(quote);
    quoted
}

/// The `adapter` methods that read the warehouse, answered at run time.
fn adapter_method(
    runtime: &RunTime,
    method: &str,
    args: &[Value],
    (quote, quoting): (char, QuotePolicy),
) -> Result<Value, Error> {
    let warehouse = runtime.warehouse()?;
    let failed = |message: String| {
        fail(
            Code::NodeExecutionFailed,
            format!("adapter.{method} failed: {message}"),
        )
    };
    match method {
        "get_columns_in_relation" => {
            let relation = relation_argument(args)?;
            let columns = warehouse
                .get_columns_in_relation(&relation)
                .map_err(failed)?;
            Ok(Value::from(
                columns
                    .into_iter()
                    .map(|column| Value::from_object(ColumnObject(column)))
                    .collect::<Vec<_>>(),
            ))
        }
        "get_relation" => {
            let relation = relation_argument(args)?;
            let kind = warehouse.get_relation(&relation).map_err(failed)?;
            Ok(match kind {
                None => Value::from(()),
                Some(_) => Value::from_object(RelationObject::new(
                    RelationParts {
                        database: relation.database,
                        schema: relation.schema,
                        identifier: relation.identifier,
                        ephemeral_cte: false,
                        quoting,
                    },
                    quote,
                )),
            })
        }
        "check_schema_exists" => {
            let (database, schema): (Option<String>, String) = minijinja::value::from_args(args)?;
            let mut sql = format!(
                "select count(*) from information_schema.schemata where lower(schema_name) = lower('{}')",
                schema.replace('\'', "''")
            );
            if let Some(database) = database {
                sql.push_str(&format!(
                    " and lower(catalog_name) = lower('{}')",
                    database.replace('\'', "''")
                ));
            }
            let table = warehouse.run_query(&sql).map_err(failed)?;
            let count = table
                .rows
                .first()
                .and_then(|row| row.first())
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            Ok(Value::from(count > 0))
        }
        "execute" => {
            let (sql, kwargs): (String, Kwargs) = minijinja::value::from_args(args)?;
            let fetch = kwargs.get::<Option<bool>>("fetch")?.unwrap_or(false);
            let _: Option<Value> = kwargs.get("auto_begin")?;
            let table = warehouse.run_query(&sql).map_err(failed)?;
            let rows = table.rows.len();
            let response =
                minijinja::context! { code => "OK", rows_affected => rows, _message => "OK" };
            let table = if fetch {
                Value::from_object(AgateTable::new(table))
            } else {
                Value::from_object(AgateTable::new(QueryTable::default()))
            };
            Ok(Value::from(vec![response, table]))
        }
        // Listing relations needs the warehouse's catalog layout; an empty
        // list keeps macros that only filter it working.
        _ => Ok(Value::from(Vec::<Value>::new())),
    }
}

/// A column as `adapter.get_columns_in_relation` returns it.
#[derive(Debug)]
struct ColumnObject(WarehouseColumn);

impl Object for ColumnObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let column = &self.0;
        Some(match key.as_str()? {
            "name" | "column" => Value::from(column.name.clone()),
            "quoted" => Value::from(format!("\"{}\"", column.name.replace('"', "\"\""))),
            "data_type" | "dtype" => Value::from(column.data_type.clone()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["name", "data_type"])
    }

    /// dbt's `Column` methods macros call (dbt_utils' `union_relations`
    /// compares string sizes): the type tests read the type's name without
    /// its arguments, as dbt's lists of type names do.
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if !args.is_empty() {
            return Err(Error::new(
                ErrorKind::TooManyArguments,
                format!("Column.{method}() takes no arguments"),
            ));
        }
        let data_type = self.0.data_type.to_lowercase();
        let (type_name, size) = match data_type.split_once('(') {
            Some((name, rest)) => (
                name.trim(),
                rest.trim_end_matches(')').trim().parse::<i64>().ok(),
            ),
            None => (data_type.trim(), None),
        };
        let is_string = matches!(
            type_name,
            "text" | "character varying" | "character" | "varchar"
        );
        let is_integer = matches!(
            type_name,
            "tinyint"
                | "smallint"
                | "integer"
                | "bigint"
                | "hugeint"
                | "utinyint"
                | "usmallint"
                | "uinteger"
                | "ubigint"
                | "int1"
                | "int2"
                | "int4"
                | "int8"
                | "short"
                | "int"
                | "signed"
                | "long"
                | "smallserial"
                | "serial"
                | "bigserial"
                | "serial2"
                | "serial4"
                | "serial8"
        );
        let is_float = matches!(
            type_name,
            "real" | "float" | "float4" | "float8" | "double" | "double precision"
        );
        // dbt compares the whole type: `decimal(18,3)` is not numeric to it.
        let is_numeric = matches!(data_type.trim(), "numeric" | "decimal");
        Ok(Value::from(match method {
            "is_string" => is_string,
            "is_integer" => is_integer,
            "is_float" => is_float,
            "is_numeric" => is_numeric,
            "is_number" => is_integer || is_float || is_numeric,
            "string_size" => {
                if !is_string {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "Called string_size() on non-string field!",
                    ));
                }
                return Ok(Value::from(
                    size.filter(|_| type_name != "text").unwrap_or(256),
                ));
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::UnknownMethod,
                    format!("Column has no method named {method}"),
                ))
            }
        }))
    }

    fn render(self: &Arc<Self>, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "<Column {} ({})>", self.0.name, self.0.data_type)
    }
}
