//! dbt's Jinja context, one file per theme, and the macros fusionc ships
//! with: dbt's cross-database macros (`dbt.type_string()`, `dateadd`,
//! `concat`...), written for fusionc in Jinja so that projects can override
//! them through `adapter.dispatch` as they can with dbt.
//!
//! Every built-in finds the node being rendered through the render state
//! (`render_state`); the rendering itself (`render.rs`) builds the
//! environment and calls [`register_dbt_context`].

mod adapter;
mod agate;
mod api;
pub(crate) mod config_and_vars;
mod datetime;
pub(crate) mod env_var;
mod exceptions;
mod itertools;
mod macros;
mod modules_and_filters;
mod python_arguments;
mod regular_expressions;
pub(crate) mod relations;
mod serialization;
mod warehouse_queries;

use crate::render_state::RenderShared;
use minijinja::Environment;
use std::sync::Arc;

/// The built-in macro file, compiled into the binary.
pub(crate) const DBT_MACROS: &str = include_str!("dbt_macros.sql");

/// The name diagnostics and the manifest give the built-in macro file.
pub(crate) const DBT_MACROS_PATH: &str = "<fusionc>/dbt_macros.sql";

/// Registers dbt's globals in `environment`: the project's macros and
/// packages first, then the built-ins, so that a built-in wins over a macro
/// or package of the same name. The built-ins' names are all different, so
/// their order among themselves does not matter.
pub(crate) fn register_dbt_context(
    environment: &mut Environment<'static>,
    shared: &Arc<RenderShared>,
) {
    macros::register_project_macros(environment, shared);
    macros::register_dbt_namespace_and_return(environment, shared);
    relations::register(environment, shared);
    config_and_vars::register(environment, shared);
    adapter::register(environment, shared);
    api::register(environment, shared);
    warehouse_queries::register(environment);
    exceptions::register(environment);
    modules_and_filters::register(environment);
}
