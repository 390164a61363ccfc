//! `ref()` and `source()`: the relation a template reads, recorded as a
//! dependency of the node being rendered.

use crate::project::{RefCall, SourceCall};
use crate::quoting::QuotePolicy;
use crate::relation::{RelationObject, RelationParts};
use crate::render_state::{node_state, unit_test_render, RenderShared};
use minijinja::value::{Kwargs, Rest};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::sync::Arc;

pub(super) fn register(environment: &mut Environment<'static>, shared: &Arc<RenderShared>) {
    let ref_shared = shared.clone();
    environment.add_function(
        "ref",
        move |state: &State, args: Rest<Value>, kwargs: Kwargs| {
            ref_relation(&ref_shared, state, args, kwargs)
        },
    );
    environment.add_global(
        "graph",
        Value::from_object(GraphObject {
            shared: shared.clone(),
        }),
    );
    let source_shared = shared.clone();
    environment.add_function(
        "source",
        move |state: &State, source_name: String, table_name: String| {
            source_relation(&source_shared, state, source_name, table_name)
        },
    );
}

/// `ref('model')` or `ref('package', 'model')`, with `version=` or `v=`.
fn ref_relation(
    shared: &RenderShared,
    state: &State,
    args: Rest<Value>,
    kwargs: Kwargs,
) -> Result<Value, Error> {
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
    let call = RefCall {
        package,
        name: name.clone(),
        version,
    };
    let node = node_state(state);
    // A unit test's render reads the given rows (a CTE) instead.
    if let Some(unit_test) = unit_test_render(state) {
        if let Some((_, _, cte)) = unit_test.refs.iter().find(|(package, model, _)| {
            *model == name && (call.package.is_none() || *package == call.package)
        }) {
            return Ok(Value::from_object(RelationObject::new(
                cte_relation(cte),
                shared.quote,
            )));
        }
    }
    let relation = shared.resolve_ref(
        call.package.as_deref(),
        &call.lookup_name(),
        node.as_ref().and_then(|node| node.package()),
    );
    if let Some(node) = node {
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
        quoting: shared.relation_quoting,
    });
    Ok(Value::from_object(RelationObject::new(parts, shared.quote)))
}

/// `source('source_name', 'table_name')`.
fn source_relation(
    shared: &RenderShared,
    state: &State,
    source_name: String,
    table_name: String,
) -> Result<Value, Error> {
    let call = SourceCall {
        source_name: source_name.clone(),
        table_name: table_name.clone(),
    };
    if let Some(unit_test) = unit_test_render(state) {
        if let Some((_, _, cte)) = unit_test
            .sources
            .iter()
            .find(|(source, table, _)| *source == source_name && *table == table_name)
        {
            return Ok(Value::from_object(RelationObject::new(
                cte_relation(cte),
                shared.quote,
            )));
        }
    }
    let node = node_state(state);
    let relation = shared
        .sources
        .find(
            None,
            &format!("{source_name}.{table_name}"),
            shared.search_from(node.as_ref().and_then(|node| node.package())),
        )
        .cloned();
    if let Some(node) = node {
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
        quoting: shared.naming.quote_policy(),
    });
    Ok(Value::from_object(RelationObject::new(parts, shared.quote)))
}

/// The relation of a unit test's given rows: a CTE, written bare.
fn cte_relation(cte: &str) -> RelationParts {
    RelationParts {
        database: None,
        schema: None,
        identifier: cte.to_string(),
        ephemeral_cte: true,
        quoting: QuotePolicy::NONE,
    }
}

thread_local! {
    /// Set when a render reads `graph` before the project's graph exists
    /// (see [`GraphReads`]).
    static GRAPH_READ: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a render read `graph` while the loader had no graph to give it
/// yet: the loader renders such a node again once the project is loaded.
/// A render runs on one thread from start to end, macros included, so a
/// thread-local flag tells one render's reads.
pub(crate) struct GraphReads;

impl GraphReads {
    /// Forgets earlier reads on this thread (before a render).
    pub(crate) fn reset() {
        GRAPH_READ.with(|read| read.set(false));
    }

    /// Whether `graph` was read on this thread since the last reset.
    pub(crate) fn happened() -> bool {
        GRAPH_READ.with(std::cell::Cell::get)
    }
}

/// `graph`: dbt's flat graph of the project (its nodes, sources, exposures,
/// metrics...), known once the project is loaded; before that (while the
/// loader renders), empty mappings, and the read is noted.
#[derive(Debug)]
struct GraphObject {
    shared: Arc<RenderShared>,
}

impl minijinja::value::Object for GraphObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(added) = self.added(key) {
            return Some(added);
        }
        match self.shared.project_graph.get() {
            Some(graph) => graph
                .get_item(key)
                .ok()
                .filter(|value| !value.is_undefined()),
            None => match key.as_str()? {
                "nodes" | "sources" | "exposures" | "functions" | "metrics" | "groups"
                | "semantic_models" | "saved_queries" => {
                    GRAPH_READ.with(|read| read.set(true));
                    Some(Value::from_pairs(std::iter::empty::<(String, Value)>()))
                }
                _ => None,
            },
        }
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Str(&["nodes", "sources"])
    }

    /// `graph` is a Python dict in dbt, one for the whole invocation:
    /// packages keep their own entries in it (elementary's cache,
    /// `graph.setdefault("elementary", {})`), which every later render sees.
    fn call_method(
        self: &Arc<Self>,
        _state: &mut minijinja::State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, minijinja::Error> {
        let key = args.first().cloned().unwrap_or_default();
        let default = args.get(1).cloned().unwrap_or_default();
        match method {
            "get" => Ok(self.get_value(&key).unwrap_or(default)),
            "setdefault" => {
                if let Some(found) = self.get_value(&key) {
                    return Ok(found);
                }
                let value = crate::mutable::literal_as_mutable(default);
                let mut added = self
                    .shared
                    .graph_entries
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner());
                added.push((key, value.clone()));
                Ok(value)
            }
            _ => Err(minijinja::Error::new(
                minijinja::ErrorKind::UnknownMethod,
                format!("graph has no method named {method}"),
            )),
        }
    }
}

impl GraphObject {
    /// An entry a template added with `graph.setdefault(...)`.
    fn added(&self, key: &Value) -> Option<Value> {
        let added = self
            .shared
            .graph_entries
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        added
            .iter()
            .find(|(existing, _)| existing == key)
            .map(|(_, value)| value.clone())
    }
}
