//! `adapter`: `adapter.dispatch` (the project's or a package's
//! implementation of a macro for this adapter), quoting, and introspection
//! (`get_relation`, `get_columns_in_relation`, `execute`...), which returns
//! nothing ahead of time and marks the node introspective, and which the
//! warehouse answers at run time.

use crate::builtin::agate::AgateTable;
use crate::builtin::macros::ProjectMacro;
use crate::jinja::fail;
use crate::relation::{RelationObject, RelationParts};
use crate::render_state::{mark_introspective, run_time, RenderShared};
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
            "dispatch" => {
                let (macro_name, namespace, kwargs): (String, Option<String>, Kwargs) =
                    minijinja::value::from_args(args)?;
                let namespace = match namespace {
                    Some(namespace) => Some(namespace),
                    None => kwargs.get::<Option<String>>("macro_namespace")?,
                };
                let unqualified = [
                    format!("{}__{macro_name}", self.shared.adapter_type),
                    format!("default__{macro_name}"),
                ];
                // dbt's default search order: the root project, then the
                // namespace the caller names; dbt's own macros last.
                let mut candidates: Vec<String> = unqualified
                    .iter()
                    .map(|name| format!("{}.{name}", self.shared.project_name))
                    .collect();
                if let Some(namespace) = &namespace {
                    candidates.extend(unqualified.iter().map(|name| format!("{namespace}.{name}")));
                }
                candidates.extend(unqualified.iter().cloned());
                for candidate in &candidates {
                    if self.shared.macros.contains_key(candidate) {
                        return Ok(Value::from_object(ProjectMacro::new(
                            candidate.clone(),
                            self.shared.clone(),
                        )));
                    }
                }
                Err(fail(
                    Code::UndefinedMacro,
                    format!(
                        "adapter.dispatch('{macro_name}') found no implementation: define `{}` or `{}`",
                        unqualified[0], unqualified[1]
                    ),
                ))
            }
            "quote" => {
                let (identifier,): (String,) = minijinja::value::from_args(args)?;
                Ok(Value::from(format!(
                    "\"{}\"",
                    identifier.replace('"', "\"\"")
                )))
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
                        return adapter_method(runtime, method, args);
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

/// The `adapter` methods that read the warehouse, answered at run time.
fn adapter_method(runtime: &RunTime, method: &str, args: &[Value]) -> Result<Value, Error> {
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
                Some(_) => Value::from_object(RelationObject(RelationParts {
                    database: relation.database,
                    schema: relation.schema,
                    identifier: relation.identifier,
                    ephemeral_cte: false,
                })),
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

    fn render(self: &Arc<Self>, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "<Column {} ({})>", self.0.name, self.0.data_type)
    }
}
