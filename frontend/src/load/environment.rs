//! The Jinja environment every node renders in, and the state its functions share.

use super::jinja_errors::BUILTIN_CALLABLES;
use super::macros::MacroScope;
use super::LoadContext;
use crate::package_scope::ByPackage;
use crate::relation::RelationParts;
use crate::render::build_environment;
use crate::render_state::RenderShared;
use std::sync::Arc;

/// The render environment with every macro compiled in.
pub(super) struct RenderEnvironment {
    pub(super) shared: Arc<RenderShared>,
    pub(super) environment: minijinja::Environment<'static>,
    /// The macro templates that did not compile, with their errors.
    pub(super) macro_failures: Vec<(String, minijinja::Error)>,
    /// The macros and functions a template can call, sorted, then dbt's built-in functions.
    pub(super) known_callables: Vec<String>,
}

/// dbt's `RuntimeConfig` as far as templates read it: `project_name`,
/// `version`, `profile_name`, `target_name`, `dependencies` (every project
/// of the run, the root one included, with its `project_name` and
/// `version`) and `args` (the command's flags, lower case).
fn runtime_config(context: &LoadContext) -> minijinja::Value {
    let dependencies: serde_json::Map<String, serde_json::Value> = context
        .units
        .iter()
        .map(|unit| {
            (
                unit.name.clone(),
                serde_json::json!({
                    "project_name": unit.name,
                    "version": unit.settings.version,
                }),
            )
        })
        .collect();
    crate::jinja::to_value(serde_json::json!({
        "project_name": context.project_name,
        "version": context.settings.version,
        "profile_name": context.target.profile_name,
        "target_name": context.target.target_name,
        "dependencies": dependencies,
        // The command's arguments as dbt's `args_to_dict` gives them, for
        // what fusionc knows of them.
        "args": {
            "which": "compile",
            "project_dir": context.root_dir.display().to_string(),
            "select": [],
            "exclude": [],
            "vars": {},
            "indirect_selection": "eager",
            "introspect": true,
            "empty": false,
            "defer": false,
            "favor_state": false,
            "send_anonymous_usage_stats": false,
            "require_explicit_package_overrides_for_builtin_materializations": true,
            "require_generic_test_arguments_property": true,
            "require_resource_names_without_spaces": true,
        },
    }))
}

/// Builds the environment from the project's macros and its sources.
pub(super) fn build_render_environment(
    context: &LoadContext,
    macro_scope: MacroScope,
    source_relations: ByPackage<RelationParts>,
) -> RenderEnvironment {
    let target = &context.target;
    let shared = Arc::new(RenderShared {
        project_name: context.project_name.clone(),
        packages: macro_scope.package_names,
        dispatch: context.settings.dispatch.clone(),
        adapter_type: target.adapter_type.clone(),
        naming: context.adapter_naming,
        quote: context.adapter_naming.quote_character(),
        relation_quoting: context.relation_quoting,
        target: crate::jinja::to_value(target.to_context_value()),
        runtime_config: runtime_config(context),
        target_database: target.database.clone(),
        target_schema: target.schema.clone(),
        vars: context.vars.clone(),
        package_vars: context.units[1..]
            .iter()
            .map(|unit| (unit.name.clone(), unit.vars.clone()))
            .collect(),
        package_local_names: {
            let mut names: Vec<String> = macro_scope.package_local_names.into_iter().collect();
            names.sort_unstable();
            names
        },
        macros: macro_scope.entries,
        builtin_macros: macro_scope.builtin_entries,
        sources: source_relations,
        predicted_refs: std::sync::OnceLock::new(),
        refs: std::sync::OnceLock::new(),
        project_graph: std::sync::OnceLock::new(),
        graph_entries: std::sync::Mutex::default(),
    });
    let (environment, macro_failures) = build_environment(&shared, macro_scope.sources);
    let mut known_callables: Vec<String> = shared.macros.keys().cloned().collect();
    known_callables.sort();
    known_callables.extend(BUILTIN_CALLABLES.iter().map(|name| name.to_string()));
    RenderEnvironment {
        shared,
        environment,
        macro_failures,
        known_callables,
    }
}
