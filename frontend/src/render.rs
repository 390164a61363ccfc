//! Jinja rendering with dbt's context on minijinja.
//!
//! One [`minijinja::Environment`] holds every project macro file (compiled
//! once) and the dbt globals (`ref`, `source`, `config`, `var`, `env_var`,
//! `adapter`, `return`, ...). It is shared by all rayon workers; what differs
//! per node lives in the render context under `__fusion_node`, a
//! [`NodeRenderState`] that records the `ref`/`source`/`config` calls.
//!
//! Project macros are not called directly as minijinja macros: every macro
//! name is a global [`ProjectMacro`] object that renders the macro's file
//! into a fresh state with the caller's context and calls the macro there.
//! That wrapper is what makes `return(x)` work (it raises an error carrying
//! `x`, which the wrapper catches) and lets a macro in one file call a macro
//! in another. Macros are renamed inside their files (`__fusion_macro__x`)
//! so that calls between macros of the same file also go through the
//! wrapper.

use crate::project_file::env_var_function;
use fusion_ir::codes::Code;
use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Rest};
use minijinja::{Environment, Error, ErrorKind, State, Template, Value};
use rustc_hash::FxHashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

/// The prefix given to project macros inside their compiled files.
const INTERNAL_MACRO_PREFIX: &str = "__fusion_macro__";
/// The key of the per-node render state in the render context.
const NODE_STATE_KEY: &str = "__fusion_node";
/// How deep project macros may call each other before rendering stops.
const MACRO_DEPTH_LIMIT: u32 = 200;

/// A failure with a fusionc code, carried as the source of a minijinja error
/// so that it survives the trip through the template engine.
#[derive(Debug, Clone)]
pub struct FusionFailure {
    pub code: Code,
    pub message: String,
}

impl fmt::Display for FusionFailure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for FusionFailure {}

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

fn error_sources(error: &Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    let first: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    std::iter::successors(first, |current| current.source())
}

/// The fusionc failure inside a minijinja error, if one caused it.
pub fn failure_of(error: &Error) -> Option<&FusionFailure> {
    error_sources(error).find_map(|source| source.downcast_ref::<FusionFailure>())
}

fn return_value_of(error: &Error) -> Option<Value> {
    error_sources(error).find_map(|source| {
        source
            .downcast_ref::<MacroReturn>()
            .map(|ret| ret.0.clone())
    })
}

/// Converts any serializable value (JSON from YAML, configs) to a template value.
pub fn to_value<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// A minijinja error as one line for a diagnostic message.
pub fn error_message(error: &Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

/// Where a relation lives; rendered DuckDB-style as `"db"."schema"."id"`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RelationParts {
    pub database: Option<String>,
    pub schema: Option<String>,
    pub identifier: String,
    /// Rendered as `identifier` verbatim: an ephemeral model (dbt inlines
    /// it as the CTE `__dbt__cte__<name>` at the top of each reader, and
    /// `ref()` renders that bare name), or an external source (its file
    /// location or `read_csv(...)` call).
    pub ephemeral_cte: bool,
}

impl RelationParts {
    /// The relation a `ref()` to an ephemeral model reads.
    pub fn ephemeral(model_name: &str) -> RelationParts {
        RelationParts {
            database: None,
            schema: None,
            identifier: crate::config::ephemeral_cte_name(model_name),
            ephemeral_cte: true,
        }
    }

    pub fn quoted(&self) -> String {
        if self.ephemeral_cte {
            return self.identifier.clone();
        }
        let mut text = String::new();
        for part in [
            self.database.as_deref(),
            self.schema.as_deref(),
            Some(self.identifier.as_str()),
        ]
        .into_iter()
        .flatten()
        {
            if !text.is_empty() {
                text.push('.');
            }
            text.push('"');
            text.push_str(&part.replace('"', "\"\""));
            text.push('"');
        }
        text
    }
}

/// A relation as templates see it (`ref()`, `source()`, `this`).
#[derive(Debug)]
pub(crate) struct RelationObject(pub(crate) RelationParts);

impl Object for RelationObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let parts = &self.0;
        Some(match key.as_str()? {
            "database" => Value::from(parts.database.clone()),
            "schema" => Value::from(parts.schema.clone()),
            "identifier" | "name" | "table" => Value::from(parts.identifier.clone()),
            "is_table" | "is_view" | "is_cte" => Value::from(false),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["database", "schema", "identifier"])
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "render" | "render_pretty" => Ok(Value::from(self.0.quoted())),
            "quote" | "incorporate" | "without_identifier" => {
                Ok(Value::from_dyn_object(self.clone()))
            }
            "include" => {
                let (_, kwargs): (Rest<Value>, Kwargs) = minijinja::value::from_args(args)?;
                let keep = |key: &str| {
                    kwargs
                        .get::<Option<bool>>(key)
                        .ok()
                        .flatten()
                        .unwrap_or(true)
                };
                let parts = RelationParts {
                    database: self.0.database.clone().filter(|_| keep("database")),
                    schema: self.0.schema.clone().filter(|_| keep("schema")),
                    identifier: self.0.identifier.clone(),
                    ephemeral_cte: false,
                };
                Ok(Value::from_object(RelationObject(parts)))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("relation has no method `{method}`"),
            )),
        }
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0.quoted())
    }
}

/// What rendering one node recorded.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    pub config: serde_json::Map<String, serde_json::Value>,
    pub refs: Vec<crate::RefCall>,
    pub sources: Vec<crate::SourceCall>,
    pub macros: Vec<String>,
    pub introspective: bool,
    /// `ref()` calls to names that do not exist (rendering continues).
    pub missing_refs: Vec<crate::RefCall>,
    pub missing_sources: Vec<crate::SourceCall>,
}

/// The per-node render state, reachable from functions through the context.
#[derive(Debug, Default)]
pub struct NodeRenderState {
    recorded: Mutex<Recorded>,
    macro_depth: Mutex<u32>,
    /// Set when rendering right before the node runs: the warehouse answers
    /// `run_query`, `statement` and `adapter` introspection for real.
    runtime: Option<crate::runtime::RunTime>,
}

impl NodeRenderState {
    fn with_recorded<R>(&self, action: impl FnOnce(&mut Recorded) -> R) -> R {
        let mut guard = self
            .recorded
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        action(&mut guard)
    }

    pub fn take_recorded(&self) -> Recorded {
        self.with_recorded(std::mem::take)
    }

    /// A state for a render just before the node runs.
    pub fn at_run_time(runtime: crate::runtime::RunTime) -> NodeRenderState {
        NodeRenderState {
            runtime: Some(runtime),
            ..NodeRenderState::default()
        }
    }
}

/// The run-time half of the render state, when this render has one.
pub(crate) fn run_time(state: &State) -> Option<Arc<NodeRenderState>> {
    node_state(state).filter(|node| node.runtime.is_some())
}

impl NodeRenderState {
    pub(crate) fn runtime(&self) -> Option<&crate::runtime::RunTime> {
        self.runtime.as_ref()
    }
}

impl Object for NodeRenderState {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
}

pub(crate) fn node_state(state: &State) -> Option<Arc<NodeRenderState>> {
    state
        .lookup(NODE_STATE_KEY)
        .and_then(|value| value.downcast_object::<NodeRenderState>())
}

pub(crate) fn fail(code: Code, message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.clone())
        .with_source(FusionFailure { code, message })
}

/// A project macro known to the environment.
#[derive(Clone, Debug)]
pub struct MacroEntry {
    pub template_name: String,
    pub internal_name: String,
    pub unique_id: String,
}

/// The relation of every node `ref()` can name, known after the parse phase.
#[derive(Debug, Default)]
pub struct RefTable {
    pub relations: FxHashMap<String, RelationParts>,
}

/// What every render shares: project-wide facts, read-only while rendering.
#[derive(Debug)]
pub struct RenderShared {
    pub project_name: String,
    /// Installed packages: each is a namespace of macros (`dbt_utils.star`).
    pub packages: Vec<String>,
    pub adapter_type: String,
    pub target: Value,
    pub target_database: String,
    pub target_schema: String,
    pub vars: serde_json::Map<String, serde_json::Value>,
    pub macros: FxHashMap<String, MacroEntry>,
    /// dbt's built-in macros, reached as `dbt.<name>` whatever the project defines.
    pub builtin_macros: FxHashMap<String, MacroEntry>,
    pub sources: FxHashMap<(String, String), RelationParts>,
    /// The relations as the project's and YAML's configs name them, set
    /// before the parse phase: what `ref()` reads during that phase.
    pub predicted_refs: OnceLock<RefTable>,
    /// Set once between the parse and the compile phase.
    pub refs: OnceLock<RefTable>,
}

impl RenderShared {
    fn resolve_ref(&self, name: &str) -> Option<RelationParts> {
        match self.refs.get() {
            Some(table) => table.relations.get(name).cloned(),
            // During the parse phase every name resolves: to its predicted
            // relation, or to a placeholder in the target schema. Missing
            // names are reported at compile time.
            None => Some(
                self.predicted_refs
                    .get()
                    .and_then(|table| table.relations.get(name).cloned())
                    .unwrap_or_else(|| RelationParts {
                        database: Some(self.target_database.clone()),
                        schema: Some(self.target_schema.clone()),
                        identifier: name.to_string(),
                        ephemeral_cte: false,
                    }),
            ),
        }
    }
}

/// A project macro callable from templates by its name.
#[derive(Debug)]
struct ProjectMacro {
    name: String,
    shared: Arc<RenderShared>,
}

impl Object for ProjectMacro {
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

fn call_project_macro(
    shared: &RenderShared,
    state: &mut State,
    name: &str,
    args: &[Value],
) -> Result<Value, Error> {
    let Some(entry) = shared.macros.get(name) else {
        return Err(fail(
            Code::UndefinedMacro,
            format!("macro `{name}` is not defined"),
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
    let node = node_state(state);
    if let Some(node) = &node {
        node.with_recorded(|recorded| {
            if !recorded.macros.contains(&entry.unique_id) {
                recorded.macros.push(entry.unique_id.clone());
            }
        });
        let mut depth = node
            .macro_depth
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
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
    let context = minijinja::context! {
        this => lookup("this"),
        model => lookup("model"),
        execute => lookup("execute"),
        flags => lookup("flags"),
        __fusion_node => lookup(NODE_STATE_KEY),
    };
    let mut captured = template.render_captured(context)?;
    captured.with_state_mut(|macro_state| {
        let Some(macro_value) = macro_state.lookup(&entry.internal_name) else {
            return Err(fail(
                Code::UndefinedMacro,
                format!("macro `{}` vanished from its file", entry.internal_name),
            ));
        };
        macro_value.call(macro_state, args)
    })
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
                        return Ok(Value::from_object(ProjectMacro {
                            name: candidate.clone(),
                            shared: self.shared.clone(),
                        }));
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
                        return crate::runtime::adapter_method(runtime, method, args);
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

fn mark_introspective(state: &State) {
    if let Some(node) = node_state(state) {
        node.with_recorded(|recorded| recorded.introspective = true);
    }
}

/// `exceptions`: `raise_compiler_error` (FC1005) and `warn`.
#[derive(Debug)]
struct ExceptionsObject;

impl Object for ExceptionsObject {
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let message = args
            .first()
            .map(|value| value.to_string())
            .unwrap_or_default();
        match method {
            "raise_compiler_error" | "raise_not_implemented" | "raise_database_error" => {
                Err(fail(Code::CompilerError, message))
            }
            "warn" => Ok(Value::from("")),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("exceptions has no method `{method}`"),
            )),
        }
    }
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
                let mut config = crate::config::NodeConfig {
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
                    node.with_recorded(|recorded| {
                        recorded.config.get(&key).map(crate::render::to_value)
                    })
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

/// `statement` blocks and `run_query` read the warehouse: at compile time
/// they return empty results and mark the node introspective.
#[derive(Debug)]
struct StatementObject;

impl Object for StatementObject {
    fn call(self: &Arc<Self>, state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        mark_introspective(state);
        if let Some(node) = run_time(state) {
            if let Some(runtime) = node.runtime() {
                return crate::runtime::statement(runtime, state, args);
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
    crate::render::to_value(serde_json::json!({ "columns": [], "rows": [], "column_names": [] }))
}

/// Builds the shared environment: dbt globals, project macros, filters.
/// `macro_files` are `(template name, rewritten source)` pairs; a file that
/// does not compile is returned with its error instead of stopping the load.
pub fn build_environment(
    shared: &Arc<RenderShared>,
    macro_files: Vec<(String, String)>,
) -> (Environment<'static>, Vec<(String, Error)>) {
    let mut environment = Environment::new();
    // minijinja's default follows the build profile; on, its errors name
    // the undefined value (`dbt_utils` is undefined) in release builds too.
    environment.set_debug(true);
    environment.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    environment.set_recursion_limit(500);
    let mut failures = Vec::new();
    environment.add_function(
        crate::mutable::MUTABLE_FUNCTION,
        crate::mutable::make_mutable,
    );
    for (name, source) in macro_files {
        let source = crate::mutable::rewrite_mutable_literals(&source).unwrap_or(source);
        if let Err(error) = environment.add_template_owned(name.clone(), source) {
            failures.push((name, error));
        }
    }
    for name in shared.macros.keys().filter(|name| !name.contains('.')) {
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
    let ref_shared = shared.clone();
    environment.add_function(
        "ref",
        move |state: &State, args: Rest<Value>, kwargs: Kwargs| -> Result<Value, Error> {
            let version = kwargs
                .get::<Option<Value>>("version")
                .ok()
                .flatten()
                .or_else(|| kwargs.get::<Option<Value>>("v").ok().flatten())
                .map(|value| value.to_string());
            let mut positional = Vec::new();
            for argument in args.iter() {
                positional.push(argument.as_str().map(String::from).ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        "ref() takes model names as strings",
                    )
                })?);
            }
            let (package, name) = match positional.as_slice() {
                [name] => (None, name.clone()),
                [package, name] => (Some(package.clone()), name.clone()),
                _ => {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "ref() takes one or two names: ref('model') or ref('package', 'model')",
                    ))
                }
            };
            let call = crate::RefCall {
                package,
                name: name.clone(),
                version,
            };
            let relation = ref_shared.resolve_ref(&name);
            if let Some(node) = node_state(state) {
                node.with_recorded(|recorded| {
                    if relation.is_none() {
                        if !recorded.missing_refs.contains(&call) {
                            recorded.missing_refs.push(call.clone());
                        }
                    } else if !recorded.refs.contains(&call) {
                        recorded.refs.push(call);
                    }
                });
            }
            // A missing ref still renders (as the bare name) so the rest of the
            // model renders and every other problem is found in the same run.
            let parts = relation.unwrap_or(RelationParts {
                database: None,
                schema: None,
                identifier: name,
                ephemeral_cte: false,
            });
            Ok(Value::from_object(RelationObject(parts)))
        },
    );
    let source_shared = shared.clone();
    environment.add_function(
        "source",
        move |state: &State, source_name: String, table_name: String| -> Result<Value, Error> {
            let call = crate::SourceCall {
                source_name: source_name.clone(),
                table_name: table_name.clone(),
            };
            let relation = source_shared
                .sources
                .get(&(source_name.clone(), table_name.clone()))
                .cloned();
            if let Some(node) = node_state(state) {
                node.with_recorded(|recorded| {
                    let list = if relation.is_some() {
                        &mut recorded.sources
                    } else {
                        &mut recorded.missing_sources
                    };
                    if !list.contains(&call) {
                        list.push(call);
                    }
                });
            }
            let parts = relation.unwrap_or(RelationParts {
                database: None,
                schema: Some(source_name),
                identifier: table_name,
                ephemeral_cte: false,
            });
            Ok(Value::from_object(RelationObject(parts)))
        },
    );
    environment.add_global("config", Value::from_object(ConfigObject));
    environment.add_global(
        "dbt",
        Value::from_object(DbtNamespace {
            shared: shared.clone(),
        }),
    );
    let var_shared = shared.clone();
    environment.add_function(
        "var",
        move |name: String, default: Option<Value>| -> Result<Value, Error> {
            match var_shared.vars.get(&name) {
                Some(value) => Ok(crate::render::to_value(value)),
                None => default.ok_or_else(|| {
                    fail(
                        Code::UndefinedVar,
                        format!("var('{name}') is not defined and no default is given"),
                    )
                }),
            }
        },
    );
    environment.add_function("env_var", env_var_function);
    environment.add_function("is_incremental", |state: &State| {
        run_time(state)
            .and_then(|node| node.runtime().map(|runtime| runtime.is_incremental))
            .unwrap_or(false)
    });
    environment.add_function("should_full_refresh", |state: &State| {
        run_time(state)
            .and_then(|node| node.runtime().map(|runtime| runtime.full_refresh))
            .unwrap_or(false)
    });
    environment.add_function("return", |value: Option<Value>| -> Result<Value, Error> {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            "return() may only be called inside a project macro",
        )
        .with_source(MacroReturn(value.unwrap_or_default())))
    });
    environment.add_function("log", |_args: Rest<Value>| "");
    environment.add_function("print", |_args: Rest<Value>| "");
    environment.add_function(
        "run_query",
        |state: &State, sql: Rest<Value>| -> Result<Value, Error> {
            mark_introspective(state);
            match run_time(state) {
                Some(node) => {
                    let sql = sql.first().map(Value::to_string).unwrap_or_default();
                    match node.runtime() {
                        Some(runtime) => crate::runtime::run_query(runtime, &sql),
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
                    return Ok(crate::runtime::load_result(runtime, &name));
                }
            }
            Ok(crate::render::to_value(
                serde_json::json!({ "table": null, "data": [], "response": null }),
            ))
        },
    );
    environment.add_global("statement", Value::from_object(StatementObject));
    environment.add_function(
        "fromjson",
        |text: String, default: Option<Value>| -> Result<Value, Error> {
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(value) => Ok(crate::render::to_value(value)),
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
    environment.add_global(
        "adapter",
        Value::from_object(AdapterObject {
            shared: shared.clone(),
        }),
    );
    environment.add_global("exceptions", Value::from_object(ExceptionsObject));
    environment.add_global("target", shared.target.clone());
    environment.add_global("project_name", Value::from(shared.project_name.clone()));
    environment.add_global("dbt_version", Value::from("1.10.0"));
    environment.add_global("flags", compile_flags());
    environment.add_global(
        "modules",
        crate::render::to_value(serde_json::json!({ "datetime": {}, "re": {}, "itertools": {} })),
    );
    (environment, failures)
}

/// One render of one node.
pub struct RenderInput<'a> {
    pub template_name: &'a str,
    pub source: &'a str,
    pub this: RelationParts,
    pub model: Value,
    pub execute: bool,
}

/// The `flags` of a compile, as templates read them. Built once: every
/// render reads the same value, and cloning it shares it.
pub fn compile_flags() -> Value {
    static FLAGS: OnceLock<Value> = OnceLock::new();
    FLAGS
        .get_or_init(|| to_value(serde_json::json!({ "FULL_REFRESH": false, "WHICH": "compile" })))
        .clone()
}

/// The result of one render: the output or the error, and what was recorded.
pub struct RenderOutput {
    pub result: Result<String, Error>,
    pub recorded: Recorded,
}

impl RenderOutput {
    /// A render that failed before it recorded anything (its template did
    /// not compile).
    pub fn failed(error: Error) -> RenderOutput {
        RenderOutput {
            result: Err(error),
            recorded: Recorded::default(),
        }
    }
}

/// Renders one node's template with a given render state (a run-time one,
/// say) and `flags`.
pub fn render_node_with(
    environment: &Environment<'static>,
    input: &RenderInput,
    state: NodeRenderState,
    flags: Value,
) -> RenderOutput {
    let rewritten = crate::mutable::rewrite_mutable_literals(input.source);
    match compile_node_template(
        environment,
        input.template_name,
        input.source,
        rewritten.as_deref(),
    ) {
        Ok(template) => render_template(&template, input, state, flags),
        Err(error) => RenderOutput::failed(error),
    }
}

/// Compiles a node's template: `source`, or the text
/// `crate::mutable::rewrite_mutable_literals` made of it (`rewritten`). The
/// loader's parse and compile phases render one compiled template instead
/// of compiling it twice.
pub fn compile_node_template<'env, 'source>(
    environment: &'env Environment<'static>,
    template_name: &'source str,
    source: &'source str,
    rewritten: Option<&'source str>,
) -> Result<Template<'env, 'source>, Error> {
    environment.template_from_named_str(template_name, rewritten.unwrap_or(source))
}

/// Renders a compiled node template with the dbt context (`input` gives
/// `this`, `model` and `execute`; its name and source are not read).
pub fn render_template(
    template: &Template<'_, '_>,
    input: &RenderInput,
    state: NodeRenderState,
    flags: Value,
) -> RenderOutput {
    let node = Arc::new(state);
    let context = minijinja::context! {
        this => Value::from_object(RelationObject(input.this.clone())),
        model => input.model.clone(),
        execute => input.execute,
        flags => flags,
        __fusion_node => Value::from_dyn_object(node.clone()),
    };
    let result = template.render(context);
    RenderOutput {
        result,
        recorded: node.take_recorded(),
    }
}

/// Renders a custom generic test: the project's `{% test name(model,
/// column_name, ...) %}` block (the macro `test_<name>`), called with the
/// relation the test is attached to, its column and its arguments. An
/// argument written as `ref('x')` or `source('s', 't')` is evaluated, as
/// dbt renders test arguments.
pub fn render_generic_test(
    environment: &Environment<'static>,
    macro_name: &str,
    model: RelationParts,
    column_name: Option<&str>,
    kwargs: &serde_json::Map<String, serde_json::Value>,
) -> RenderOutput {
    let node = Arc::new(NodeRenderState::default());
    let mut call = format!("{{{{ {macro_name}(model=__fusion_test_model");
    let mut context: Vec<(String, Value)> = vec![
        (
            "__fusion_test_model".into(),
            Value::from_object(RelationObject(model)),
        ),
        ("execute".into(), Value::from(true)),
        ("flags".into(), compile_flags()),
        (NODE_STATE_KEY.into(), Value::from_dyn_object(node.clone())),
    ];
    if let Some(column_name) = column_name {
        call.push_str(", column_name=__fusion_test_column");
        context.push(("__fusion_test_column".into(), Value::from(column_name)));
    }
    for (index, (key, value)) in kwargs.iter().enumerate() {
        let is_identifier = !key.is_empty()
            && key
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || character == '_');
        if !is_identifier {
            continue;
        }
        match value.as_str().map(str::trim) {
            Some(text)
                if (text.starts_with("ref(") || text.starts_with("source("))
                    && text.ends_with(')')
                    && !text.contains("}}") =>
            {
                call.push_str(&format!(", {key}={text}"));
            }
            _ => {
                let slot = format!("__fusion_test_argument_{index}");
                call.push_str(&format!(", {key}={slot}"));
                context.push((slot, to_value(value)));
            }
        }
    }
    call.push_str(") }}");
    let context: std::collections::BTreeMap<String, Value> = context.into_iter().collect();
    let result = environment.render_str(&call, Value::from(context));
    RenderOutput {
        result,
        recorded: node.take_recorded(),
    }
}

/// A macro found in a macro file.
#[derive(Clone, Debug)]
pub struct ScannedMacro {
    pub name: String,
    pub arguments: Vec<String>,
    /// Byte range of `{% macro %}` ... `{% endmacro %}` in the original file.
    pub start: usize,
    pub end: usize,
}

/// Rewrites a macro file for the shared environment: project macros are
/// renamed (see the module docs), and dbt's custom block tags become macros
/// (`{% test x(...) %}` → `test_x`, `{% materialization m, adapter='a' %}` →
/// `materialization_m_a`). Line structure is kept so error lines still match.
pub fn prepare_macro_file(text: &str) -> (String, Vec<ScannedMacro>) {
    let mut output = String::with_capacity(text.len() + 64);
    let mut macros: Vec<ScannedMacro> = Vec::new();
    let mut open_macro: Option<ScannedMacro> = None;
    let mut copied_up_to = 0usize;
    let mut search_from = 0usize;
    while let Some(found) = text[search_from..].find("{%") {
        let tag_start = search_from + found;
        let Some(close) = text[tag_start..].find("%}") else {
            break;
        };
        let tag_end = tag_start + close + 2;
        let inner_with_markers = &text[tag_start + 2..tag_end - 2];
        let leading_marker = inner_with_markers.starts_with(['-', '+']);
        let trailing_marker = inner_with_markers.ends_with(['-', '+']);
        let inner = inner_with_markers
            .trim_matches(|character: char| character == '-' || character == '+')
            .trim();
        let keyword: String = inner
            .chars()
            .take_while(|character| character.is_ascii_alphanumeric() || *character == '_')
            .collect();
        let rest = inner[keyword.len()..].trim_start();
        let open = format!(
            "{{%{}",
            if leading_marker {
                &inner_with_markers[..1]
            } else {
                ""
            }
        );
        let close_text = format!(
            "{}%}}",
            if trailing_marker {
                &inner_with_markers[inner_with_markers.len() - 1..]
            } else {
                ""
            }
        );
        let replacement = match keyword.as_str() {
            "macro" | "test" | "materialization" => {
                let name: String = rest
                    .chars()
                    .take_while(|character| character.is_ascii_alphanumeric() || *character == '_')
                    .collect();
                let after_name = &rest[name.len()..];
                let (public_name, signature) = match keyword.as_str() {
                    "macro" => (name.clone(), after_name.to_string()),
                    "test" => (format!("test_{name}"), after_name.to_string()),
                    _ => {
                        let adapter = after_name
                            .split("adapter")
                            .nth(1)
                            .map(|text| {
                                text.trim_start_matches([' ', '=', '\'', '"'])
                                    .chars()
                                    .take_while(|character| {
                                        character.is_ascii_alphanumeric() || *character == '_'
                                    })
                                    .collect::<String>()
                            })
                            .unwrap_or_else(|| "default".to_string());
                        (
                            format!("materialization_{name}_{adapter}"),
                            "()".to_string(),
                        )
                    }
                };
                if name.is_empty() {
                    None
                } else {
                    open_macro = Some(ScannedMacro {
                        name: public_name.clone(),
                        arguments: macro_arguments(&signature),
                        start: tag_start,
                        end: tag_end,
                    });
                    Some(format!(
                        "{open} macro {INTERNAL_MACRO_PREFIX}{public_name}{signature} {close_text}"
                    ))
                }
            }
            "endmacro" | "endtest" | "endmaterialization" => {
                if let Some(mut scanned) = open_macro.take() {
                    scanned.end = tag_end;
                    macros.push(scanned);
                }
                Some(format!("{open} endmacro {close_text}"))
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            output.push_str(&text[copied_up_to..tag_start]);
            output.push_str(&replacement);
            copied_up_to = tag_end;
        }
        search_from = tag_end;
    }
    output.push_str(&text[copied_up_to..]);
    (output, macros)
}

/// Argument names of a macro signature `(a, b=1, c='x')`.
fn macro_arguments(signature: &str) -> Vec<String> {
    let inner = signature.trim();
    let inner = inner.strip_prefix('(').unwrap_or(inner);
    let inner = inner.rfind(')').map_or(inner, |end| &inner[..end]);
    let mut arguments = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for character in inner.chars() {
        match quote {
            Some(open) => {
                if character == open {
                    quote = None;
                }
                current.push(character);
            }
            None => match character {
                '\'' | '"' => {
                    quote = Some(character);
                    current.push(character);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    current.push(character);
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    current.push(character);
                }
                ',' if depth == 0 => arguments.push(std::mem::take(&mut current)),
                _ => current.push(character),
            },
        }
    }
    arguments.push(current);
    arguments
        .into_iter()
        .filter_map(|argument| {
            let name = argument
                .split('=')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_files_are_renamed_and_custom_tags_rewritten() {
        let text = "{% macro cents(col, scale=2) -%}\n{{ col }}\n{%- endmacro %}\n{% test positive(model, column_name) %}select 1{% endtest %}";
        let (rewritten, macros) = prepare_macro_file(text);
        assert!(rewritten.contains("{% macro __fusion_macro__cents(col, scale=2) -%}"));
        assert!(rewritten.contains("{% macro __fusion_macro__test_positive(model, column_name) %}"));
        assert_eq!(rewritten.lines().count(), text.lines().count());
        let names: Vec<&str> = macros.iter().map(|scanned| scanned.name.as_str()).collect();
        assert_eq!(names, ["cents", "test_positive"]);
        assert_eq!(macros[0].arguments, ["col", "scale"]);
        assert_eq!(
            &text[macros[0].start..macros[0].end],
            "{% macro cents(col, scale=2) -%}\n{{ col }}\n{%- endmacro %}"
        );
    }

    #[test]
    fn relations_quote_like_duckdb() {
        let parts = RelationParts {
            database: Some("dev".into()),
            schema: Some("main".into()),
            identifier: "or\"ders".into(),
            ephemeral_cte: false,
        };
        assert_eq!(parts.quoted(), "\"dev\".\"main\".\"or\"\"ders\"");
        assert_eq!(
            RelationParts::ephemeral("int_x").quoted(),
            "__dbt__cte__int_x"
        );
    }
}
