//! Phase: the project graph of sources, seeds and template nodes, with their edges.

use super::jinja_errors::{jinja_diagnostic, JinjaContext};
use super::templates::TemplateNode;
use super::LoadContext;
use crate::config::NodeConfig;
use crate::package_scope::{ByPackage, SearchFrom};
use crate::project::{NodeDetails, RefCall, Rendered, SourceCall, SourceDetails};
use crate::relation::RelationParts;
use crate::render::RenderOutput;
use crate::schema_yaml::ColumnInfo;
use crate::schema_yaml::{NodePatch, SourceDecl};
use crate::source_map::LazySourceMap;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic};
use fusion_ir::graph::{Dependency, Node, NodeId, NodeKind, ProjectGraph};
use fusion_ir::name::Name;
use fusion_ir::schema::RelationName;
use fusion_ir::span::{FileId, SourceFiles, Span};
use rayon::prelude::*;
use std::sync::Arc;

/// The graph as it is built, with the node details parallel to its nodes
/// and the names edges are found by.
pub(super) struct GraphBuilder {
    pub(super) graph: ProjectGraph,
    /// Per graph node details, indexed by [`NodeId`].
    pub(super) nodes: Vec<NodeDetails>,
    /// Models, snapshots and seeds by package and name: what `ref()`
    /// reaches (the first node of a name duplicated in one package).
    pub(super) ids_by_name: ByPackage<NodeId>,
    /// Source tables by package and `source.table`.
    pub(super) source_ids: ByPackage<NodeId>,
}

/// The outputs of the render phases for each template node, in template
/// order. They are consumed by the graph: nothing after it reads them, and
/// moving them saves a copy per node.
pub(super) struct TemplateNodeOutputs {
    pub(super) configs: Vec<NodeConfig>,
    pub(super) parse_outputs: Vec<RenderOutput>,
    pub(super) compile_outputs: Vec<Option<RenderOutput>>,
    pub(super) relations: Vec<Option<RelationParts>>,
}

/// What a template node's render errors and missing names are reported with.
pub(super) struct NodeErrorContext<'a> {
    pub(super) jinja_context: &'a JinjaContext,
    /// The names `ref()` can read, sorted.
    pub(super) refable_names: &'a [String],
    pub(super) source_decls: &'a [SourceDecl],
}

/// One template node's share of [`TemplateNodeOutputs`], with the columns
/// of its YAML entry.
struct TemplateNodeOutput {
    config: NodeConfig,
    parse_output: RenderOutput,
    compile_output: Option<RenderOutput>,
    relation: Option<RelationParts>,
    columns: Vec<ColumnInfo>,
}

impl GraphBuilder {
    /// An empty graph with room for every node, the generic tests (added
    /// last) included: node details are large, and growing the list by
    /// doubling would copy every node several times (tens of megabytes on a
    /// large project).
    pub(super) fn with_room_for(
        template_nodes: &[TemplateNode],
        seed_nodes: &[NodeDetails],
        source_decls: &[SourceDecl],
        model_patches: &ByPackage<NodePatch>,
        seed_patches: &ByPackage<NodePatch>,
    ) -> GraphBuilder {
        let expected_tests: usize = model_patches
            .values()
            .chain(seed_patches.values())
            .map(|patch| patch.tests.len())
            .chain(
                source_decls
                    .iter()
                    .flat_map(|source| source.tables.iter().map(|table| table.tests.len())),
            )
            .sum();
        let expected_nodes = source_decls
            .iter()
            .map(|source| source.tables.len())
            .sum::<usize>()
            + seed_nodes.len()
            + template_nodes.len()
            + expected_tests;
        let mut graph = ProjectGraph::default();
        graph.reserve_nodes(expected_nodes);
        GraphBuilder {
            graph,
            nodes: Vec::with_capacity(expected_nodes),
            ids_by_name: ByPackage::default(),
            source_ids: ByPackage::default(),
        }
    }

    fn add_node(&mut self, details: NodeDetails) -> NodeId {
        let id = self.graph.add_node(graph_node(&details));
        self.nodes.push(details);
        id
    }

    /// Adds a node per source table. Their columns and docs blocks move
    /// into the nodes: only the node reads them from here on.
    pub(super) fn add_sources(&mut self, context: &LoadContext, source_decls: &mut [SourceDecl]) {
        let target = &context.target;
        for source in source_decls {
            let project_name = &source.package;
            for table in &mut source.tables {
                let details = NodeDetails {
                    kind: NodeKind::Source,
                    name: table.name.clone(),
                    unique_id: format!("source.{project_name}.{}.{}", source.name, table.name),
                    package_name: project_name.clone(),
                    fqn: vec![
                        project_name.clone(),
                        source.name.clone(),
                        table.name.clone(),
                    ],
                    original_file_path: source.yaml_path.clone(),
                    path: source.yaml_path.clone(),
                    file: Some(source.file),
                    raw_code: Arc::from(""),
                    raw_code_body: None,
                    checksum: String::new(),
                    config: NodeConfig {
                        values: super::sources::source_config_as_dbt(&table.config),
                    },
                    description: table.description.clone(),
                    doc_blocks: std::mem::take(&mut table.doc_blocks),
                    patch_path: None,
                    // Only the node reads a source table's columns from here on.
                    columns: std::mem::take(&mut table.columns),
                    refs: Vec::new(),
                    sources: Vec::new(),
                    macros_called: Vec::new(),
                    depends_on_macros: Vec::new(),
                    rendered: None,
                    introspective: false,
                    database: Some(
                        source
                            .database
                            .clone()
                            .unwrap_or_else(|| target.database.clone()),
                    ),
                    schema: Some(source.schema.clone()),
                    alias: table.identifier.clone(),
                    quoting: super::sources::source_quoting(
                        context,
                        &source.quoting,
                        &table.quoting,
                    ),
                    seed_columns: Vec::new(),
                    source: Some(SourceDetails {
                        source_name: source.name.clone(),
                        table_name: table.name.clone(),
                        table_name_span: table.name_span,
                        identifier: table.identifier.clone(),
                        loader: source.loader.clone(),
                        source_description: source.description.clone(),
                        quoting: source.quoting.merged(&table.quoting),
                    }),
                    test: None,
                    version: None,
                    latest_version: None,
                    deprecation_date: None,
                    time_spine: None,
                };
                let key = format!("{}.{}", source.name, table.name);
                let unique = self
                    .nodes
                    .iter()
                    .rev()
                    .all(|node| node.unique_id != details.unique_id);
                if !unique {
                    // A table declared twice in one package: dbt refuses
                    // the project; the first declaration is kept.
                    continue;
                }
                let id = self.add_node(details);
                let _ = self.source_ids.insert(project_name, &key, id);
            }
        }
    }

    /// Adds the seeds; a seed named like an earlier node is reported.
    pub(super) fn add_seeds(
        &mut self,
        seed_nodes: Vec<NodeDetails>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        for seed in seed_nodes {
            let (name, package) = (seed.name.clone(), seed.package_name.clone());
            let file = seed.file;
            let id = self.add_node(seed);
            if let Err((_, &previous)) = self.ids_by_name.insert(&package, &name, id) {
                diagnostics.push(duplicate_diagnostic(
                    &name,
                    &self.nodes[previous.index()],
                    file,
                ));
            }
        }
    }

    /// Adds the enabled template nodes and their edges. Each enabled model
    /// takes its patch's columns (the generic tests read the patch's own
    /// test list); each node is built in parallel, and the nodes, compiled
    /// files and names are registered after, in order.
    #[expect(
        clippy::too_many_arguments,
        reason = "each is one phase output the graph consumes"
    )]
    pub(super) fn add_template_nodes(
        &mut self,
        context: &LoadContext,
        template_nodes: &[TemplateNode],
        outputs: TemplateNodeOutputs,
        model_patches: &mut ByPackage<NodePatch>,
        errors: &NodeErrorContext,
        files: &mut SourceFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let TemplateNodeOutputs {
            configs,
            parse_outputs,
            compile_outputs,
            relations,
        } = outputs;
        let patch_columns: Vec<Vec<ColumnInfo>> = template_nodes
            .iter()
            .zip(&configs)
            .map(|(node, config)| {
                if node.kind != NodeKind::Model || !config.enabled() {
                    return Vec::new();
                }
                model_patches
                    .get_in_mut(&context.units[node.unit].name, &node.name)
                    .map(|patch| std::mem::take(&mut patch.columns))
                    .unwrap_or_default()
            })
            .collect();
        let model_patches = &*model_patches;
        let shared_files = &*files;
        let built: Vec<Option<BuiltTemplateNode>> = configs
            .into_par_iter()
            .zip(parse_outputs)
            .zip(compile_outputs)
            .zip(relations)
            .zip(patch_columns)
            .zip(template_nodes)
            .map(
                |(((((config, parse_output), compile_output), relation), columns), node)| {
                    build_template_node(
                        context,
                        node,
                        TemplateNodeOutput {
                            config,
                            parse_output,
                            compile_output,
                            relation,
                            columns,
                        },
                        model_patches,
                        errors,
                        shared_files,
                    )
                },
            )
            .collect();
        let template_ids =
            self.register_template_nodes(context, template_nodes, built, files, diagnostics);
        self.add_template_edges(context, template_nodes, &template_ids);
    }

    /// Registers each built node with its compiled file, in template order;
    /// its id, `None` for a disabled node.
    fn register_template_nodes(
        &mut self,
        context: &LoadContext,
        template_nodes: &[TemplateNode],
        built: Vec<Option<BuiltTemplateNode>>,
        files: &mut SourceFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<Option<NodeId>> {
        let mut template_ids: Vec<Option<NodeId>> = Vec::with_capacity(template_nodes.len());
        for (node, built) in template_nodes.iter().zip(built) {
            let Some(BuiltTemplateNode {
                mut details,
                rendered,
                diagnostics: node_diagnostics,
            }) = built
            else {
                template_ids.push(None);
                continue;
            };
            diagnostics.extend(node_diagnostics);
            details.rendered = rendered.map(|(sql, compiled_path, source_map)| Rendered {
                file: files.add(compiled_path, sql.clone()),
                sql,
                source_map,
            });
            let id = self.add_node(details);
            // Models and snapshots are what `ref()` names (seeds are added below).
            if matches!(node.kind, NodeKind::Model | NodeKind::Snapshot) {
                let package = &context.units[node.unit].name;
                if let Err((_, &previous)) = self.ids_by_name.insert(package, &node.name, id) {
                    diagnostics.push(duplicate_diagnostic(
                        &node.name,
                        &self.nodes[previous.index()],
                        Some(node.file),
                    ));
                }
                // A model's latest version is also what its name reaches.
                if let Some(version) = node
                    .version
                    .as_ref()
                    .filter(|version| version.version == version.latest)
                {
                    let _ = self.ids_by_name.insert(package, &version.model_name, id);
                }
            }
            template_ids.push(Some(id));
        }
        template_ids
    }

    /// Each template's parents, and where its `ref`/`source` calls are
    /// written, are found in parallel; the edges are added in order.
    fn add_template_edges(
        &mut self,
        context: &LoadContext,
        template_nodes: &[TemplateNode],
        template_ids: &[Option<NodeId>],
    ) {
        let root_package = context.project_name.as_str();
        let template_parents: Vec<Vec<(NodeId, Span)>> = template_nodes
            .par_iter()
            .enumerate()
            .map(|(index, node)| {
                let Some(child) = template_ids[index] else {
                    return Vec::new();
                };
                let details = &self.nodes[child.index()];
                let from = SearchFrom {
                    node_package: &details.package_name,
                    root_package,
                };
                let mut parents = Vec::new();
                for call in &details.refs {
                    if let Some(&parent) =
                        self.ids_by_name
                            .find(call.package.as_deref(), &call.lookup_name(), from)
                    {
                        let span = ref_call_span(&node.raw, call).unwrap_or(Span::EMPTY);
                        parents.push((parent, span));
                    }
                }
                for call in &details.sources {
                    if let Some(&parent) = self.source_ids.find(
                        None,
                        &format!("{}.{}", call.source_name, call.table_name),
                        from,
                    ) {
                        let span = call_span(&node.raw, "source", &call.source_name)
                            .unwrap_or(Span::EMPTY);
                        parents.push((parent, span));
                    }
                }
                parents
            })
            .collect();
        for (index, parents) in template_parents.into_iter().enumerate() {
            let Some(child) = template_ids[index] else {
                continue;
            };
            for (parent, span) in parents {
                self.graph.add_dependency(
                    parent,
                    child,
                    Dependency {
                        file: Some(template_nodes[index].file),
                        span,
                    },
                );
            }
        }
    }
}

/// A template node's record, built on its own (in parallel); `None` when
/// it is disabled.
fn build_template_node(
    context: &LoadContext,
    node: &TemplateNode,
    output: TemplateNodeOutput,
    model_patches: &ByPackage<NodePatch>,
    errors: &NodeErrorContext,
    files: &SourceFiles,
) -> Option<BuiltTemplateNode> {
    let TemplateNodeOutput {
        config,
        parse_output,
        compile_output,
        relation,
        columns,
    } = output;
    if !config.enabled() {
        return None;
    }
    let unit = &context.units[node.unit];
    let project_name = &unit.name;
    let own_path = unit.own_path(&node.original_file_path);
    let mut node_diagnostics = Vec::new();
    let mut refs = parse_output.recorded.refs;
    let mut sources = parse_output.recorded.sources;
    let mut macros_called = parse_output.recorded.macros;
    let depends_on_macros = parse_output.recorded.direct_macros;
    let mut introspective = parse_output.recorded.introspective;
    let mut rendered = None;
    // A node's `exceptions.warn` calls: those of its final render.
    let mut warnings = parse_output.recorded.warnings;
    match (&parse_output.result, compile_output) {
        (Err(error), _) => node_diagnostics.push(jinja_diagnostic(
            error,
            errors.jinja_context,
            files,
            node.file,
        )),
        (Ok(_), Some(output)) => {
            warnings = output.recorded.warnings;
            for call in output.recorded.refs {
                if !refs.contains(&call) {
                    refs.push(call);
                }
            }
            for call in output.recorded.sources {
                if !sources.contains(&call) {
                    sources.push(call);
                }
            }
            for unique_id in output.recorded.macros {
                if !macros_called.contains(&unique_id) {
                    macros_called.push(unique_id);
                }
            }
            introspective |= output.recorded.introspective;
            for missing in &output.recorded.missing_refs {
                node_diagnostics.push(missing_ref_diagnostic(missing, node, errors.refable_names));
            }
            for missing in &output.recorded.missing_sources {
                node_diagnostics.push(missing_source_diagnostic(
                    missing,
                    node,
                    errors.source_decls,
                ));
            }
            match output.result {
                Ok(sql) => {
                    let compiled_path = format!(
                        "{}/compiled/{project_name}/{own_path}",
                        context.settings.target_path
                    );
                    let sql = Arc::<str>::from(sql);
                    let source_map = LazySourceMap::new(node.raw.clone(), sql.clone());
                    rendered = Some((sql, compiled_path, source_map));
                }
                // A node that reads the warehouse rendered with
                // empty results here; its failure says nothing
                // yet. It is rendered again just in time, with
                // real results.
                Err(_) if output.recorded.introspective => {}
                Err(error) => node_diagnostics.push(jinja_diagnostic(
                    &error,
                    errors.jinja_context,
                    files,
                    node.file,
                )),
            }
        }
        (Ok(_), None) => {}
    }
    for message in warnings {
        node_diagnostics.push(
            Diagnostic::new(Code::JinjaWarning, message).with_primary(
                node.file,
                // The call, when the node's own text makes it (else a macro did).
                node.raw
                    .find("exceptions.warn")
                    .map_or(Span::EMPTY, |start| {
                        Span::from_range(start..start + "exceptions.warn".len())
                    }),
                "warned while rendering this node",
            ),
        );
    }
    let patch = model_patches
        .get_in(project_name, &node.name)
        .filter(|_| node.kind == NodeKind::Model);
    let details = NodeDetails {
        kind: node.kind,
        // A version of a model is named by its model, and its unique id
        // ends with the version (`model.shop.customers.v2`).
        name: node.dbt_name().to_string(),
        unique_id: node.unique_id(project_name),
        package_name: project_name.clone(),
        fqn: node.fqn.clone(),
        original_file_path: own_path.to_string(),
        path: node.path.clone(),
        file: Some(node.file),
        raw_code: node.raw.clone(),
        raw_code_body: node.body.clone(),
        checksum: node.checksum.clone(),
        config,
        description: patch
            .map(|patch| patch.description.clone())
            .unwrap_or_default(),
        doc_blocks: patch
            .map(|patch| patch.doc_blocks.clone())
            .unwrap_or_default(),
        patch_path: patch.map(|patch| format!("{project_name}://{}", patch.yaml_path)),
        columns,
        refs,
        sources,
        macros_called,
        depends_on_macros,
        rendered: None,
        introspective,
        database: relation
            .as_ref()
            .and_then(|relation| relation.database.clone()),
        schema: relation
            .as_ref()
            .and_then(|relation| relation.schema.clone()),
        quoting: relation
            .as_ref()
            .map_or(context.relation_quoting, |relation| relation.quoting),
        alias: relation.map_or_else(|| node.name.clone(), |relation| relation.identifier),
        seed_columns: Vec::new(),
        source: None,
        test: None,
        version: node.version.as_ref().map(|version| version.version.clone()),
        latest_version: node.version.as_ref().map(|version| version.latest.clone()),
        deprecation_date: patch.and_then(|patch| patch.deprecation_date.clone()),
        time_spine: patch.and_then(|patch| patch.time_spine.clone()),
    };
    Some(BuiltTemplateNode {
        details,
        rendered,
        diagnostics: node_diagnostics,
    })
}

/// The span of the first call `function('name'` (either quote) in `text`.
/// Where a `ref()` call is written: the first call naming its model (or
/// package) whose version argument, or lack of one, matches the call's.
fn ref_call_span(text: &str, call: &RefCall) -> Option<Span> {
    let first_argument = call.package.as_deref().unwrap_or(&call.name);
    let mut first = None;
    let mut search_from = 0usize;
    while let Some(span) = text
        .get(search_from..)
        .and_then(|rest| call_span(rest, "ref", first_argument))
    {
        let span = Span::new(
            span.start + search_from as u32,
            span.end + search_from as u32,
        );
        first.get_or_insert(span);
        let written: String = text[span.start as usize..span.end as usize]
            .chars()
            .filter(|character| !character.is_whitespace() && !matches!(character, '\'' | '"'))
            .collect();
        let matches = match &call.version {
            Some(version) => {
                written.contains(&format!("v={version})"))
                    || written.contains(&format!("version={version})"))
                    || written.contains(&format!("v={version},"))
                    || written.contains(&format!("version={version},"))
            }
            None => !written.contains("v=") && !written.contains("version="),
        };
        if matches {
            return Some(span);
        }
        search_from = span.end as usize;
    }
    first
}

fn call_span(text: &str, function: &str, first_argument: &str) -> Option<Span> {
    let mut search_from = 0usize;
    while let Some(found) = text[search_from..].find(function) {
        let start = search_from + found;
        let after = text[start + function.len()..].trim_start();
        let preceded_ok = start == 0
            || !text.as_bytes()[start - 1].is_ascii_alphanumeric()
                && text.as_bytes()[start - 1] != b'_';
        if preceded_ok {
            if let Some(arguments) = after.strip_prefix('(') {
                let arguments = arguments.trim_start();
                for quote in ['\'', '"'] {
                    let needle = format!("{quote}{first_argument}{quote}");
                    if arguments.starts_with(&needle) {
                        let end = text[start..]
                            .find(')')
                            .map_or(text.len(), |close| start + close + 1);
                        return Some(Span::from_range(start..end));
                    }
                }
            }
        }
        search_from = start + function.len();
    }
    None
}

/// A template node built on its own (in parallel): its record, its
/// rendered SQL with the path of its compiled file (registered in order
/// after), and its diagnostics.
struct BuiltTemplateNode {
    details: NodeDetails,
    rendered: Option<(Arc<str>, String, LazySourceMap)>,
    diagnostics: Vec<Diagnostic>,
}

/// The project graph's record of a node.
pub(super) fn graph_node(details: &NodeDetails) -> Node {
    let relation = match (details.kind, &details.database, &details.schema) {
        (NodeKind::Test, _, _) => None,
        (_, database, schema) => Some(RelationName {
            database: database.as_deref().map(Name::new),
            schema: schema.as_deref().map(Name::new),
            identifier: Name::new(&details.alias),
        }),
    };
    Node {
        unique_id: details.unique_id.clone(),
        kind: details.kind,
        name: Name::new(&details.name),
        package_name: Name::new(&details.package_name),
        relation,
        file: details.file,
    }
}

fn duplicate_diagnostic(name: &str, previous: &NodeDetails, file: Option<FileId>) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::DuplicateNode,
        format!(
            "two nodes are named `{name}`: {} and this one",
            previous.original_file_path
        ),
    )
    .with_help("rename one of them: ref() needs names to be unique");
    if let Some(file) = file {
        diagnostic = diagnostic.at(file, Span::EMPTY);
    }
    if let Some(previous_file) = previous.file {
        diagnostic = diagnostic.with_secondary(previous_file, Span::EMPTY, "first defined here");
    }
    diagnostic
}

fn missing_ref_diagnostic(
    call: &RefCall,
    node: &TemplateNode,
    refable_names: &[String],
) -> Diagnostic {
    let span = ref_call_span(&node.raw, call).unwrap_or(Span::EMPTY);
    if let Some(version) = &call.version {
        // dbt refuses a version of a model that has no such version (or
        // none at all).
        let known = refable_names.iter().any(|name| name == &call.name);
        return Diagnostic::new(
            Code::RefNotFound,
            format!(
                "`{}` refers to version {version} of `{}`, which {}",
                node.name,
                call.name,
                if known {
                    "has no such version"
                } else {
                    "is not a model of the project"
                }
            ),
        )
        .with_primary(node.file, span, "no node with this name and version")
        .with_help(format!(
            "declare the version under `versions:` of `{}` in YAML, or drop `v=`",
            call.name
        ));
    }
    let mut diagnostic = Diagnostic::new(
        Code::RefNotFound,
        format!(
            "`{}` refers to `{}`, which is not a model, seed or snapshot of the project",
            node.name, call.name
        ),
    )
    .with_primary(node.file, span, "no node with this name");
    match closest_name(&call.name, refable_names.iter().map(String::as_str)) {
        Some(close) => diagnostic = diagnostic.with_help(format!("did you mean `{close}`?")),
        None => diagnostic = diagnostic.with_help("check the model name, or add the model"),
    }
    diagnostic
}

fn missing_source_diagnostic(
    call: &SourceCall,
    node: &TemplateNode,
    sources: &[SourceDecl],
) -> Diagnostic {
    let span = call_span(&node.raw, "source", &call.source_name).unwrap_or(Span::EMPTY);
    let mut diagnostic = Diagnostic::new(
        Code::SourceNotFound,
        format!(
            "`{}` reads source `{}.{}`, which is not declared",
            node.name, call.source_name, call.table_name
        ),
    )
    .with_primary(node.file, span, "no such source table");
    let declared: Vec<String> = sources
        .iter()
        .flat_map(|source| {
            source
                .tables
                .iter()
                .map(move |table| format!("{}.{}", source.name, table.name))
        })
        .collect();
    let wanted = format!("{}.{}", call.source_name, call.table_name);
    match closest_name(&wanted, declared.iter().map(String::as_str)) {
        Some(close) => diagnostic = diagnostic.with_help(format!("did you mean `{close}`?")),
        None => {
            diagnostic = diagnostic.with_help(format!(
                "declare it in a schema file under `sources:` (name: {}, tables: [{}])",
                call.source_name, call.table_name
            ))
        }
    }
    diagnostic
}

/// A node whose compile render read `graph` before the project was
/// loaded: which template it is, its unique id and its compiled file.
pub(super) struct DeferredRender {
    template: usize,
    unique_id: String,
    compiled_path: String,
}

/// The deferred renders of the template nodes at `deferred` (indexes).
pub(super) fn deferred_renders(
    context: &LoadContext,
    template_nodes: &[TemplateNode],
    deferred: &[usize],
) -> Vec<DeferredRender> {
    deferred
        .iter()
        .map(|&template| {
            let node = &template_nodes[template];
            let unit = &context.units[node.unit];
            DeferredRender {
                template,
                unique_id: node.unique_id(&unit.name),
                compiled_path: format!(
                    "{}/compiled/{}/{}",
                    context.settings.target_path,
                    unit.name,
                    unit.own_path(&node.original_file_path)
                ),
            }
        })
        .collect()
}

/// Renders the deferred nodes with the loaded project's `graph`, as the
/// compile phase renders: their SQL, the macros they call, whether they
/// read the warehouse, and their errors. (The `ref()` calls only this
/// render makes add no edge: dbt's dependencies are those it parses.)
pub(super) fn render_deferred_nodes(
    project: &mut crate::project::Project,
    template_nodes: &[TemplateNode],
    deferred: Vec<DeferredRender>,
    errors: &NodeErrorContext,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for render in deferred {
        let Some(id) = project.find_by_unique_id(&render.unique_id) else {
            continue;
        };
        let Some(output) = project.render_at_compile_time(project.details(id)) else {
            continue;
        };
        let node = &template_nodes[render.template];
        let details = &mut project.nodes[id.index()];
        for unique_id in output.recorded.macros {
            if !details.macros_called.contains(&unique_id) {
                details.macros_called.push(unique_id);
            }
        }
        details.introspective |= output.recorded.introspective;
        for missing in &output.recorded.missing_refs {
            diagnostics.push(missing_ref_diagnostic(missing, node, errors.refable_names));
        }
        for missing in &output.recorded.missing_sources {
            diagnostics.push(missing_source_diagnostic(
                missing,
                node,
                errors.source_decls,
            ));
        }
        for message in output.recorded.warnings {
            diagnostics.push(Diagnostic::new(Code::JinjaWarning, message).with_primary(
                node.file,
                Span::EMPTY,
                "warned while rendering this node",
            ));
        }
        match output.result {
            Ok(sql) => {
                let sql = Arc::<str>::from(sql);
                details.rendered = Some(Rendered {
                    file: files.add(render.compiled_path, sql.clone()),
                    source_map: LazySourceMap::new(node.raw.clone(), sql.clone()),
                    sql,
                });
            }
            Err(_) if output.recorded.introspective => {}
            Err(error) => diagnostics.push(jinja_diagnostic(
                &error,
                errors.jinja_context,
                files,
                node.file,
            )),
        }
    }
}

/// Sets aside the compile renders that read `graph` before it existed:
/// those nodes are rendered again once the project, and so its graph, is
/// loaded. Returns their template indexes.
pub(super) fn set_graph_readers_aside(compile_outputs: &mut [Option<RenderOutput>]) -> Vec<usize> {
    compile_outputs
        .iter_mut()
        .enumerate()
        .filter_map(|(index, output)| {
            let reads_graph = output
                .as_ref()
                .is_some_and(|output| output.recorded.reads_graph);
            reads_graph.then(|| {
                *output = None;
                index
            })
        })
        .collect()
}
