//! Rendering at run time: a node rendered again right before it runs, with
//! `is_incremental()` answered from the warehouse, `flags` of the running
//! command, and introspection (`run_query`, `{% call statement %}` with
//! `load_result`, `adapter.get_columns_in_relation`, `adapter.get_relation`)
//! answered by a [`Warehouse`] the driver provides.
//!
//! The frontend knows no warehouse client: the driver implements
//! [`Warehouse`] over its adapter's connection and passes it in
//! [`RunRenderOptions`]. Everything the warehouse returns reaches templates
//! as agate-like values, the shapes dbt macros expect (`table.columns[0]
//! .values()`, `table.rows`, `load_result('x')['data']`).

use crate::render::{
    error_message, fail, failure_of, render_node_with, to_value, NodeRenderState, RelationObject,
    RelationParts, RenderInput,
};
use crate::{NodeDetails, Project};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::{NodeId, NodeKind};
use fusion_ir::span::Span;
use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex};

/// The warehouse as run-time Jinja sees it. Errors are the warehouse's own
/// messages.
pub trait Warehouse: Send + Sync {
    /// Runs a statement; a query's rows come back, other statements return
    /// an empty table.
    fn run_query(&self, sql: &str) -> Result<QueryTable, String>;
    /// The relation's columns in order; empty when it does not exist.
    fn get_columns_in_relation(
        &self,
        relation: &RelationRef,
    ) -> Result<Vec<WarehouseColumn>, String>;
    /// Whether the relation exists, and as what.
    fn get_relation(&self, relation: &RelationRef) -> Result<Option<RelationKind>, String>;
}

/// A relation by its parts, unquoted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationRef {
    pub database: Option<String>,
    pub schema: Option<String>,
    pub identifier: String,
}

/// What kind of relation exists under a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    Table,
    View,
}

/// A column as the warehouse describes it (its own type spelling).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarehouseColumn {
    pub name: String,
    pub data_type: String,
}

/// A query's result: column names and types, rows as JSON values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryTable {
    pub column_names: Vec<String>,
    pub column_types: Vec<String>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// How a run-time render differs from the compile-time one.
pub struct RunRenderOptions<'a> {
    /// What `is_incremental()` returns for this node.
    pub is_incremental: bool,
    /// What `should_full_refresh()` and `flags.FULL_REFRESH` say.
    pub full_refresh: bool,
    /// `flags.WHICH`: `run`, `build`, `test`, `seed`, `snapshot`.
    pub which: &'a str,
    /// The warehouse that answers introspection; without one, introspection
    /// returns empty results as at compile time.
    pub warehouse: Option<Arc<dyn Warehouse>>,
}

/// A node rendered at run time.
pub struct RunRendered {
    pub sql: String,
    pub source_map: crate::SourceMap,
    /// True when the render read the warehouse.
    pub introspective: bool,
}

/// The Jinja environment a project was rendered with (every macro
/// compiled, dbt's globals), kept so nodes can be rendered again at run time.
pub struct Renderer {
    pub(crate) environment: minijinja::Environment<'static>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Renderer")
    }
}

/// The run-time half of a node's render state.
pub struct RunTime {
    pub is_incremental: bool,
    pub full_refresh: bool,
    warehouse: Option<Arc<dyn Warehouse>>,
    /// `{% call statement('name', fetch_result=True) %}` results, by name,
    /// for `load_result('name')`.
    statement_results: Mutex<FxHashMap<String, Value>>,
}

impl std::fmt::Debug for RunTime {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RunTime")
            .field("is_incremental", &self.is_incremental)
            .field("full_refresh", &self.full_refresh)
            .field("warehouse", &self.warehouse.is_some())
            .finish()
    }
}

impl RunTime {
    fn new(options: &RunRenderOptions<'_>) -> RunTime {
        RunTime {
            is_incremental: options.is_incremental,
            full_refresh: options.full_refresh,
            warehouse: options.warehouse.clone(),
            statement_results: Mutex::new(FxHashMap::default()),
        }
    }

    fn warehouse(&self) -> Result<&dyn Warehouse, Error> {
        self.warehouse.as_deref().ok_or_else(|| {
            fail(
                Code::JinjaRender,
                "this render has no warehouse to query".to_string(),
            )
        })
    }
}

fn run_flags(options: &RunRenderOptions<'_>) -> Value {
    to_value(serde_json::json!({
        "FULL_REFRESH": options.full_refresh,
        "WHICH": options.which,
    }))
}

/// `model` as templates see it.
pub(crate) fn model_value(
    kind: NodeKind,
    name: &str,
    unique_id: &str,
    original_file_path: &str,
    path: &str,
    package_name: &str,
    fqn: &[String],
) -> Value {
    to_value(serde_json::json!({
        "name": name,
        "unique_id": unique_id,
        "original_file_path": original_file_path,
        "path": path,
        "package_name": package_name,
        "resource_type": kind.resource_type(),
        "fqn": fqn,
    }))
}

fn this_of(details: &NodeDetails) -> RelationParts {
    RelationParts {
        database: details.database.clone(),
        schema: details.schema.clone(),
        identifier: details.alias.clone(),
        ephemeral_cte: false,
    }
}

/// A render error as a diagnostic: in the node's template when the error
/// is there, with the line it names.
fn run_time_diagnostic(error: &Error, details: Option<&NodeDetails>, what: &str) -> Diagnostic {
    let (code, message) = match failure_of(error) {
        Some(failure) => (failure.code, failure.message.clone()),
        None => (Code::JinjaRender, error_message(error)),
    };
    let mut diagnostic = Diagnostic::new(code, format!("{what} at run time failed: {message}"));
    if let Some(details) = details {
        if let Some(file) = details.file {
            let in_template = error.name() == Some(details.original_file_path.as_str());
            let span = match (in_template, error.range()) {
                (true, Some(range)) if range.end <= details.raw_code.len() => {
                    Span::from_range(range)
                }
                _ => Span::EMPTY,
            };
            diagnostic = diagnostic.at(file, span);
        }
    }
    diagnostic
}

impl Project {
    /// Renders a node again just before it runs: `is_incremental()` and
    /// `flags` as the run has them, introspection answered by the
    /// warehouse. Nodes that are not templates (seeds, generic tests) keep
    /// their compile-time SQL.
    #[expect(
        clippy::result_large_err,
        reason = "a failed render ends the node; the diagnostic is reported at once"
    )]
    pub fn render_node_at_run_time(
        &self,
        node: NodeId,
        options: &RunRenderOptions<'_>,
    ) -> Result<RunRendered, Diagnostic> {
        let details = self.details(node);
        let is_template = details.test.is_none()
            && matches!(
                details.kind,
                NodeKind::Model | NodeKind::Snapshot | NodeKind::Test | NodeKind::Analysis
            );
        let (Some(renderer), true) = (&self.renderer, is_template) else {
            let rendered = details.rendered.as_ref().ok_or_else(|| {
                Diagnostic::new(
                    Code::JinjaRender,
                    format!(
                        "{} `{}` was not rendered",
                        details.kind.resource_type(),
                        details.name
                    ),
                )
            })?;
            return Ok(RunRendered {
                sql: rendered.sql.to_string(),
                source_map: rendered.source_map.get().clone(),
                introspective: details.introspective,
            });
        };
        let output = render_node_with(
            &renderer.environment,
            &RenderInput {
                template_name: &details.original_file_path,
                source: &details.raw_code,
                this: this_of(details),
                model: model_value(
                    details.kind,
                    &details.name,
                    &details.unique_id,
                    &details.original_file_path,
                    &details.path,
                    &details.package_name,
                    &details.fqn,
                ),
                execute: true,
            },
            NodeRenderState::at_run_time(RunTime::new(options)),
            run_flags(options),
        );
        match output.result {
            Ok(sql) => Ok(RunRendered {
                source_map: crate::SourceMap::build(&details.raw_code, &sql),
                sql,
                introspective: output.recorded.introspective,
            }),
            Err(error) => Err(run_time_diagnostic(&error, Some(details), "rendering")),
        }
    }

    /// Renders a hook (or any template text) at run time, as part of `node`
    /// (its `this` and `model`) or of the whole run (`on-run-start`).
    #[expect(
        clippy::result_large_err,
        reason = "a failed render ends the node; the diagnostic is reported at once"
    )]
    pub fn render_string(
        &self,
        template: &str,
        node: Option<NodeId>,
        options: &RunRenderOptions<'_>,
    ) -> Result<String, Diagnostic> {
        let Some(renderer) = &self.renderer else {
            return Ok(template.to_string());
        };
        if !template.contains("{{") && !template.contains("{%") {
            return Ok(template.to_string());
        }
        let details = node.map(|id| self.details(id));
        let (this, model) = match details {
            Some(details) => (
                this_of(details),
                model_value(
                    details.kind,
                    &details.name,
                    &details.unique_id,
                    &details.original_file_path,
                    &details.path,
                    &details.package_name,
                    &details.fqn,
                ),
            ),
            None => (
                RelationParts {
                    database: Some(self.target.database.clone()),
                    schema: Some(self.target.schema.clone()),
                    identifier: String::new(),
                    ephemeral_cte: false,
                },
                Value::from(()),
            ),
        };
        let output = render_node_with(
            &renderer.environment,
            &RenderInput {
                template_name: "<hook>",
                source: template,
                this,
                model,
                execute: true,
            },
            NodeRenderState::at_run_time(RunTime::new(options)),
            run_flags(options),
        );
        output.result.map_err(|error| {
            let mut diagnostic = run_time_diagnostic(&error, None, "a hook");
            if let Some(file) = details.and_then(|details| details.file) {
                diagnostic = diagnostic.at(file, Span::EMPTY);
            }
            diagnostic
        })
    }
}

/// `run_query(sql)`: the result as an agate-like table.
pub(crate) fn run_query(runtime: &RunTime, sql: &str) -> Result<Value, Error> {
    let table = runtime.warehouse()?.run_query(sql).map_err(|message| {
        fail(
            Code::NodeExecutionFailed,
            format!("run_query failed: {message}"),
        )
    })?;
    Ok(Value::from_object(AgateTable::new(table)))
}

/// `load_result(name)`: what the statement of that name fetched, or none.
pub(crate) fn load_result(runtime: &RunTime, name: &str) -> Value {
    let results = runtime
        .statement_results
        .lock()
        .unwrap_or_else(|poison| poison.into_inner());
    results.get(name).cloned().unwrap_or_default()
}

/// `{% call statement(name, fetch_result=False, auto_begin=True) %}sql{% endcall %}`:
/// runs the block's text, keeps its result for `load_result(name)`.
pub(crate) fn statement(
    runtime: &RunTime,
    state: &mut State,
    args: &[Value],
) -> Result<Value, Error> {
    let (name, kwargs): (Option<String>, Kwargs) = minijinja::value::from_args(args)?;
    let caller: Option<Value> = kwargs.get("caller")?;
    let fetch_result = kwargs.get::<Option<bool>>("fetch_result")?.unwrap_or(false);
    let _: Option<Value> = kwargs.get("auto_begin")?;
    let _: Option<Value> = kwargs.get("language")?;
    let Some(caller) = caller else {
        return Ok(Value::from(""));
    };
    let sql = caller.call(state, &[])?.to_string();
    let table = runtime.warehouse()?.run_query(&sql).map_err(|message| {
        fail(
            Code::NodeExecutionFailed,
            format!("statement failed: {message}"),
        )
    })?;
    let name = name.unwrap_or_else(|| "main".to_string());
    let rows = table.rows.len();
    let data: Vec<Value> = table
        .rows
        .iter()
        .map(|row| Value::from(row.iter().map(to_value).collect::<Vec<_>>()))
        .collect();
    let result = minijinja::context! {
        response => minijinja::context! { code => "OK", rows_affected => rows, _message => "OK" },
        data => if fetch_result { Value::from(data) } else { Value::from(Vec::<Value>::new()) },
        table => if fetch_result {
            Value::from_object(AgateTable::new(table))
        } else {
            Value::from(())
        },
    };
    runtime
        .statement_results
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .insert(name, result);
    Ok(Value::from(""))
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

/// The `adapter` methods that read the warehouse.
pub(crate) fn adapter_method(
    runtime: &RunTime,
    method: &str,
    args: &[Value],
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

/// A query result the way dbt's agate tables behave in templates:
/// iterable over rows, `rows`, `columns` (by position or name, each with
/// `values()`), `column_names`, `column_types`.
#[derive(Debug)]
struct AgateTable {
    table: QueryTable,
    rows: Vec<Value>,
}

impl AgateTable {
    fn new(table: QueryTable) -> AgateTable {
        let names: Arc<[String]> = table.column_names.clone().into();
        let rows = table
            .rows
            .iter()
            .map(|row| {
                Value::from_object(AgateRow {
                    names: names.clone(),
                    values: row.iter().map(to_value).collect(),
                })
            })
            .collect();
        AgateTable { table, rows }
    }

    fn column(&self, index: usize) -> Option<Value> {
        let name = self.table.column_names.get(index)?;
        let values = self
            .table
            .rows
            .iter()
            .map(|row| row.get(index).map(to_value).unwrap_or_default())
            .collect();
        Some(Value::from_object(AgateColumn {
            name: name.clone(),
            data_type: self
                .table
                .column_types
                .get(index)
                .cloned()
                .unwrap_or_default(),
            values,
        }))
    }
}

impl Object for AgateTable {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(index) = key.as_usize() {
            return self.rows.get(index).cloned();
        }
        match key.as_str()? {
            "rows" => Some(Value::from(self.rows.clone())),
            "columns" => Some(Value::from_object(AgateColumns(self.clone()))),
            "column_names" => Some(Value::from(self.table.column_names.clone())),
            "column_types" => Some(Value::from(self.table.column_types.clone())),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.rows.len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        _args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "print_table" | "print_json" => Ok(Value::from("")),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("a query result has no method `{method}`"),
            )),
        }
    }
}

/// `table.columns`: by position or by name.
#[derive(Debug)]
struct AgateColumns(Arc<AgateTable>);

impl Object for AgateColumns {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let table = &self.0;
        let index = match key.as_usize() {
            Some(index) => index,
            None => {
                let name = key.as_str()?;
                table
                    .table
                    .column_names
                    .iter()
                    .position(|column| column.eq_ignore_ascii_case(name))?
            }
        };
        table.column(index)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.table.column_names.len())
    }
}

/// One column of a query result.
#[derive(Debug)]
struct AgateColumn {
    name: String,
    data_type: String,
    values: Vec<Value>,
}

impl Object for AgateColumn {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(index) = key.as_usize() {
            return self.values.get(index).cloned();
        }
        match key.as_str()? {
            "name" => Some(Value::from(self.name.clone())),
            "data_type" => Some(Value::from(self.data_type.clone())),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.values.len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        _args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "values" | "values_distinct" | "values_without_nulls" => {
                let mut values: Vec<Value> = self.values.clone();
                if method == "values_without_nulls" {
                    values.retain(|value| !value.is_none());
                }
                if method == "values_distinct" {
                    let mut seen = Vec::new();
                    values.retain(|value| {
                        let fresh = !seen.contains(value);
                        if fresh {
                            seen.push(value.clone());
                        }
                        fresh
                    });
                }
                Ok(Value::from(values))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("a result column has no method `{method}`"),
            )),
        }
    }
}

/// One row of a query result: by position or by column name.
#[derive(Debug)]
struct AgateRow {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Object for AgateRow {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(index) = key.as_usize() {
            return self.values.get(index).cloned();
        }
        let name = key.as_str()?;
        let index = self
            .names
            .iter()
            .position(|column| column.eq_ignore_ascii_case(name))?;
        self.values.get(index).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.values.len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        _args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "keys" => Ok(Value::from(self.names.to_vec())),
            "values" => Ok(Value::from(self.values.clone())),
            "dict" => Ok(Value::from_iter(
                self.names.iter().cloned().zip(self.values.iter().cloned()),
            )),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("a result row has no method `{method}`"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FixedWarehouse;

    impl Warehouse for FixedWarehouse {
        fn run_query(&self, sql: &str) -> Result<QueryTable, String> {
            if sql.contains("broken") {
                return Err("Parser Error: syntax error at or near \"broken\"".into());
            }
            Ok(QueryTable {
                column_names: vec!["method".into(), "n".into()],
                column_types: vec!["VARCHAR".into(), "BIGINT".into()],
                rows: vec![vec!["card".into(), 3.into()], vec!["cash".into(), 1.into()]],
            })
        }

        fn get_columns_in_relation(
            &self,
            relation: &RelationRef,
        ) -> Result<Vec<WarehouseColumn>, String> {
            Ok(vec![WarehouseColumn {
                name: format!("{}_id", relation.identifier),
                data_type: "INTEGER".into(),
            }])
        }

        fn get_relation(&self, relation: &RelationRef) -> Result<Option<RelationKind>, String> {
            Ok((relation.identifier == "exists").then_some(RelationKind::Table))
        }
    }

    #[derive(Debug)]
    struct TestStatement;

    impl Object for TestStatement {
        fn call(
            self: &Arc<Self>,
            state: &mut State<'_, '_>,
            args: &[Value],
        ) -> Result<Value, Error> {
            let node = crate::render::run_time(state).expect("a run-time render");
            statement(node.runtime().expect("run time"), state, args)
        }
    }

    fn render(template: &str) -> Result<String, Error> {
        let mut environment = minijinja::Environment::new();
        environment.add_function("run_query", |state: &State, sql: String| {
            let node = crate::render::run_time(state).expect("a run-time render");
            run_query(node.runtime().expect("run time"), &sql)
        });
        environment.add_function("load_result", |state: &State, name: String| {
            let node = crate::render::run_time(state).expect("a run-time render");
            Ok::<_, Error>(load_result(node.runtime().expect("run time"), &name))
        });
        environment.add_global("statement", Value::from_object(TestStatement));
        let options = RunRenderOptions {
            is_incremental: true,
            full_refresh: false,
            which: "run",
            warehouse: Some(Arc::new(FixedWarehouse)),
        };
        let environment: minijinja::Environment<'static> = environment;
        render_node_with(
            &environment,
            &RenderInput {
                template_name: "t.sql",
                source: template,
                this: RelationParts::default(),
                model: Value::from(()),
                execute: true,
            },
            NodeRenderState::at_run_time(RunTime::new(&options)),
            run_flags(&options),
        )
        .result
    }

    #[test]
    fn run_query_results_read_like_agate_tables() {
        let text = render(
            "{% set r = run_query('select') %}{{ r.columns[0].values() | join(',') }};\
             {{ r.columns['n'].values() | sum }};{% for row in r %}{{ row['method'] }}={{ row[1] }} {% endfor %};\
             {{ r.rows | length }};{{ flags.WHICH }}",
        )
        .expect("renders");
        assert_eq!(text, "card,cash;4;card=3 cash=1 ;2;run");
    }

    #[test]
    fn statement_blocks_feed_load_result() {
        let text = render(
            "{% call statement('methods', fetch_result=True) %}select method{% endcall %}\
             {{ load_result('methods')['data'] | map(attribute=0) | join('|') }} \
             {{ load_result('methods')['table'].columns[1].values() | join('|') }}",
        )
        .expect("renders");
        assert_eq!(text, "card|cash 3|1");
    }

    #[test]
    fn warehouse_errors_become_failures_with_a_code() {
        let error = render("{{ run_query('broken') }}").expect_err("fails");
        let failure = failure_of(&error).expect("a fusionc failure");
        assert_eq!(failure.code, Code::NodeExecutionFailed);
        assert!(
            failure.message.contains("syntax error"),
            "{}",
            failure.message
        );
    }
}
