//! `run_query`, `{% call statement %}` and `load_result`: ahead of time they
//! return empty results and mark the node introspective; at run time the
//! warehouse answers them.

use crate::builtin::agate::AgateTable;
use crate::jinja::{fail, to_value};
use crate::render_state::{mark_introspective, run_time};
use crate::runtime::RunTime;
use fusion_ir::codes::Code;
use minijinja::value::{Kwargs, Object, Rest};
use minijinja::{Environment, Error, State, Value};
use std::sync::Arc;

pub(super) fn register(environment: &mut Environment<'static>) {
    environment.add_function(
        "run_query",
        |state: &State, sql: Rest<Value>| -> Result<Value, Error> {
            mark_introspective(state);
            match run_time(state) {
                Some(node) => {
                    let sql = sql.first().map(Value::to_string).unwrap_or_default();
                    match node.runtime() {
                        Some(runtime) => run_query(runtime, &sql),
                        None => Ok(empty_query_result()),
                    }
                }
                None => Ok(empty_query_result()),
            }
        },
    );
    environment.add_function(
        "load_result",
        |state: &State, name: Rest<Value>| -> Result<Value, Error> {
            mark_introspective(state);
            let name = name.first().map(Value::to_string).unwrap_or_default();
            if let Some(node) = run_time(state) {
                if let Some(runtime) = node.runtime() {
                    return Ok(load_result(runtime, &name));
                }
            }
            Ok(to_value(
                serde_json::json!({ "table": null, "data": [], "response": null }),
            ))
        },
    );
    environment.add_global("statement", Value::from_object(StatementObject));
}

/// `statement` blocks and `run_query` read the warehouse: at compile time
/// they return empty results and mark the node introspective.
#[derive(Debug)]
struct StatementObject;

impl Object for StatementObject {
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        mark_introspective(state);
        if let Some(node) = run_time(state) {
            if let Some(runtime) = node.runtime() {
                return statement(runtime, state, args);
            }
        }
        // Ahead of time the block's text is rendered only for what it
        // records (a `ref()` in it is a dependency), not sent anywhere.
        let caller = args.last().and_then(|last| last.get_attr("caller").ok());
        if let Some(caller) = caller.filter(|caller| !caller.is_undefined()) {
            // Its errors surface when the node renders just in time.
            let _ = caller.call(state, &[]);
        }
        Ok(Value::from(""))
    }
}

fn empty_query_result() -> Value {
    to_value(serde_json::json!({ "columns": [], "rows": [], "column_names": [] }))
}

/// `run_query(sql)`: the result as an agate-like table.
fn run_query(runtime: &RunTime, sql: &str) -> Result<Value, Error> {
    let table = runtime.warehouse()?.run_query(sql).map_err(|message| {
        fail(
            Code::NodeExecutionFailed,
            format!("run_query failed: {message}"),
        )
    })?;
    Ok(Value::from_object(AgateTable::new(table)))
}

/// `load_result(name)`: what the statement of that name fetched, or none.
fn load_result(runtime: &RunTime, name: &str) -> Value {
    runtime.statement_result(name)
}

/// `{% call statement(name, fetch_result=False, auto_begin=True) %}sql{% endcall %}`:
/// runs the block's text, keeps its result for `load_result(name)`.
fn statement(runtime: &RunTime, state: &mut State, args: &[Value]) -> Result<Value, Error> {
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
    runtime.keep_statement_result(name, result);
    Ok(Value::from(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::config_and_vars::run_flags;
    use crate::jinja::failure_of;
    use crate::render_state::NodeRenderState;
    use crate::runtime::{
        QueryTable, RelationKind, RelationRef, RunRenderOptions, Warehouse, WarehouseColumn,
    };

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

    /// Renders `template` at run time with these built-ins, against
    /// [`FixedWarehouse`].
    fn render(template: &str) -> Result<String, Error> {
        let mut environment = Environment::new();
        register(&mut environment);
        let options = RunRenderOptions {
            is_incremental: true,
            full_refresh: false,
            which: "run",
            warehouse: Some(Arc::new(FixedWarehouse)),
            unit_test: None,
        };
        let node = NodeRenderState::at_run_time(RunTime::new(&options), None);
        environment.render_str(
            template,
            minijinja::context! {
                flags => run_flags(&options),
                __fusion_node => Value::from_object(node),
            },
        )
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
