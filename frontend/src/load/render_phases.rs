//! Phases: the parse render, the `config()` calls it records, and the compile render.

use super::naming::{naming_inputs, Named, RelationNaming};
use super::project::{project_file_layers, TreeOf};
use super::templates::TemplateNode;
use super::LoadContext;
use crate::builtin::config_and_vars::compile_flags;
use crate::config::NodeConfig;
use crate::config_keys::check_config_call_keys;
use crate::project::MacroInfo;
use crate::relation::RelationParts;
use crate::render::{compile_node_template, render_template, RenderInput, RenderOutput};
use crate::render_state::{NodeRenderState, Recorded, RenderShared};
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::NodeKind;
use rayon::prelude::*;
use rustc_hash::FxHashSet;

/// A node's template compiled once, in the parse phase, with the `model`
/// value it renders with; kept in case the compile phase renders it again.
/// `None` when the template did not compile.
pub(super) type CompiledTemplate<'env, 'source> =
    Option<(minijinja::Template<'env, 'source>, minijinja::Value)>;

/// What a template (or a macro it calls) must not mention for its
/// parse-phase text to be reused: `execute` differs between the phases,
/// and templates reached by `import`, `include` or `extends` are not
/// recorded as called. The unique ids of the macros that do.
pub(super) fn phase_dependent_macros(macros: &[MacroInfo]) -> PhaseDependentMacros<'_> {
    let of = |reads: fn(&str) -> bool| {
        macros
            .iter()
            .filter(|info| reads(&info.macro_sql))
            .map(|info| info.unique_id.as_str())
            .collect()
    };
    PhaseDependentMacros {
        reading_phase: of(reads_phase),
        reading_model_config: of(reads_model_config),
    }
}

/// The macros whose text may render differently between the phases: those
/// that read the phase (always), and those that read `model.config`
/// (when the node's own `config()` calls changed its config).
pub(super) struct PhaseDependentMacros<'a> {
    reading_phase: FxHashSet<&'a str>,
    reading_model_config: FxHashSet<&'a str>,
}

/// Each template with its mutable literals rewritten for minijinja, or
/// `None` when it has none (see [`crate::mutable`]).
pub(super) fn rewrite_mutable_literals(template_nodes: &[TemplateNode]) -> Vec<Option<String>> {
    template_nodes
        .par_iter()
        .map(|node| crate::mutable::rewrite_mutable_literals(&node.raw))
        .collect()
}

/// The parse phase: each template compiled once and rendered with
/// `execute` false and its predicted relations, which records its
/// `config()`, `ref()` and `source()` calls.
pub(super) fn render_parse_phase<'env, 'source>(
    context: &LoadContext,
    environment: &'env minijinja::Environment<'static>,
    template_nodes: &'source [TemplateNode],
    rewritten_sources: &'source [Option<String>],
    predicted: &[Named],
    base_configs: &[NodeConfig],
) -> (Vec<CompiledTemplate<'env, 'source>>, Vec<RenderOutput>) {
    template_nodes
        .par_iter()
        .zip(rewritten_sources)
        .zip(predicted)
        .zip(base_configs)
        .map(|(((node, rewritten), predicted), base_config)| {
            let template = match compile_node_template(
                environment,
                &node.original_file_path,
                &node.raw,
                rewritten.as_deref(),
            ) {
                Ok(template) => template,
                Err(error) => return (None, RenderOutput::failed(error)),
            };
            let model = model_value(context, node, base_config);
            let output = render_template(
                &template,
                &RenderInput {
                    template_name: &node.original_file_path,
                    source: &node.raw,
                    this: predicted.as_ref().map_or_else(
                        || unnamed_this(context, node),
                        |(relation, _)| relation.clone(),
                    ),
                    model: model.clone(),
                    execute: false,
                    quote: context.adapter_naming.quote_character(),
                },
                node_render_state(context, node.unit),
                compile_flags(),
            );
            (Some((template, model)), output)
        })
        .unzip()
}

/// dbt renders a node's hooks while it parses the node (`execute` false):
/// the macros they call directly join its `depends_on.macros`, after those
/// of its text. Only nodes with hooks render anything here.
pub(super) fn record_hook_macros(
    context: &LoadContext,
    environment: &minijinja::Environment<'static>,
    template_nodes: &[TemplateNode],
    configs: &[NodeConfig],
    parse_outputs: &mut [RenderOutput],
) {
    template_nodes
        .par_iter()
        .zip(configs)
        .zip(parse_outputs)
        .for_each(|((node, config), parse_output)| {
            let hooks: Vec<String> = config
                .pre_hooks()
                .into_iter()
                .chain(config.post_hooks())
                .filter(|hook| hook.contains("{{") || hook.contains("{%"))
                .collect();
            if hooks.is_empty() || !config.enabled() {
                return;
            }
            for hook in &hooks {
                let output = crate::render::render_node_with(
                    environment,
                    &RenderInput {
                        template_name: "<hook>",
                        source: hook,
                        this: unnamed_this(context, node),
                        model: model_value(context, node, config),
                        execute: false,
                        quote: context.adapter_naming.quote_character(),
                    },
                    node_render_state(context, node.unit),
                    compile_flags(),
                );
                let direct = &mut parse_output.recorded.direct_macros;
                for unique_id in output.recorded.direct_macros {
                    if !direct.contains(&unique_id) {
                        direct.push(unique_id);
                    }
                }
            }
        });
}

/// The project's and YAML's configs, then the node's own `config()` calls;
/// and whether those calls changed what names the node's relation.
pub(super) fn apply_config_calls(
    context: &LoadContext,
    naming: &RelationNaming,
    template_nodes: &[TemplateNode],
    base_configs: Vec<NodeConfig>,
    parse_outputs: &[RenderOutput],
) -> (Vec<NodeConfig>, Vec<bool>) {
    base_configs
        .into_par_iter()
        .zip(parse_outputs)
        .zip(template_nodes)
        .map(|((mut config, output), node)| {
            if output.recorded.config.is_empty() {
                return (config, false);
            }
            let unit = &context.units[node.unit];
            // A package's node: the root project's file comes after its
            // own `config()` calls (dbt's `calculate_node_config`).
            let apply = |config: &mut NodeConfig| {
                config.apply(&output.recorded.config);
                if !unit.is_root() {
                    let tree_of: TreeOf = match node.kind {
                        NodeKind::Test => |settings| &settings.tests,
                        NodeKind::Snapshot => |settings| &settings.snapshots,
                        NodeKind::Analysis => |_| &serde_json::Value::Null,
                        _ => |settings| &settings.models,
                    };
                    let (_, root_layers) = project_file_layers(context, unit, tree_of, &node.fqn);
                    for layer in &root_layers {
                        config.apply(layer);
                    }
                }
            };
            if naming.reads_whole_config() {
                apply(&mut config);
                return (config, true);
            }
            let before = naming_inputs(&config);
            apply(&mut config);
            let renamed = naming_inputs(&config) != before;
            (config, renamed)
        })
        .unzip()
}

/// Reports (FC0011) the keys the root project's nodes' `config()` calls
/// set that no resource of their type knows: they are kept, but nothing
/// reads them. A package's nodes are left out: not the user's to fix.
pub(super) fn report_unknown_config_call_keys(
    template_nodes: &[TemplateNode],
    parse_outputs: &[RenderOutput],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (node, output) in template_nodes.iter().zip(parse_outputs) {
        if node.unit != 0 {
            continue;
        }
        check_config_call_keys(
            node.kind,
            output.recorded.config.keys(),
            &node.raw,
            node.file,
            diagnostics,
        );
    }
}

/// What decides, per template node, whether its parse-phase text can be
/// its compiled SQL (see [`render_compile_phase`]).
pub(super) struct ReuseFacts<'a> {
    /// Each node's final config (disabled nodes are not compiled).
    pub(super) configs: &'a [NodeConfig],
    /// Whether the node's `this` is the one the parse phase used.
    pub(super) this_kept: &'a [bool],
    /// Each node's final relation (`None` for tests).
    pub(super) relations: &'a [Option<RelationParts>],
    pub(super) phase_dependent_macros: &'a PhaseDependentMacros<'a>,
    /// Holds the predicted and the real ref tables.
    pub(super) shared: &'a RenderShared,
}

/// The compile phase. A node renders again with the real relations, unless
/// its parse-phase text already is its compiled SQL: the render read
/// nothing that differs between the phases (no `execute`, no warehouse),
/// and every relation it read (`this`, each `ref()`) was named then as it
/// is now. Each compiled template is freed once rendered (`templates` is
/// consumed), so the rendered SQL reuses its memory; the parse-phase text
/// leaves `parse_outputs` either way. `None` for a disabled node or one
/// whose parse render failed.
pub(super) fn render_compile_phase(
    context: &LoadContext,
    template_nodes: &[TemplateNode],
    templates: Vec<CompiledTemplate>,
    parse_outputs: &mut [RenderOutput],
    facts: &ReuseFacts,
) -> Vec<Option<RenderOutput>> {
    let predicted_refs = facts.shared.predicted_refs.get();
    let real_refs = facts.shared.refs.get();
    template_nodes
        .par_iter()
        .zip(templates)
        .zip(parse_outputs)
        .enumerate()
        .map(|(index, ((node, template), parse_output))| {
            if !facts.configs[index].enabled() {
                return None;
            }
            let parse_text = parse_output.result.as_mut().ok()?;
            let recorded = &parse_output.recorded;
            let from = facts
                .shared
                .search_from(Some(&context.units[node.unit].name));
            let same_relation = |call: &crate::project::RefCall| {
                let predicted = predicted_refs.and_then(|table| {
                    table
                        .relations
                        .find(call.package.as_deref(), &call.name, from)
                });
                let real = real_refs.and_then(|table| {
                    table
                        .relations
                        .find(call.package.as_deref(), &call.name, from)
                });
                predicted.is_some() && predicted == real
            };
            let dependent = &facts.phase_dependent_macros;
            // `model.config` was the project's and YAML's config while
            // parsing; the node's own `config()` calls change it after.
            let config_read_changed = !recorded.config.is_empty()
                && (reads_model_config(&node.raw)
                    || recorded.macros.iter().any(|unique_id| {
                        dependent.reading_model_config.contains(unique_id.as_str())
                    }));
            let reusable = !recorded.introspective
                && !recorded.reads_graph
                && !reads_phase(&node.raw)
                && !config_read_changed
                && recorded
                    .macros
                    .iter()
                    .all(|unique_id| !dependent.reading_phase.contains(unique_id.as_str()))
                && facts.this_kept[index]
                && recorded.refs.iter().all(same_relation);
            // Either way the parse-phase text leaves `parse_outputs` now.
            let parse_text = std::mem::take(parse_text);
            if reusable {
                // What the compile phase reports of its render: sources
                // resolve alike in both phases, no ref was missing, and
                // the same warnings were raised.
                return Some(RenderOutput {
                    result: Ok(parse_text),
                    recorded: Recorded {
                        missing_sources: std::mem::take(&mut parse_output.recorded.missing_sources),
                        warnings: std::mem::take(&mut parse_output.recorded.warnings),
                        ..Recorded::default()
                    },
                });
            }
            drop(parse_text);
            // `model.config` as the node's own `config()` calls left it.
            let (template, _) = template?;
            let model = model_value(context, node, &facts.configs[index]);
            let this = facts.relations[index]
                .clone()
                .unwrap_or_else(|| unnamed_this(context, node));
            Some(render_template(
                &template,
                &RenderInput {
                    template_name: &node.original_file_path,
                    source: &node.raw,
                    this,
                    model,
                    execute: true,
                    quote: context.adapter_naming.quote_character(),
                },
                node_render_state(context, node.unit),
                compile_flags(),
            ))
        })
        .collect()
}

/// The `model` value a node's template renders with.
fn model_value(
    context: &LoadContext,
    node: &TemplateNode,
    config: &NodeConfig,
) -> minijinja::Value {
    let unit = &context.units[node.unit];
    crate::render::model_value(&crate::render::ModelFacts {
        kind: node.kind,
        name: node.dbt_name(),
        unique_id: &node.unique_id(&unit.name),
        original_file_path: unit.own_path(&node.original_file_path),
        path: &node.path,
        package_name: &unit.name,
        fqn: &node.fqn,
        config: &config.values,
    })
}

/// The render state of a node: its package decides what its unqualified
/// names find first.
pub(super) fn node_render_state(context: &LoadContext, unit: usize) -> NodeRenderState {
    let unit = &context.units[unit];
    NodeRenderState::in_package((!unit.is_root()).then(|| std::sync::Arc::from(unit.name.as_str())))
}

/// A node's `this` when it has no relation (singular tests).
fn unnamed_this(context: &LoadContext, node: &TemplateNode) -> RelationParts {
    RelationParts {
        database: Some(context.target.database.clone()),
        schema: Some(context.target.schema.clone()),
        identifier: node.name.clone(),
        ephemeral_cte: false,
        quoting: context.relation_quoting,
    }
}

/// Whether a template or macro text reads `model.config` (plain text
/// search, as [`reads_phase`]).
fn reads_model_config(text: &str) -> bool {
    ["model.config", "model['config']", "model[\"config\"]"]
        .iter()
        .any(|word| memchr::memmem::find(text.as_bytes(), word.as_bytes()).is_some())
}

/// Whether a template or macro text may render differently in the compile
/// phase than in the parse phase for reasons other than relation names:
/// it mentions `execute`, or reaches other templates (`import`, `include`,
/// `extends`) whose macro calls are not recorded. Plain text search, so a
/// mention in a comment counts too: a false alarm costs one render.
fn reads_phase(text: &str) -> bool {
    ["execute", "import", "include", "extends"]
        .iter()
        .any(|word| memchr::memmem::find(text.as_bytes(), word.as_bytes()).is_some())
}
