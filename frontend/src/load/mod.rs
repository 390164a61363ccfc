//! The load pipeline: from a project folder to a rendered [`Project`] with its graph.
//!
//! [`load`] lists the phases in order (ARCHITECTURE.md: project file and
//! profile, discovery, macros, sources, templates, seeds, relation naming,
//! the parse and compile renders, the graph, generic tests, diagnostics);
//! each phase is a function in a file of this module, its inputs and
//! outputs in its signature. What every phase reads is in [`LoadContext`].

mod declared;
mod environment;
mod files;
mod generic_tests;
mod graph;
mod jinja_errors;
mod macros;
mod naming;
mod project;
mod render_phases;
mod schema_files;
mod seed_nodes;
mod selectors;
mod sources;
mod templates;
mod unit_test_nodes;
mod versions;

use crate::adapter_naming::AdapterNaming;
use crate::options::LoadOptions;
use crate::profiles::Target;
use crate::project::{LoadResult, Project};
use crate::project_file::ProjectSettings;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{FileId, SourceFiles};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// What every phase reads: the project's settings, its variables and its
/// target, fixed once the project file and the profile are read.
pub(super) struct LoadContext {
    pub(super) root_dir: PathBuf,
    /// `dbt_project.yml` in the source table (diagnostics without a better
    /// place point here).
    pub(super) project_file: FileId,
    pub(super) settings: ProjectSettings,
    pub(super) project_name: String,
    /// Variables as templates see them (see [`Project::vars`]).
    pub(super) vars: Map<String, Value>,
    pub(super) target: Target,
    /// What differs by the target's adapter.
    pub(super) adapter_naming: &'static dyn AdapterNaming,
    /// Which parts of the names of the project's nodes are quoted: the
    /// adapter's policy with the project's `quoting:` over it.
    pub(super) relation_quoting: crate::quoting::QuotePolicy,
    /// The root project first, then each installed package: every one
    /// contributes nodes, YAML and macros.
    pub(in crate::load) units: Vec<project::ProjectUnit>,
    /// The root project's `selectors.yml`, when it has one.
    pub(super) selectors: Option<crate::project::Selectors>,
}

pub(crate) fn load(options: &LoadOptions) -> LoadResult {
    let mut files = SourceFiles::default();
    let mut diagnostics = Vec::new();
    let mut timer = PhaseTimer::new();
    let project = load_phases(options, &mut files, &mut diagnostics, &mut timer);
    LoadResult {
        project,
        files,
        diagnostics,
        phase_timings: timer.phases,
    }
}

/// Records how long each phase of loading takes.
struct PhaseTimer {
    phases: Vec<(&'static str, std::time::Duration)>,
    phase_started: std::time::Instant,
}

impl PhaseTimer {
    fn new() -> PhaseTimer {
        PhaseTimer {
            phases: Vec::new(),
            phase_started: std::time::Instant::now(),
        }
    }

    /// Ends the current phase under `name` and starts the next one.
    fn finish(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.phases.push((name, now - self.phase_started));
        self.phase_started = now;
    }
}

/// The phases of loading, in order. Every file read is registered in
/// `files` and every problem is a diagnostic; `None` only when the project
/// file or the profile cannot be used at all.
fn load_phases(
    options: &LoadOptions,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
    timer: &mut PhaseTimer,
) -> Option<Project> {
    // First the project file and the profile: every later phase reads their
    // settings, and without them there is nothing to load.
    let context = project::read_project_and_profile(options, files, diagnostics)?;
    timer.finish("project and profile");

    // The schema YAML before any template: it declares the sources, the
    // configs and descriptions of nodes (their patches) and their tests.
    let schema_yaml = schema_files::read_schema_yaml(&context, files, diagnostics);
    let schema_files::SchemaYaml {
        docs,
        mut model_patches,
        mut seed_patches,
        mut source_decls,
        function_declarations,
        resource_decls,
        unit_test_decls,
    } = schema_yaml;
    timer.finish("schema YAML");

    // Every macro before any template: nodes render in one environment that
    // holds them all.
    let macros::LoadedMacros {
        macros,
        macro_templates,
        scope: macro_scope,
    } = macros::read_macros(&context, files, diagnostics);
    timer.finish("macros");

    // Sources are named by YAML alone, so `source()` knows them before any
    // render; then the environment is built once, with macros and sources.
    let source_relations = sources::source_relations(&context, &source_decls, diagnostics);
    let environment::RenderEnvironment {
        shared,
        environment,
        macro_failures,
        known_callables,
    } = environment::build_render_environment(&context, macro_scope, source_relations);
    timer.finish("sources");

    // The templates are read (and hashed) in one go; the macro files'
    // compile errors are reported now that every template file is known.
    let (mut template_nodes, template_files) =
        templates::read_templates(&context, files, diagnostics);
    // A versioned model's files become its versions before anything is
    // named or configured by name.
    versions::apply_model_versions(&context, &mut template_nodes, &mut model_patches);
    let jinja_context = jinja_errors::JinjaContext {
        template_files,
        macro_templates,
        known_callables,
    };
    jinja_errors::report_macro_failures(
        &macro_failures,
        &jinja_context,
        context.project_file,
        files,
        diagnostics,
    );
    timer.finish("reading templates");

    // Seeds have no template: their configs and column types are final once read.
    let mut seed_nodes = seed_nodes::read_seeds(&context, &seed_patches, files, diagnostics);
    timer.finish("seeds");

    // Each relation as the project and YAML configs name it, before any
    // template renders: the parse phase renders `ref()` and `this` with
    // these names, and most nodes keep them.
    let base_configs = naming::base_configs(&context, &template_nodes, &model_patches);
    let naming = naming::RelationNaming::new(&environment, &shared, &context.target);
    let predicted = naming.name_template_nodes(&template_nodes, &base_configs);
    let seed_relations = naming.name_seeds(&mut seed_nodes, context.project_file, diagnostics);
    let predicted_refs = naming::ref_table_of(
        &context,
        &template_nodes,
        &base_configs,
        predicted
            .iter()
            .map(|named| named.as_ref().map(|(relation, _)| relation)),
        &seed_nodes,
        &seed_relations,
    );
    let _ = shared.predicted_refs.set(predicted_refs);
    let phase_dependent_macros = render_phases::phase_dependent_macros(&macros);
    timer.finish("predicted relations");

    // The parse render collects each node's `config()`, `ref()` and
    // `source()` calls; its compiled templates are kept for the compile phase.
    let rewritten_sources = render_phases::rewrite_mutable_literals(&template_nodes);
    let (templates, mut parse_outputs) = render_phases::render_parse_phase(
        &context,
        &environment,
        &template_nodes,
        &rewritten_sources,
        &predicted,
        &base_configs,
    );
    timer.finish("render (parse phase)");

    // A node's own `config()` calls come last in dbt's precedence. A key
    // they set that dbt does not know is kept, and reported.
    let (configs, renamed) = render_phases::apply_config_calls(
        &context,
        &naming,
        &template_nodes,
        base_configs,
        &parse_outputs,
    );
    render_phases::report_unknown_config_call_keys(&template_nodes, &parse_outputs, diagnostics);
    render_phases::record_hook_macros(
        &context,
        &environment,
        &template_nodes,
        &configs,
        &mut parse_outputs,
    );
    timer.finish("configs");

    // Only the nodes whose `config()` calls changed a naming input are named
    // again; the real relations are what the compile phase's `ref()` reads.
    let (template_relations, this_kept) =
        naming.name_after_config_calls(&template_nodes, &configs, &renamed, predicted, diagnostics);
    let ref_table = naming::ref_table_of(
        &context,
        &template_nodes,
        &configs,
        template_relations.iter().map(Option::as_ref),
        &seed_nodes,
        &seed_relations,
    );
    drop(seed_relations);
    let refable_names = naming::refable_names(&ref_table);
    let _ = shared.refs.set(ref_table);
    // The resources that never run, once every node they can name is known
    // (the flat graph holds them).
    let declared = declared::declared_resources(
        &context,
        resource_decls,
        &declared::targets(
            &context,
            &template_nodes,
            &configs,
            &seed_nodes,
            &source_decls,
        ),
        files,
        diagnostics,
    );
    // dbt's `graph` describes the whole loaded project: it is built once
    // the project is (below), only when a template or macro mentions it (it
    // costs a copy of every node's description).
    let mentions_graph = |text: &str| memchr::memmem::find(text.as_bytes(), b"graph").is_some();
    let graph_is_read = template_nodes.iter().any(|node| mentions_graph(&node.raw))
        || macros.iter().any(|info| mentions_graph(&info.macro_sql));
    timer.finish("relation naming");

    // The compile render, only for the nodes whose parse-phase text cannot
    // serve as their compiled SQL.
    let mut compile_outputs = render_phases::render_compile_phase(
        &context,
        &template_nodes,
        templates,
        &mut parse_outputs,
        &render_phases::ReuseFacts {
            configs: &configs,
            this_kept: &this_kept,
            relations: &template_relations,
            phase_dependent_macros: &phase_dependent_macros,
            shared: &shared,
        },
    );
    drop(rewritten_sources);
    let deferred = graph::set_graph_readers_aside(&mut compile_outputs);
    timer.finish("render (compile phase)");

    // The graph once every node is rendered: its edges are the `ref()` and
    // `source()` calls the renders recorded.
    let mut graph = graph::GraphBuilder::with_room_for(
        &template_nodes,
        &seed_nodes,
        &source_decls,
        &model_patches,
        &seed_patches,
    );
    graph.add_sources(&context, &mut source_decls);
    graph.add_seeds(seed_nodes, diagnostics);
    graph.add_template_nodes(
        &context,
        &template_nodes,
        graph::TemplateNodeOutputs {
            configs,
            parse_outputs,
            compile_outputs,
            relations: template_relations,
        },
        &mut model_patches,
        &graph::NodeErrorContext {
            jinja_context: &jinja_context,
            refable_names: &refable_names,
            source_decls: &source_decls,
        },
        files,
        diagnostics,
    );
    timer.finish("graph");

    // Generic tests last: each is attached to a node of the graph, and a
    // relationships test also reads another.
    let test_groups = generic_tests::test_groups(
        &context,
        &graph,
        &mut model_patches,
        &mut seed_patches,
        &mut source_decls,
    );
    generic_tests::add_generic_tests(
        &context,
        &mut graph,
        test_groups,
        &generic_tests::TestRendering {
            environment: &environment,
            shared: &shared,
            jinja_context: &jinja_context,
            refable_names: &refable_names,
        },
        files,
        diagnostics,
    );
    timer.finish("generic tests");

    // Unit tests after every other node: each names a model and the nodes
    // its given rows stand for.
    let unit_tests =
        unit_test_nodes::add_unit_tests(&context, &mut graph, unit_test_decls, files, diagnostics);
    timer.finish("unit tests");

    // The whole graph is known: report its cycles.
    let graph::GraphBuilder { graph, nodes, .. } = graph;
    if let Err(cycles) = graph.topological_order() {
        diagnostics.extend(cycles);
    }
    timer.finish("cycle check");

    // Two nodes must not write one relation: dbt refuses the project when
    // their names are the same text; the warehouse's own folding can make
    // different texts one relation too.
    naming::report_shared_relations(&context, &nodes, diagnostics);
    // A node's group must be declared, as dbt refuses the project otherwise.
    declared::report_unknown_groups(&nodes, &model_patches, &declared, files, diagnostics);
    // dbt's warnings for deprecated model versions and their readers.
    declared::report_deprecated_models(&graph, &nodes, &model_patches, diagnostics);

    let deferred_renders = graph::deferred_renders(&context, &template_nodes, &deferred);
    let LoadContext {
        root_dir,
        settings,
        project_name,
        vars,
        target,
        adapter_naming,
        selectors,
        relation_quoting,
        ..
    } = context;
    let mut project = Project {
        quote_character: adapter_naming.quote_character(),
        identifier_case: adapter_naming.identifier_case(),
        relation_quoting,
        selectors,
        functions: function_declarations,
        name: project_name,
        root_dir,
        settings,
        target,
        vars,
        graph,
        nodes,
        unit_tests,
        macros,
        docs,
        declared,
        renderer: Some(Arc::new(crate::runtime::Renderer {
            environment,
            quote: adapter_naming.quote_character(),
        })),
    };
    // From here on `graph` is the whole project as the manifest describes
    // it: the nodes whose compile render read it are rendered again, and
    // so are run-time renders (hooks, nodes rendered just in time).
    if graph_is_read {
        let _ =
            shared
                .project_graph
                .set(crate::jinja::to_value(crate::manifest_entries::flat_graph(
                    &project,
                )));
        graph::render_deferred_nodes(
            &mut project,
            &template_nodes,
            deferred_renders,
            &graph::NodeErrorContext {
                jinja_context: &jinja_context,
                refable_names: &refable_names,
                source_decls: &source_decls,
            },
            files,
            diagnostics,
        );
        timer.finish("graph of the project");
    }
    Some(project)
}
