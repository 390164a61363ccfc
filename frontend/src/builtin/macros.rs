//! Project macros as templates call them. Every macro name is a global
//! [`ProjectMacro`] that renders the macro's file into a fresh state with the
//! caller's context and calls the macro there: that wrapper is what makes
//! `return(x)` work (it raises an error carrying `x`, which the wrapper
//! catches) and lets a macro in one file call a macro in another. Packages
//! (`dbt_utils.star`) and `dbt` (dbt's built-in macros) are namespaces of
//! such macros.

use crate::jinja::{error_sources, fail};
use crate::render_state::{node_state, MacroEntry, RenderShared, NODE_STATE_KEY};
use fusion_ir::codes::Code;
use minijinja::value::Object;
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::fmt;
use std::sync::Arc;

/// How deep project macros may call each other before rendering stops.
const MACRO_DEPTH_LIMIT: u32 = 200;

/// Makes every project macro callable by its name, and every package (and
/// the project) a namespace of its macros. Registered before the other
/// built-ins, which win over a macro or package of the same name.
pub(super) fn register_project_macros(
    environment: &mut Environment<'static>,
    shared: &Arc<RenderShared>,
) {
    let root_names = shared.macros.keys().filter(|name| !name.contains('.'));
    let package_names = shared
        .package_local_names
        .iter()
        .filter(|name| !shared.macros.contains_key(name.as_str()));
    for name in root_names.chain(package_names) {
        environment.add_global(
            name.clone(),
            Value::from_object(ProjectMacro {
                name: name.clone(),
                shared: shared.clone(),
            }),
        );
    }
    for package in shared
        .packages
        .iter()
        .chain(std::iter::once(&shared.project_name))
    {
        environment.add_global(
            package.clone(),
            Value::from_object(PackageNamespace {
                package: package.clone(),
                shared: shared.clone(),
            }),
        );
    }
}

/// `dbt` (the namespace of dbt's built-in macros), `builtins` and `return()`.
pub(super) fn register_dbt_namespace_and_return(
    environment: &mut Environment<'static>,
    shared: &Arc<RenderShared>,
) {
    environment.add_global(
        "dbt",
        Value::from_object(DbtNamespace {
            shared: shared.clone(),
        }),
    );
    environment.add_global(
        "builtins",
        Value::from_object(BuiltinsNamespace {
            runtime_config: shared.runtime_config.clone(),
        }),
    );
    // `return(none)` returns none (an `Option` argument would take none
    // for no argument, and the macro would return undefined).
    environment.add_function(
        "return",
        |values: minijinja::value::Rest<Value>| -> Result<Value, Error> {
            Err(Error::new(
                ErrorKind::InvalidOperation,
                "return() may only be called inside a project macro",
            )
            .with_source(MacroReturn(values.first().cloned().unwrap_or_default())))
        },
    );
}

/// The value of `return(x)`, carried as an error source up to the
/// [`ProjectMacro`] wrapper that called the macro.
#[derive(Debug)]
struct MacroReturn(Value);

impl fmt::Display for MacroReturn {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("return() called")
    }
}

impl std::error::Error for MacroReturn {}

/// A member of `builtins`: calling it calls the global function of its
/// name; its `config` is the project's runtime configuration.
#[derive(Debug)]
struct BuiltinFunction {
    name: String,
    runtime_config: Value,
}

impl Object for BuiltinFunction {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        (key.as_str() == Some("config")).then(|| self.runtime_config.clone())
    }

    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        match state
            .lookup(&self.name)
            .filter(|value| !value.is_undefined())
        {
            Some(function) => function.call(state, args),
            None => Err(Error::new(
                ErrorKind::UnknownFunction,
                format!("builtins has no member `{}`", self.name),
            )),
        }
    }
}

/// The value a macro gave `return()`, when that is what ended it.
fn return_value_of(error: &Error) -> Option<Value> {
    error_sources(error).find_map(|source| {
        source
            .downcast_ref::<MacroReturn>()
            .map(|ret| ret.0.clone())
    })
}

/// A project macro callable from templates by its name.
#[derive(Debug)]
pub(super) struct ProjectMacro {
    name: String,
    shared: Arc<RenderShared>,
}

impl Object for ProjectMacro {
    /// A macro is truthy (`dbt.type_timestamp or dbt_utils.type_timestamp`).
    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        call_project_macro(&self.shared, state, &self.name, args)
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "name" => Some(Value::from(self.name.clone())),
            _ => None,
        }
    }
}

impl ProjectMacro {
    /// The macro registered under `name` (`star` or `dbt_utils.star`).
    pub(super) fn new(name: String, shared: Arc<RenderShared>) -> ProjectMacro {
        ProjectMacro { name, shared }
    }
}

/// The macro `name` as dbt's `MacroNamespace.get_from_package` finds it
/// from a node of `node_package` (`None`: the root project): with no
/// package, the node's package, then the root project, then dbt's own;
/// `dbt`: dbt's own; another package: that package's.
pub(super) fn find_macro(
    shared: &Arc<RenderShared>,
    package: Option<&str>,
    name: &str,
    node_package: Option<&str>,
) -> Option<Value> {
    match package {
        None => {
            let local = node_package
                .map(|package| format!("{package}.{name}"))
                .filter(|qualified| shared.macros.contains_key(qualified));
            let key =
                local.or_else(|| shared.macros.contains_key(name).then(|| name.to_string()))?;
            Some(Value::from_object(ProjectMacro::new(key, shared.clone())))
        }
        Some("dbt") => shared.builtin_macros.contains_key(name).then(|| {
            Value::from_object(BuiltinMacro {
                name: name.to_string(),
                shared: shared.clone(),
            })
        }),
        Some(package) => {
            let qualified = format!("{package}.{name}");
            shared
                .macros
                .contains_key(&qualified)
                .then(|| Value::from_object(ProjectMacro::new(qualified, shared.clone())))
        }
    }
}

fn call_project_macro(
    shared: &RenderShared,
    state: &mut State,
    name: &str,
    args: &[Value],
) -> Result<Value, Error> {
    // A node of an installed package finds its package's macros first (as
    // dbt's `MacroNamespace` searches the node's package before the root).
    let local = match node_state(state) {
        Some(node) if !name.contains('.') => node
            .package()
            .and_then(|package| shared.macros.get(&format!("{package}.{name}"))),
        _ => None,
    };
    let Some(entry) = local.or_else(|| shared.macros.get(name)) else {
        // A package's macro called from outside it: as if it did not
        // exist, as in dbt (the error names the qualified name to use).
        return Err(Error::new(
            ErrorKind::UnknownFunction,
            format!("{name} is unknown"),
        ));
    };
    call_macro_entry(entry, state, name, args)
}

/// A package (or the project) as a namespace of its macros:
/// `dbt_utils.star(...)` calls the macro registered as `dbt_utils.star`.
#[derive(Debug)]
struct PackageNamespace {
    package: String,
    shared: Arc<RenderShared>,
}

impl Object for PackageNamespace {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let qualified = format!("{}.{}", self.package, key.as_str()?);
        self.shared.macros.contains_key(&qualified).then(|| {
            Value::from_object(ProjectMacro {
                name: qualified,
                shared: self.shared.clone(),
            })
        })
    }
}

/// `dbt`: the namespace of dbt's built-in macros (`dbt.type_string()`).
#[derive(Debug)]
struct DbtNamespace {
    shared: Arc<RenderShared>,
}

impl Object for DbtNamespace {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        self.shared.builtin_macros.contains_key(name).then(|| {
            Value::from_object(BuiltinMacro {
                name: name.to_string(),
                shared: self.shared.clone(),
            })
        })
    }
}

/// A built-in macro reached through the `dbt` namespace.
#[derive(Debug)]
struct BuiltinMacro {
    name: String,
    shared: Arc<RenderShared>,
}

impl Object for BuiltinMacro {
    /// A macro is truthy (`dbt.type_timestamp or dbt_utils.type_timestamp`).
    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        match self.shared.builtin_macros.get(&self.name) {
            Some(entry) => call_macro_entry(entry, state, &self.name, args),
            None => Err(fail(
                Code::UndefinedMacro,
                format!("dbt.{} is not a built-in macro", self.name),
            )),
        }
    }
}

fn call_macro_entry(
    entry: &MacroEntry,
    state: &mut State,
    name: &str,
    args: &[Value],
) -> Result<Value, Error> {
    // A unit test's `overrides: macros:` answer for the macro, whatever
    // package it is called through.
    if let Some(value) = crate::render_state::unit_test_render(state).and_then(|unit_test| {
        let short = name.rsplit('.').next().unwrap_or(name);
        unit_test
            .macros
            .get(name)
            .or_else(|| unit_test.macros.get(short))
            .cloned()
    }) {
        return Ok(crate::jinja::to_value(&value));
    }
    let node = node_state(state);
    if let Some(node) = &node {
        let mut depth = node
            .macro_depth
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let direct = *depth == 0;
        node.with_recorded(|recorded| {
            if !recorded.macros.contains(&entry.unique_id) {
                recorded.macros.push(entry.unique_id.clone());
            }
            if direct && !recorded.direct_macros.contains(&entry.unique_id) {
                recorded.direct_macros.push(entry.unique_id.clone());
            }
        });
        if *depth >= MACRO_DEPTH_LIMIT {
            return Err(fail(
                Code::JinjaRender,
                format!("macro `{name}` recursed more than {MACRO_DEPTH_LIMIT} levels deep"),
            ));
        }
        *depth += 1;
    }
    let result = call_in_macro_file(state, entry, args);
    if let Some(node) = &node {
        let mut depth = node
            .macro_depth
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        *depth = depth.saturating_sub(1);
    }
    match result {
        Ok(value) => Ok(value),
        Err(error) => match return_value_of(&error) {
            Some(value) => Ok(value),
            None => Err(error),
        },
    }
}

fn call_in_macro_file(
    state: &mut State,
    entry: &MacroEntry,
    args: &[Value],
) -> Result<Value, Error> {
    let template = state.env().get_template(&entry.template_name)?;
    let lookup = |key: &str| state.lookup(key).unwrap_or_default();
    let context = |kwargs: Value, varargs: Value| {
        minijinja::context! {
            this => lookup("this"),
            model => lookup("model"),
            execute => lookup("execute"),
            flags => lookup("flags"),
            __fusion_node => lookup(NODE_STATE_KEY),
            kwargs => kwargs,
            varargs => varargs,
        }
    };
    let no_kwargs = Value::from_pairs(Vec::<(String, Value)>::new());
    let no_varargs = Value::from(Vec::<Value>::new());
    let mut captured = template.render_captured(context(no_kwargs, no_varargs))?;
    // A macro whose body reads `kwargs` (or `varargs`) takes keyword (or
    // positional) arguments it does not declare, as Jinja2 macros do:
    // they reach it through those two names.
    let declared = (entry.reads_kwargs || entry.reads_varargs)
        .then(|| {
            captured.with_state_mut(|macro_state| {
                macro_state
                    .lookup(&entry.internal_name)
                    .and_then(|macro_value| macro_value.get_attr("arguments").ok())
            })
        })
        .flatten();
    if let Some((known, extra_kwargs, extra_varargs)) = declared
        .as_ref()
        .and_then(|declared| split_undeclared(declared, args, entry))
    {
        captured = template.render_captured(context(extra_kwargs, extra_varargs))?;
        return captured.with_state_mut(|macro_state| call_in_state(macro_state, entry, &known));
    }
    captured.with_state_mut(|macro_state| call_in_state(macro_state, entry, args))
}

fn call_in_state(state: &mut State, entry: &MacroEntry, args: &[Value]) -> Result<Value, Error> {
    let Some(macro_value) = state.lookup(&entry.internal_name) else {
        return Err(fail(
            Code::UndefinedMacro,
            format!("macro `{}` vanished from its file", entry.internal_name),
        ));
    };
    macro_value.call(state, args)
}

/// The arguments a macro declares (`declared`, its `arguments`) out of a
/// call's: `None` when all are declared, or when the ones that are not
/// cannot go anywhere (the macro never reads `kwargs` / `varargs`);
/// else the declared ones, the others as the `kwargs` mapping and the
/// `varargs` list.
fn split_undeclared(
    declared: &Value,
    args: &[Value],
    entry: &MacroEntry,
) -> Option<(Vec<Value>, Value, Value)> {
    let names: Vec<String> = declared
        .try_iter()
        .ok()?
        .filter_map(|name| name.as_str().map(str::to_string))
        .collect();
    let (positional, kwargs) = match args.split_last() {
        Some((last, rest)) => match minijinja::value::Kwargs::try_from(last.clone()) {
            Ok(kwargs) => (rest, Some(kwargs)),
            Err(_) => (args, None),
        },
        None => (args, None),
    };
    let undeclared_keys: Vec<String> = kwargs
        .as_ref()
        .map(|kwargs| {
            kwargs
                .args()
                .filter(|key| *key != "caller" && !names.iter().any(|name| name == key))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let extra_positional = positional.len().saturating_sub(names.len());
    let takes_kwargs = !undeclared_keys.is_empty() && entry.reads_kwargs;
    let takes_varargs = extra_positional > 0 && entry.reads_varargs;
    if !takes_kwargs && !takes_varargs {
        return None;
    }
    let mut known: Vec<Value> =
        positional[..positional.len() - if takes_varargs { extra_positional } else { 0 }].to_vec();
    let varargs: Vec<Value> = if takes_varargs {
        positional[positional.len() - extra_positional..].to_vec()
    } else {
        Vec::new()
    };
    let mut extra: Vec<(String, Value)> = Vec::new();
    if let Some(kwargs) = &kwargs {
        let mut kept: Vec<(String, Value)> = Vec::new();
        for key in kwargs.args() {
            let value: Value = kwargs.peek(key).unwrap_or_default();
            if takes_kwargs && undeclared_keys.iter().any(|undeclared| undeclared == key) {
                extra.push((key.to_string(), value));
            } else {
                kept.push((key.to_string(), value));
            }
        }
        if !kept.is_empty() {
            known.push(Value::from(minijinja::value::Kwargs::from_iter(kept)));
        }
    }
    Some((known, Value::from_pairs(extra), Value::from(varargs)))
}

/// `builtins`: dbt's own context functions by name, as a project's macro
/// that overrides one calls the original (`builtins.ref(name)`). fusionc's
/// built-ins win over project macros of the same name, so `builtins.x(...)`
/// calls the global `x`. `builtins.ref.config` is dbt's runtime
/// configuration of the project (elementary reads its packages' versions
/// there).
#[derive(Debug)]
struct BuiltinsNamespace {
    runtime_config: Value,
}

impl Object for BuiltinsNamespace {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        matches!(
            name,
            "ref" | "source" | "config" | "var" | "env_var" | "return"
        )
        .then(|| {
            Value::from_object(BuiltinFunction {
                name: name.to_string(),
                runtime_config: self.runtime_config.clone(),
            })
        })
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match state.lookup(method).filter(|value| !value.is_undefined()) {
            Some(function) => function.call(state, args),
            None => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("builtins has no member `{method}`"),
            )),
        }
    }
}
