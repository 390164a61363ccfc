//! What templates read of the node's config, the project, the target and the
//! running command: `config()`, `var()`, `env_var()`, `target`,
//! `project_name`, `dbt_version`, `flags`, `selected_resources` (empty: a
//! compile selects nothing to run), `is_incremental()` and
//! `should_full_refresh()`.

use crate::builtin::env_var::{env_var_function, refuse_secret_env_var};
use crate::config::NodeConfig;
use crate::jinja::{fail, to_value};
use crate::render_state::{node_state, run_time, unit_test_render, RenderShared, NODE_STATE_KEY};
use crate::runtime::RunRenderOptions;
use fusion_ir::codes::Code;
use minijinja::value::{Object, Rest};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::sync::{Arc, OnceLock};

pub(super) fn register(environment: &mut Environment<'static>, shared: &Arc<RenderShared>) {
    environment.add_global("config", Value::from_object(ConfigObject));
    let var_shared = shared.clone();
    environment.add_function(
        "var",
        // `var(name, None)` has a default (none): read it from the
        // arguments, as `Option` would take none for no default.
        move |state: &State, name: String, rest: Rest<Value>| -> Result<Value, Error> {
            let default = rest.first().cloned();
            if let Some(value) =
                unit_test_render(state).and_then(|unit_test| unit_test.vars.get(&name).cloned())
            {
                return Ok(to_value(&value));
            }
            let node = node_state(state);
            let vars = var_shared.vars_of(node.as_ref().and_then(|node| node.package()));
            match vars.get(&name) {
                Some(value) => render_var_text(state, to_value(value)),
                None => default.ok_or_else(|| {
                    fail(
                        Code::UndefinedVar,
                        format!("var('{name}') is not defined and no default is given"),
                    )
                }),
            }
        },
    );
    environment.add_function(
        "env_var",
        |state: &State, name: String, default: Option<Value>| -> Result<Value, Error> {
            let overridden = unit_test_render(state)
                .and_then(|unit_test| unit_test.env_vars.get(&name).cloned());
            match overridden {
                Some(serde_json::Value::String(text)) => Ok(Value::from(text)),
                Some(value) => Ok(Value::from(value.to_string())),
                // dbt looks at a unit test's overrides first, and refuses
                // a secret variable only when it would read the environment.
                None => {
                    refuse_secret_env_var(&name)?;
                    env_var_function(name, default)
                }
            }
        },
    );
    environment.add_function("is_incremental", |state: &State| {
        if let Some(value) = unit_test_render(state)
            .and_then(|unit_test| unit_test.macros.get("is_incremental").cloned())
        {
            return value.as_bool().unwrap_or(false);
        }
        run_time(state)
            .and_then(|node| node.runtime().map(|runtime| runtime.is_incremental))
            .unwrap_or(false)
    });
    environment.add_function("should_full_refresh", |state: &State| {
        run_time(state)
            .and_then(|node| node.runtime().map(|runtime| runtime.full_refresh))
            .unwrap_or(false)
    });
    environment.add_global("target", shared.target.clone());
    // dbt's model context gives the target a second name.
    environment.add_global("env", shared.target.clone());
    // The name of the worker thread a node renders on in dbt.
    environment.add_global("thread_id", Value::from("Thread-1 (worker)"));
    environment.add_global(
        "invocation_args_dict",
        shared.runtime_config.get_attr("args").unwrap_or_default(),
    );
    environment.add_global("dbt_metadata_envs", metadata_envs());
    environment.add_global("project_name", Value::from(shared.project_name.clone()));
    environment.add_global("dbt_version", Value::from("1.10.0"));
    environment.add_global("flags", compile_flags());
    environment.add_global("selected_resources", Value::from(Vec::<Value>::new()));
}

/// `dbt_metadata_envs`: the environment variables named
/// `DBT_ENV_CUSTOM_ENV_<NAME>`, by `<NAME>`.
fn metadata_envs() -> Value {
    let mut found: Vec<(String, String)> = std::env::vars()
        .filter_map(|(name, value)| {
            name.strip_prefix("DBT_ENV_CUSTOM_ENV_")
                .map(|short| (short.to_string(), value))
        })
        .collect();
    found.sort();
    Value::from_pairs(found)
}

/// A var's value as `var()` returns it: dbt renders a text value with the
/// calling template's context each time it is read (dbt-core's
/// `Var.get_rendered_var`), so `report_year: "{{ run_started_at.year }}"`
/// reads as the year; other values are returned as they are. The node
/// being rendered carries over, so `var()` and `this` inside the text read
/// what they read in the caller.
fn render_var_text(state: &State, value: Value) -> Result<Value, Error> {
    let Some(text) = value.as_str() else {
        return Ok(value);
    };
    if !text.contains("{{") && !text.contains("{%") {
        return Ok(value);
    }
    let lookup = |name: &str| state.lookup(name).unwrap_or_default();
    let context = minijinja::context! {
        this => lookup("this"),
        model => lookup("model"),
        execute => lookup("execute"),
        flags => lookup("flags"),
        __fusion_node => lookup(NODE_STATE_KEY),
    };
    Ok(Value::from(state.env().render_str(text, context)?))
}

/// The `flags` of a compile, as templates read them. Built once: every
/// render reads the same value, and cloning it shares it.
pub(crate) fn compile_flags() -> Value {
    static FLAGS: OnceLock<Value> = OnceLock::new();
    FLAGS
        .get_or_init(|| to_value(serde_json::json!({ "FULL_REFRESH": false, "STORE_FAILURES": false, "WHICH": "compile" })))
        .clone()
}

/// The `flags` of a run-time render, as templates read them.
pub(crate) fn run_flags(options: &RunRenderOptions<'_>) -> Value {
    to_value(serde_json::json!({
        "FULL_REFRESH": options.full_refresh,
        "STORE_FAILURES": false,
        "WHICH": options.which,
    }))
}

/// `config`: callable to record configs, with `get` and `require`.
#[derive(Debug)]
struct ConfigObject;

impl Object for ConfigObject {
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        let mut layer = serde_json::Map::new();
        for argument in args {
            // `config(materialized='table')` passes kwargs; `config({...})` a mapping.
            if let Ok(serde_json::Value::Object(object)) = serde_json::to_value(argument) {
                layer.extend(object);
            }
        }
        if let Some(node) = node_state(state) {
            node.with_recorded(|recorded| {
                let mut config = NodeConfig {
                    values: std::mem::take(&mut recorded.config),
                };
                config.apply(&layer);
                recorded.config = config.values;
            });
        }
        Ok(Value::from(""))
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "get" | "require" => {
                let (key, default): (String, Option<Value>) = minijinja::value::from_args(args)?;
                let found = node_state(state).and_then(|node| {
                    node.with_recorded(|recorded| recorded.config.get(&key).map(to_value))
                });
                match (found, default) {
                    (Some(value), _) => Ok(value),
                    (None, Some(default)) => Ok(default),
                    (None, None) if method == "require" => Err(fail(
                        Code::CompilerError,
                        format!("config `{key}` is required"),
                    )),
                    (None, None) => Ok(Value::from(())),
                }
            }
            "set" => Ok(Value::from("")),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("config has no method `{method}`"),
            )),
        }
    }
}
