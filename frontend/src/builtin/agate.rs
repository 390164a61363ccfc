//! Query results the way dbt's agate tables behave in templates: what
//! `run_query`, `load_result` and `adapter.execute` return at run time.

use crate::jinja::to_value;
use crate::runtime::QueryTable;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};
use std::sync::Arc;

/// A query result the way dbt's agate tables behave in templates:
/// iterable over rows, `rows`, `columns` (by position or name, each with
/// `values()`), `column_names`, `column_types`.
#[derive(Debug)]
pub(super) struct AgateTable {
    table: QueryTable,
    rows: Vec<Value>,
}

impl AgateTable {
    pub(super) fn new(table: QueryTable) -> AgateTable {
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
