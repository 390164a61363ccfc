//! Phases: the configs and relation names of nodes, before and after their own `config()` calls.

use super::project::{project_file_layers, TreeOf};
use super::templates::TemplateNode;
use super::LoadContext;
use crate::config::{Materialization, NodeConfig};
use crate::jinja::{error_message, failure_of};
use crate::package_scope::ByPackage;
use crate::project::NodeDetails;
use crate::relation::RelationParts;
use crate::render_state::{RefTable, RenderShared};
use crate::schema_yaml::NodePatch;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::graph::NodeKind;
use fusion_ir::span::{FileId, Span};
use rayon::prelude::*;
use serde_json::Value;

/// A node's relation and what naming it reported (none for tests).
pub(super) type Named = Option<(RelationParts, Vec<Diagnostic>)>;

/// What dbt_project.yml and the schema YAML say of each template node,
/// before the node's own `config()` calls: enough to name most relations
/// before any template renders (see the parse phase).
pub(super) fn base_configs(
    context: &LoadContext,
    template_nodes: &[TemplateNode],
    model_patches: &ByPackage<NodePatch>,
) -> Vec<NodeConfig> {
    template_nodes
        .par_iter()
        .map(|node| {
            let unit = &context.units[node.unit];
            let (tree_of, default_materialized): (TreeOf, _) = match node.kind {
                NodeKind::Test => (|settings| &settings.tests, Materialization::Test),
                NodeKind::Analysis => (|_| &Value::Null, Materialization::View),
                NodeKind::Snapshot => (|settings| &settings.snapshots, Materialization::Snapshot),
                _ => (|settings| &settings.models, Materialization::View),
            };
            let mut config = NodeConfig::default();
            config.values.insert(
                "materialized".into(),
                Value::String(default_materialized.name().into()),
            );
            let (own_layers, root_layers) = project_file_layers(context, unit, tree_of, &node.fqn);
            for layer in &own_layers {
                config.apply(layer);
            }
            if let Some(patch) = model_patches
                .get_in(&unit.name, &node.name)
                .filter(|_| node.kind == NodeKind::Model)
            {
                config.apply(&patch.config);
            }
            // A package's node: the root project's file has the last word
            // (applied again after the node's `config()` calls).
            for layer in &root_layers {
                config.apply(layer);
            }
            config
        })
        .collect()
}

/// The names `ref()` can read, sorted (for "did you mean").
pub(super) fn refable_names(ref_table: &RefTable) -> Vec<String> {
    let mut names: Vec<String> = ref_table.relations.names().cloned().collect();
    names.sort();
    names
}

/// The relation `ref()` reads for each model, snapshot and seed name, given
/// the nodes' configs and relations (the first of a duplicated name wins,
/// as the graph reports the others).
pub(super) fn ref_table_of<'a>(
    context: &LoadContext,
    template_nodes: &[TemplateNode],
    configs: &[NodeConfig],
    relations: impl Iterator<Item = Option<&'a RelationParts>>,
    seeds: &[NodeDetails],
    seed_relations: &[RelationParts],
) -> RefTable {
    let mut table = RefTable::default();
    for ((node, config), relation) in template_nodes.iter().zip(configs).zip(relations) {
        let Some(relation) = relation else {
            continue;
        };
        if matches!(node.kind, NodeKind::Model | NodeKind::Snapshot) && config.enabled() {
            let read_as = if config.materialization() == Materialization::Ephemeral {
                RelationParts::ephemeral(&node.name)
            } else {
                relation.clone()
            };
            let package = &context.units[node.unit].name;
            if let Some(version) = node
                .version
                .as_ref()
                .filter(|version| version.version == version.latest)
            {
                let _ = table
                    .relations
                    .insert(package, &version.model_name, read_as.clone());
            }
            let _ = table.relations.insert(package, &node.name, read_as);
        }
    }
    for (seed, relation) in seeds.iter().zip(seed_relations) {
        let _ = table
            .relations
            .insert(&seed.package_name, &seed.name, relation.clone());
    }
    table
}

/// Schema and alias naming: dbt's defaults, or the project's own
/// `generate_schema_name` / `generate_alias_name` / `generate_database_name`.
pub(super) struct RelationNaming<'a> {
    target: &'a crate::profiles::Target,
    /// `generate_schema_name`, `generate_alias_name` and
    /// `generate_database_name` calls, compiled once, for the macros the
    /// project overrides.
    overrides: [Option<minijinja::Template<'a, 'a>>; 3],
    /// The same for each installed package that defines its own: dbt
    /// names a package's nodes with the package's `generate_x_name` when
    /// it has one (`find_generate_macro_by_name` with the package).
    /// (Rendered from text when used: few nodes have them.)
    package_overrides: Vec<(String, [Option<String>; 3])>,
    environment: &'a minijinja::Environment<'static>,
    /// Which parts of the names are quoted (the project's policy).
    quoting: crate::quoting::QuotePolicy,
}

/// The macros that name a node's relation, in the order of
/// `RelationNaming::overrides`.
const NAMING_MACROS: [&str; 3] = [
    "generate_schema_name",
    "generate_alias_name",
    "generate_database_name",
];

/// The config keys a relation's name is made of when no override macro
/// reads the whole config (see `RelationNaming::relation`).
const NAMING_KEYS: [&str; 5] = [
    "schema",
    "alias",
    "database",
    "target_schema",
    "target_database",
];

/// The values of a config's `NAMING_KEYS`.
pub(super) fn naming_inputs(config: &NodeConfig) -> [Option<Value>; 5] {
    NAMING_KEYS.map(|key| config.get(key).cloned())
}

impl<'a> RelationNaming<'a> {
    /// True when the project overrides a naming macro: the macro sees the
    /// node's whole config, so any config may change a name.
    pub(super) fn reads_whole_config(&self) -> bool {
        self.overrides.iter().any(Option::is_some) || !self.package_overrides.is_empty()
    }

    pub(super) fn new(
        environment: &'a minijinja::Environment<'static>,
        shared: &'a RenderShared,
        target: &'a crate::profiles::Target,
    ) -> Self {
        const CALLS: [&str; 3] = [
            "{{ generate_schema_name(custom_name, node) }}",
            "{{ generate_alias_name(custom_name, node) }}",
            "{{ generate_database_name(custom_name, node) }}",
        ];
        // dbt's own macros of these names are the default naming, which
        // the loader does natively; a macro of the project (or of a
        // package, below) overrides it. dbt's own `generate_x_name`
        // dispatches in the `dbt` namespace, which searches the root project
        // first: a root project that defines `default__generate_x_name` (or
        // the adapter's) overrides it too.
        let root_prefix = format!("macro.{}.", shared.project_name);
        let root_defines = |name: &str| {
            shared
                .macros
                .get(name)
                .is_some_and(|entry| entry.unique_id.starts_with(&root_prefix))
        };
        const DISPATCHED_CALLS: [&str; 3] = [
            "{{ adapter.dispatch('generate_schema_name', 'dbt')(custom_name, node) }}",
            "{{ adapter.dispatch('generate_alias_name', 'dbt')(custom_name, node) }}",
            "{{ adapter.dispatch('generate_database_name', 'dbt')(custom_name, node) }}",
        ];
        let overrides = std::array::from_fn(|index| {
            let name = NAMING_MACROS[index];
            let project_defines = shared
                .macros
                .get(name)
                .is_some_and(|entry| entry.unique_id != format!("macro.dbt.{name}"));
            let call = if project_defines {
                CALLS[index]
            } else if root_defines(&format!("default__{name}"))
                || root_defines(&format!("{}__{name}", shared.adapter_type))
            {
                DISPATCHED_CALLS[index]
            } else {
                return None;
            };
            environment.template_from_str(call).ok()
        });
        let package_overrides = shared
            .packages
            .iter()
            .filter_map(|package| {
                let calls: [Option<String>; 3] = std::array::from_fn(|index| {
                    let qualified = format!("{package}.{}", NAMING_MACROS[index]);
                    shared
                        .macros
                        .contains_key(&qualified)
                        .then(|| CALLS[index].replacen("{{ ", &format!("{{{{ {package}."), 1))
                });
                calls
                    .iter()
                    .any(Option::is_some)
                    .then(|| (package.clone(), calls))
            })
            .collect();
        RelationNaming {
            quoting: shared.relation_quoting,
            target,
            overrides,
            package_overrides,
            environment,
        }
    }

    /// Each template node's relation as its project and YAML configs name
    /// it. The parse phase renders `ref()` and `this` with these names; a
    /// node whose own `config()` calls leave every name it read unchanged,
    /// and whose render cannot tell the phases apart otherwise, keeps its
    /// parse-phase text as its compiled SQL instead of being rendered a
    /// second time.
    pub(super) fn name_template_nodes(
        &self,
        template_nodes: &[TemplateNode],
        base_configs: &[NodeConfig],
    ) -> Vec<Named> {
        template_nodes
            .par_iter()
            .zip(base_configs)
            .map(|(node, config)| self.name_template_node(node, config))
            .collect()
    }

    /// Names each seed's relation (seeds have no template: their names are
    /// final now), and returns the relations in seed order.
    pub(super) fn name_seeds(
        &self,
        seed_nodes: &mut [NodeDetails],
        project_file: FileId,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<RelationParts> {
        let mut seed_relations: Vec<RelationParts> = Vec::with_capacity(seed_nodes.len());
        for seed in seed_nodes {
            let relation = self.relation(
                NodeKind::Seed,
                &seed.name,
                &seed.config,
                &seed.fqn,
                diagnostics,
                seed.file.unwrap_or(project_file),
            );
            seed.database = relation.database.clone();
            seed.schema = relation.schema.clone();
            seed.alias = relation.identifier.clone();
            seed_relations.push(relation);
        }
        seed_relations
    }

    /// Each template node's relation once its own `config()` calls are
    /// applied, and whether it is the one the parse phase used as `this`.
    /// A node whose `config()` calls changed nothing its name is made of
    /// keeps its predicted name.
    pub(super) fn name_after_config_calls(
        &self,
        template_nodes: &[TemplateNode],
        configs: &[NodeConfig],
        renamed: &[bool],
        predicted: Vec<Named>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (Vec<Option<RelationParts>>, Vec<bool>) {
        let (named, this_kept): (Vec<Named>, Vec<bool>) = template_nodes
            .par_iter()
            .zip(configs)
            .zip(renamed)
            .zip(predicted)
            .map(|(((node, config), &renamed), predicted)| {
                if !renamed {
                    return (predicted, true);
                }
                let named = self.name_template_node(node, config);
                let kept = match (&named, &predicted) {
                    (Some((real, _)), Some((parse_time, _))) => real == parse_time,
                    (None, None) => true,
                    _ => false,
                };
                (named, kept)
            })
            .unzip();
        let mut template_relations: Vec<Option<RelationParts>> =
            Vec::with_capacity(template_nodes.len());
        for named in named {
            let Some((relation, naming_diagnostics)) = named else {
                template_relations.push(None);
                continue;
            };
            diagnostics.extend(naming_diagnostics);
            template_relations.push(Some(relation));
        }
        (template_relations, this_kept)
    }

    /// A template node's relation with its own diagnostics (none for tests).
    fn name_template_node(&self, node: &TemplateNode, config: &NodeConfig) -> Named {
        (node.kind != NodeKind::Test).then(|| {
            let mut naming_diagnostics = Vec::new();
            let relation = self.relation(
                node.kind,
                &node.name,
                config,
                &node.fqn,
                &mut naming_diagnostics,
                node.file,
            );
            (relation, naming_diagnostics)
        })
    }

    fn call_override(
        &self,
        which: usize,
        custom: Option<&str>,
        node: (&dyn Fn() -> minijinja::Value, Option<&str>),
        diagnostics: &mut Vec<Diagnostic>,
        file: FileId,
    ) -> Option<String> {
        let (node_value, package) = node;
        let own = package.and_then(|package| {
            self.package_overrides
                .iter()
                .find(|(name, _)| name == package)
                .and_then(|(_, calls)| calls[which].as_deref())
        });
        if own.is_none() && self.overrides[which].is_none() {
            return None;
        }
        let macro_name = NAMING_MACROS[which];
        let context = minijinja::context! {
            custom_name => custom.map(minijinja::Value::from).unwrap_or(minijinja::Value::from(())),
            node => node_value(),
        };
        let rendered = match (own, &self.overrides[which]) {
            (Some(call), _) => self.environment.render_str(call, context),
            (None, Some(template)) => template.render(context),
            (None, None) => return None,
        };
        match rendered {
            Ok(text) => Some(text.trim().to_string()),
            Err(error) => {
                let message = match failure_of(&error) {
                    Some(failure) => failure.message.clone(),
                    None => error_message(&error),
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::JinjaRender,
                        format!("{macro_name}() failed: {message}"),
                    )
                    .at(file, Span::EMPTY),
                );
                None
            }
        }
    }

    fn relation(
        &self,
        kind: NodeKind,
        name: &str,
        config: &NodeConfig,
        fqn: &[String],
        diagnostics: &mut Vec<Diagnostic>,
        file: FileId,
    ) -> RelationParts {
        // The `node` the override macros see, made once and only when the
        // project overrides one of them.
        let node_value = std::cell::OnceCell::new();
        let node_value = || {
            node_value
                .get_or_init(|| {
                    crate::jinja::to_value(serde_json::json!({
                        "name": name,
                        "package_name": fqn.first(),
                        "resource_type": kind.resource_type(),
                        "fqn": fqn,
                        "config": Value::Object(config.values.clone()),
                    }))
                })
                .clone()
        };
        let schema = self
            .call_override(
                0,
                config.schema(),
                (&node_value, fqn.first().map(String::as_str)),
                diagnostics,
                file,
            )
            .unwrap_or_else(|| match config.schema() {
                Some(custom) => format!("{}_{}", self.target.schema, custom.trim()),
                None => self.target.schema.clone(),
            });
        let identifier = self
            .call_override(
                1,
                config.alias(),
                (&node_value, fqn.first().map(String::as_str)),
                diagnostics,
                file,
            )
            .unwrap_or_else(|| config.alias().unwrap_or(name).to_string());
        let database = self
            .call_override(
                2,
                config.database(),
                (&node_value, fqn.first().map(String::as_str)),
                diagnostics,
                file,
            )
            .unwrap_or_else(|| {
                config
                    .database()
                    .unwrap_or(&self.target.database)
                    .to_string()
            });
        // Snapshots configured the older way name their schema and database
        // outright, without generate_schema_name.
        let literal = |key: &str| {
            (kind == NodeKind::Snapshot)
                .then(|| config.get(key).and_then(Value::as_str).map(str::to_string))
                .flatten()
        };
        RelationParts {
            database: Some(literal("target_database").unwrap_or(database)),
            schema: Some(literal("target_schema").unwrap_or(schema)),
            identifier,
            ephemeral_cte: false,
            quoting: self.quoting,
        }
    }
}

/// dbt's check that no two relational nodes (models, ephemeral ones
/// included, seeds and snapshots) have the same rendered relation name: it
/// refuses the project (FC2011). Names that differ as text but that the
/// warehouse stores as one relation (Snowflake's unquoted `orgm` and
/// `ORGM`) pass dbt's check, yet one node overwrites the other's table
/// (FC2012, a warning).
pub(super) fn report_shared_relations(
    context: &LoadContext,
    nodes: &[NodeDetails],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let quote = context.adapter_naming.quote_character();
    let case = context.adapter_naming.identifier_case();
    let mut by_rendered: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    let mut by_identity: rustc_hash::FxHashMap<String, usize> = rustc_hash::FxHashMap::default();
    let rendered_of = |details: &NodeDetails| {
        RelationParts {
            database: details.database.clone(),
            schema: details.schema.clone(),
            identifier: details.alias.clone(),
            ephemeral_cte: false,
            quoting: details.quoting,
        }
        .quoted(quote)
    };
    for (index, details) in nodes.iter().enumerate() {
        let relational = matches!(
            details.kind,
            NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot
        );
        if !relational || !details.config.enabled() {
            continue;
        }
        let rendered = rendered_of(details);
        // Two nodes of one name in one package are reported as such
        // (FC2004); that they also share a relation is the same mistake.
        let same_name = |first: &NodeDetails| {
            first.name == details.name && first.package_name == details.package_name
        };
        if let Some(&first) = by_rendered.get(&rendered) {
            let first = &nodes[first];
            if same_name(first) {
                continue;
            }
            diagnostics.push(shared_relation_diagnostic(
                Diagnostic::new(
                    Code::DuplicateRelation,
                    format!(
                        "{} and {} would both write the relation {rendered}",
                        first.unique_id, details.unique_id
                    ),
                )
                .with_help(
                    "give one of them another `alias` or `schema`: dbt refuses a project where \
                     two resources have the same database representation",
                ),
                details,
                first,
            ));
            continue;
        }
        by_rendered.insert(rendered, index);
        // An ephemeral model writes nothing: only dbt's check concerns it.
        if details.is_ephemeral() {
            continue;
        }
        let identity = crate::quoting::relation_identity(
            case,
            details.quoting,
            details.database.as_deref(),
            details.schema.as_deref(),
            &details.alias,
        );
        match by_identity.get(&identity) {
            Some(&first) if same_name(&nodes[first]) => {}
            Some(&first) => {
                let first = &nodes[first];
                let (rendered, first_rendered) = (rendered_of(details), rendered_of(first));
                diagnostics.push(shared_relation_diagnostic(
                    Diagnostic::new(
                        Code::SameWarehouseRelation,
                        format!(
                            "{} writes {rendered} and {} writes {first_rendered}, one relation \
                             in {}: it {}, so one overwrites the other",
                            details.unique_id,
                            first.unique_id,
                            context.target.adapter_type,
                            case.describe()
                        ),
                    )
                    .with_help(
                        "give one of them another `alias` or `schema` (dbt does not notice: it \
                         compares the names as written)",
                    ),
                    details,
                    first,
                ));
            }
            None => {
                by_identity.insert(identity, index);
            }
        }
    }
}

/// Points a shared-relation diagnostic at the later node, with the first
/// as a secondary label.
fn shared_relation_diagnostic(
    mut diagnostic: Diagnostic,
    details: &NodeDetails,
    first: &NodeDetails,
) -> Diagnostic {
    if let Some(file) = details.file {
        diagnostic = diagnostic.at(file, Span::EMPTY);
    }
    if let Some(first_file) = first.file {
        diagnostic = diagnostic.with_secondary(first_file, Span::EMPTY, "the other node");
    }
    diagnostic
}
