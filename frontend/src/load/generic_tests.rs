//! Phase: the generic tests declared in YAML, as nodes of the graph.

use super::graph::{graph_node, GraphBuilder};
use super::jinja_errors::{jinja_diagnostic, JinjaContext};
use super::project::{project_file_layers, ProjectUnit};
use super::LoadContext;
use crate::checksum::generic_test_hash;
use crate::config::{Materialization, NodeConfig};
use crate::package_scope::ByPackage;
use crate::project::{NodeDetails, RefCall, Rendered, SourceCall, TestDetails};
use crate::project_file::ProjectSettings;
use crate::render_state::RenderShared;
use crate::schema_yaml::{NodePatch, SourceDecl, TestSpec};
use crate::source_map::LazySourceMap;
use crate::tests_generic::{
    referenced_model_name, referenced_source, test_node_name, test_short_name, test_sql,
};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic};
use fusion_ir::graph::{Dependency, Node, NodeId, NodeKind};
use fusion_ir::span::{FileId, SourceFiles, Span};
use rayon::prelude::*;
use serde_json::Value;
use std::sync::Arc;

/// The tests of one attached node, as one YAML entry declares them.
pub(super) struct TestGroup {
    /// The unit whose YAML declares the tests (they belong to it).
    unit: usize,
    yaml_path: String,
    attached: NodeId,
    /// The attached node's name in test names (`<source>_<table>` for a source table).
    attached_name: String,
    /// Whether the tests are on a source table (their names start `source_`).
    on_source: bool,
    tests: Vec<TestSpec>,
    file: FileId,
    /// The span of the attached node's name in the YAML: where a test's
    /// dependency points.
    name_span: Span,
}

/// What rendering a test the project or a package defines needs.
pub(super) struct TestRendering<'a> {
    pub(super) environment: &'a minijinja::Environment<'static>,
    pub(super) shared: &'a RenderShared,
    pub(super) jinja_context: &'a JinjaContext,
    /// The names `ref()` can read, sorted (for "did you mean").
    pub(super) refable_names: &'a [String],
}

/// The tests of each node of the graph that has some, ordered by YAML
/// file, then attached node, each node's tests in their written order. The
/// patches and source declarations are not read after this: their test
/// lists are moved out, not copied.
pub(super) fn test_groups(
    context: &LoadContext,
    graph: &GraphBuilder,
    model_patches: &mut ByPackage<NodePatch>,
    seed_patches: &mut ByPackage<NodePatch>,
    source_decls: &mut [SourceDecl],
) -> Vec<TestGroup> {
    let unit_of = |package: &str| {
        context
            .units
            .iter()
            .position(|unit| unit.name == package)
            .unwrap_or(0)
    };
    let mut test_groups: Vec<TestGroup> = Vec::new();
    for patch in model_patches.values_mut().chain(seed_patches.values_mut()) {
        if let Some(&attached) = graph.ids_by_name.get_in(&patch.package, &patch.name) {
            if !patch.tests.is_empty() {
                test_groups.push(TestGroup {
                    unit: unit_of(&patch.package),
                    yaml_path: patch.yaml_path.clone(),
                    attached,
                    attached_name: patch.name.clone(),
                    on_source: false,
                    tests: std::mem::take(&mut patch.tests),
                    file: patch.file,
                    name_span: patch.name_span,
                });
            }
        }
    }
    for source in source_decls {
        for table in &mut source.tables {
            let key = format!("{}.{}", source.name, table.name);
            if let Some(&attached) = graph.source_ids.get_in(&source.package, &key) {
                if !table.tests.is_empty() {
                    test_groups.push(TestGroup {
                        unit: unit_of(&source.package),
                        yaml_path: source.yaml_path.clone(),
                        attached,
                        attached_name: format!("{}_{}", source.name, table.name),
                        on_source: true,
                        tests: std::mem::take(&mut table.tests),
                        file: source.file,
                        name_span: source.name_span,
                    });
                }
            }
        }
    }
    // The groups are sorted (a stable sort), not the tests.
    test_groups.sort_by(|left, right| {
        (
            left.unit,
            left.yaml_path.as_str(),
            left.attached,
            &left.attached_name,
        )
            .cmp(&(
                right.unit,
                right.yaml_path.as_str(),
                right.attached,
                &right.attached_name,
            ))
    });
    test_groups
}

/// Adds a node per generic test, with its compiled file and its edges.
/// Each test is prepared on its own, in parallel (SQL, custom test
/// rendering, config, hash); nodes, files and edges are added after, in
/// order.
pub(super) fn add_generic_tests(
    context: &LoadContext,
    graph: &mut GraphBuilder,
    test_groups: Vec<TestGroup>,
    rendering: &TestRendering,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let test_requests = test_requests(test_groups);
    let graph_so_far = &*graph;
    let shared_files = &*files;
    let prepared: Vec<Option<PreparedTest>> = test_requests
        .into_par_iter()
        .map(|request| prepare_test(context, graph_so_far, request, rendering, shared_files))
        .collect();
    for test in prepared.into_iter().flatten() {
        let PreparedTest {
            node,
            mut details,
            sql,
            diagnostics: test_diagnostics,
            file,
            name_span,
            attached,
            parents,
        } = test;
        diagnostics.extend(test_diagnostics);
        details.rendered = sql.map(|(sql, path)| Rendered {
            file: files.add(path, sql.clone()),
            sql,
            source_map: LazySourceMap::default(),
        });
        let id = graph.graph.add_node(node);
        graph.nodes.push(details);
        for parent in std::iter::once(attached).chain(parents) {
            graph.graph.add_dependency(
                parent,
                id,
                Dependency {
                    file: Some(file),
                    span: name_span,
                },
            );
        }
    }
}

/// Names every test (in parallel) and keeps, where two tests get one
/// name, the first in group order.
fn test_requests(test_groups: Vec<TestGroup>) -> Vec<TestRequest> {
    let names: Vec<Vec<String>> = test_groups
        .par_iter()
        .map(|group| {
            group
                .tests
                .iter()
                .map(|spec| test_node_name(spec, &group.attached_name, group.on_source))
                .collect()
        })
        .collect();
    // Two tests of one name, node and arguments are one test (the first is
    // kept); tests whose arguments differ stay apart even when their names
    // clean to the same text (`like_pattern: "%@%"` and `"%&%"`), as their
    // unique ids differ by hash; a custom `name:` may be given to tests of
    // several nodes.
    let mut test_names_seen = rustc_hash::FxHashSet::default();
    let kept: Vec<Vec<bool>> = names
        .iter()
        .zip(&test_groups)
        .map(|(group_names, group)| {
            group_names
                .iter()
                .zip(&group.tests)
                .map(|(name, spec)| {
                    let arguments = serde_json::to_string(&spec.kwargs).unwrap_or_default();
                    test_names_seen.insert((group.unit, group.attached, name.as_str(), arguments))
                })
                .collect()
        })
        .collect();
    drop(test_names_seen);
    let mut test_requests: Vec<TestRequest> =
        Vec::with_capacity(test_groups.iter().map(|group| group.tests.len()).sum());
    for (group, (names, kept)) in test_groups.into_iter().zip(names.into_iter().zip(kept)) {
        for ((spec, name), kept) in group.tests.into_iter().zip(names).zip(kept) {
            if kept {
                let short_name =
                    test_short_name(&spec, &group.attached_name, group.on_source, &name);
                test_requests.push(TestRequest {
                    unit: group.unit,
                    spec,
                    attached: group.attached,
                    name,
                    short_name,
                    file: group.file,
                    yaml_path: group.yaml_path.clone(),
                    name_span: group.name_span,
                });
            }
        }
    }
    test_requests
}

/// The SQL of a test, the parent a relationships test reads (its `to`),
/// and the refs a custom test's render made.
struct TestSql {
    sql: Option<String>,
    to_parent: Option<NodeId>,
    custom_refs: Vec<RefCall>,
    /// The test's macro read the warehouse: its SQL is a guess until it runs.
    introspective: bool,
}

/// Prepares one test: its SQL, node and parents.
fn prepare_test(
    context: &LoadContext,
    graph: &GraphBuilder,
    request: TestRequest,
    rendering: &TestRendering,
    files: &SourceFiles,
) -> Option<PreparedTest> {
    // A disabled test is not a node (its config is known before its SQL).
    let unit = &context.units[request.unit];
    let fqn = generic_test_fqn(
        &unit.name,
        &unit.settings,
        &request.yaml_path,
        &request.name,
    );
    let config = test_config(
        context,
        unit,
        &request.spec,
        &fqn,
        request.short_name.as_deref(),
    );
    if !config.enabled() {
        return None;
    }
    let mut test_diagnostics: Vec<Diagnostic> = Vec::new();
    let TestSql {
        sql,
        to_parent,
        custom_refs,
        introspective,
    } = test_sql_of(
        context,
        graph,
        &request,
        rendering,
        files,
        &mut test_diagnostics,
    );
    let TestRequest {
        unit,
        spec,
        attached,
        name,
        short_name,
        file,
        yaml_path,
        name_span,
    } = request;
    let unit = &context.units[unit];
    let project_name = &unit.name;
    let settings = &unit.settings;
    let hash = generic_test_hash(&name, &spec, &test_target(&graph.nodes[attached.index()]));
    let alias = config
        .values
        .get("alias")
        .and_then(Value::as_str)
        .map_or_else(|| name.clone(), String::from);
    // The code dbt records for a generic test: a call of its macro.
    let mut raw_code = match &spec.namespace {
        Some(namespace) => format!(
            "{{{{ {namespace}.test_{}(**_dbt_generic_test_kwargs) }}}}",
            spec.test_name
        ),
        None => format!(
            "{{{{ test_{}(**_dbt_generic_test_kwargs) }}}}",
            spec.test_name
        ),
    };
    if let Some(short_name) = &short_name {
        raw_code.push_str(&format!("{{{{ config(alias=\"{short_name}\") }}}}"));
    }
    let attached_details = &graph.nodes[attached.index()];
    let (mut refs, sources) = match &attached_details.source {
        Some(source) => (
            Vec::new(),
            vec![SourceCall {
                source_name: source.source_name.clone(),
                table_name: source.table_name.clone(),
            }],
        ),
        None => (
            vec![RefCall {
                package: None,
                name: attached_details.name.clone(),
                version: attached_details.version.clone(),
            }],
            Vec::new(),
        ),
    };
    let mut extra_parents: Vec<NodeId> = Vec::new();
    let from = rendering.shared.search_from(Some(project_name));
    for call in custom_refs {
        if let Some(&parent) =
            graph
                .ids_by_name
                .find(call.package.as_deref(), &call.lookup_name(), from)
        {
            if parent != attached && Some(parent) != to_parent {
                extra_parents.push(parent);
            }
        }
        if !refs.contains(&call) {
            refs.push(call);
        }
    }
    let details = NodeDetails {
        kind: NodeKind::Test,
        unique_id: format!("test.{project_name}.{name}.{hash}"),
        package_name: project_name.clone(),
        fqn,
        original_file_path: yaml_path.clone(),
        path: format!("{alias}.sql"),
        file: Some(file),
        raw_code: Arc::from(raw_code),
        raw_code_body: None,
        checksum: String::new(),
        config,
        description: String::new(),
        doc_blocks: Vec::new(),
        patch_path: None,
        columns: Vec::new(),
        refs,
        sources,
        macros_called: Vec::new(),
        depends_on_macros: test_macros(rendering.shared, project_name, &spec),
        rendered: None,
        introspective,
        database: None,
        schema: None,
        alias,
        quoting: context.relation_quoting,
        seed_columns: Vec::new(),
        source: None,
        test: Some(TestDetails {
            test_name: spec.test_name,
            namespace: spec.namespace,
            column_name: spec.column_name,
            attached_node: Some(attached),
            kwargs: spec.kwargs,
        }),
        name,
        version: None,
        latest_version: None,
        deprecation_date: None,
        time_spine: None,
    };
    // The compiled file's text and path are made here, in parallel;
    // only registering the file is left for the ordered loop.
    let sql = sql.map(|sql| {
        let path = format!(
            "{}/compiled/{project_name}/{yaml_path}/{}",
            settings.target_path, details.path
        );
        (Arc::<str>::from(sql), path)
    });
    Some(PreparedTest {
        node: graph_node(&details),
        details,
        sql,
        diagnostics: test_diagnostics,
        file,
        name_span,
        attached,
        parents: to_parent.into_iter().chain(extra_parents).collect(),
    })
}

/// A test's config: dbt's defaults, its project's `tests:` tree at the
/// test's fqn, the test's own config, then (for a package's test) the root
/// project's tree; a long-named test gets its short name as alias.
fn test_config(
    context: &LoadContext,
    unit: &ProjectUnit,
    spec: &TestSpec,
    fqn: &[String],
    short_name: Option<&str>,
) -> NodeConfig {
    let mut config = NodeConfig::default();
    config.values.insert(
        "materialized".into(),
        Value::String(Materialization::Test.name().into()),
    );
    config
        .values
        .insert("severity".into(), Value::String("ERROR".into()));
    let (own_layers, root_layers) =
        project_file_layers(context, unit, |settings| &settings.tests, fqn);
    for layer in &own_layers {
        config.apply(layer);
    }
    config.apply(&spec.config);
    for layer in &root_layers {
        config.apply(layer);
    }
    // dbt names a long-named test's file and relation with its short
    // name, set as the test's `alias` config (unless it sets its own).
    if let Some(short_name) = short_name {
        if !config.values.contains_key("alias") {
            config
                .values
                .insert("alias".into(), Value::String(short_name.to_string()));
        }
    }
    config
}

/// A test's SQL: dbt's own generic tests are written out, a test the
/// project or a package defines is rendered; a test that is neither, or a
/// relationships test whose `to` does not exist, is reported.
fn test_sql_of(
    context: &LoadContext,
    graph: &GraphBuilder,
    request: &TestRequest,
    rendering: &TestRendering,
    files: &SourceFiles,
    test_diagnostics: &mut Vec<Diagnostic>,
) -> TestSql {
    let TestRequest {
        spec,
        attached,
        name,
        file,
        ..
    } = request;
    let (attached, file) = (*attached, *file);
    let unit = &context.units[request.unit];
    let from = rendering.shared.search_from(Some(&unit.name));
    // A test on an ephemeral model reads its CTE, as dbt compiles it (the
    // CTE is injected with the test's compiled SQL); any other relation is
    // quoted as `ref()` or `source()` quotes it.
    let attached_details = &graph.nodes[attached.index()];
    let attached_relation =
        crate::render::relation_of_attached(attached_details).quoted(rendering.shared.quote);
    let mut to_parent = None;
    let to_relation = spec
        .kwargs
        .get("to")
        .and_then(Value::as_str)
        .and_then(|to| {
            let parent = match (referenced_model_name(to), referenced_source(to)) {
                (Some(model), _) => graph.ids_by_name.find(None, &model, from).copied(),
                (None, Some((source, table))) => graph
                    .source_ids
                    .find(None, &format!("{source}.{table}"), from)
                    .copied(),
                (None, None) => graph.ids_by_name.find(None, to, from).copied(),
            };
            to_parent = parent;
            // An ephemeral `to` is read as its CTE (injected with the
            // test's compiled SQL, as the attached node's is).
            parent.map(|parent| {
                crate::render::relation_of_attached(&graph.nodes[parent.index()])
                    .quoted(rendering.shared.quote)
            })
        });
    if spec.test_name == "relationships" && spec.namespace.is_none() && to_parent.is_none() {
        let to = spec
            .kwargs
            .get("to")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let wanted = referenced_model_name(to).unwrap_or_else(|| to.to_string());
        let mut diagnostic = Diagnostic::new(
            Code::RefNotFound,
            format!("relationships test `{name}` refers to `{wanted}`, which does not exist"),
        )
        .with_primary(
            file,
            crate::yaml::find_key_span(&files.get(file).text, "to", 0),
            "",
        );
        if let Some(close) =
            closest_name(&wanted, rendering.refable_names.iter().map(String::as_str))
        {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
        }
        test_diagnostics.push(diagnostic);
    }
    // dbt renders the arguments' Jinja (`values: "{{ var('kinds') }}"`).
    let rendered_spec;
    let spec = if spec.kwargs.values().any(crate::jinja::value_has_jinja) {
        let mut rendered = spec.clone();
        crate::render::render_test_arguments(
            rendering.environment,
            &mut rendered.kwargs,
            super::render_phases::node_render_state(context, request.unit),
        );
        rendered_spec = rendered;
        &rendered_spec
    } else {
        spec
    };
    let mut sql = test_sql(
        spec,
        &attached_relation,
        to_relation.as_deref(),
        context.adapter_naming,
    );
    let mut custom_refs: Vec<RefCall> = Vec::new();
    let mut introspective = false;
    if sql.is_none() {
        // A test the project or a package defines with `{% test name(model,
        // ...) %}`: `name` in the project, `package.name` in a package (as
        // in dbt, a package's tests are not found unqualified).
        // A package's own YAML finds its package's tests first.
        let test_macro = format!("test_{}", spec.test_name);
        let package_macro = format!("{}.{test_macro}", unit.name);
        let custom_macro = match &spec.namespace {
            Some(namespace) => format!("{namespace}.{test_macro}"),
            None if !unit.is_root() && rendering.shared.macros.contains_key(&package_macro) => {
                package_macro
            }
            None => test_macro.clone(),
        };
        if rendering.shared.macros.contains_key(&custom_macro) {
            let attached_details = &graph.nodes[attached.index()];
            let output = crate::render::render_generic_test(
                rendering.environment,
                &custom_macro,
                crate::render::relation_of_attached(attached_details),
                spec.column_name.as_deref(),
                &spec.kwargs,
                super::render_phases::node_render_state(context, request.unit),
                rendering.shared.quote,
            );
            match output.result {
                Ok(text) => {
                    let text = match spec.config.get("where").and_then(Value::as_str) {
                        // dbt reads the attached relation through the
                        // condition: the same, done on the rendered text.
                        Some(condition) => text.replace(
                            &attached_relation,
                            &format!(
                                "(select * from {attached_relation} where {condition}) dbt_subquery"
                            ),
                        ),
                        None => text,
                    };
                    sql = Some(text);
                    custom_refs = output.recorded.refs;
                    introspective = output.recorded.introspective;
                }
                // A test that read the warehouse rendered with empty
                // results: its failure says nothing yet. It is rendered
                // again when it runs, with real results.
                Err(_) if output.recorded.introspective => {
                    custom_refs = output.recorded.refs;
                    introspective = true;
                }
                Err(error) => test_diagnostics.push(jinja_diagnostic(
                    &error,
                    rendering.jinja_context,
                    files,
                    file,
                )),
            }
        } else {
            test_diagnostics.push(undefined_test_diagnostic(
                spec,
                &test_macro,
                rendering.shared,
                file,
                files,
            ));
        }
    }
    TestSql {
        sql,
        to_parent,
        custom_refs,
        introspective,
    }
}

/// FC1004 for a test that is neither dbt's nor defined by the project or an
/// installed package.
fn undefined_test_diagnostic(
    spec: &TestSpec,
    test_macro: &str,
    shared: &RenderShared,
    file: FileId,
    files: &SourceFiles,
) -> Diagnostic {
    Diagnostic::new(
        Code::UndefinedMacro,
        format!(
            "test `{}{}` is not a generic test dbt has or the project or an installed package defines",
            spec.namespace.as_ref().map(|namespace| format!("{namespace}.")).unwrap_or_default(),
            spec.test_name
        ),
    )
    .with_primary(
        file,
        crate::yaml::find_key_span(&files.get(file).text, &spec.test_name, 0),
        "",
    )
    .with_help(
        match shared
            .packages
            .iter()
            .find(|package| shared.macros.contains_key(&format!("{package}.{test_macro}")))
        {
            Some(package) if spec.namespace.is_none() => format!(
                "package `{package}` defines it: write `{package}.{}`",
                spec.test_name
            ),
            _ => format!(
                "define it in a macro file with {{% test {}(model, column_name) %}} ... {{% endtest %}}",
                spec.test_name
            ),
        },
    )
}

/// A generic test made ready in parallel; its compiled SQL becomes a file,
/// and it a node with edges, in order afterwards.
struct PreparedTest {
    /// The graph's record of the node (its interned names made here).
    node: Node,
    details: NodeDetails,
    /// The compiled SQL and the path of its file under `target/compiled`.
    sql: Option<(Arc<str>, String)>,
    diagnostics: Vec<Diagnostic>,
    file: FileId,
    name_span: Span,
    attached: NodeId,
    parents: Vec<NodeId>,
}

/// One generic test to prepare: its spec, the node it is attached to, its
/// name (and the shorter one dbt uses for a long name), and where its YAML
/// entry is.
struct TestRequest {
    unit: usize,
    spec: TestSpec,
    attached: NodeId,
    name: String,
    short_name: Option<String>,
    file: FileId,
    yaml_path: String,
    name_span: Span,
}

/// How dbt writes the node a generic test is attached to, in the test's
/// metadata: `ref('orders')` or `source('shop', 'orders')`.
fn test_target(attached: &NodeDetails) -> String {
    match &attached.source {
        Some(source) => format!("source('{}', '{}')", source.source_name, source.table_name),
        None => match &attached.version {
            Some(version) => format!("ref('{}', version='{version}')", attached.name),
            None => format!("ref('{}')", attached.name),
        },
    }
}

/// dbt's fqn of a test defined in YAML: the project, the folders of the YAML
/// file below its resource folder (`models/marts/_marts.yml` gives `marts`),
/// and the test's name.
fn generic_test_fqn(
    project_name: &str,
    settings: &ProjectSettings,
    yaml_path: &str,
    test_name: &str,
) -> Vec<String> {
    let resource_folders = settings
        .model_paths
        .iter()
        .chain(&settings.seed_paths)
        .chain(&settings.snapshot_paths)
        .chain(&settings.analysis_paths)
        .chain(&settings.test_paths);
    let below_resource_folder = resource_folders
        .filter_map(|folder| {
            yaml_path
                .strip_prefix(folder.trim_end_matches('/'))?
                .strip_prefix('/')
        })
        .next()
        .unwrap_or(yaml_path);
    let mut fqn = vec![project_name.to_string()];
    let folders: Vec<&str> = below_resource_folder.split('/').collect();
    fqn.extend(
        folders[..folders.len() - 1]
            .iter()
            .map(|folder| folder.to_string()),
    );
    fqn.push(test_name.to_string());
    fqn
}

/// A generic test's `depends_on.macros` as dbt parses it: the test's macro
/// (`namespace.test_<name>`, else the node's package's own, else the one
/// every package sees), then `get_where_subquery`, which its `model`
/// argument calls (except for dbt's own `not_null` and `unique`).
fn test_macros(
    shared: &RenderShared,
    package: &str,
    spec: &crate::schema_yaml::TestSpec,
) -> Vec<String> {
    let macro_name = format!("test_{}", spec.test_name);
    let unique_id = |names: &[String]| {
        names.iter().find_map(|name| {
            shared
                .macros
                .get(name)
                .or_else(|| shared.builtin_macros.get(name))
                .map(|entry| entry.unique_id.clone())
        })
    };
    let test_macro = match &spec.namespace {
        Some(namespace) => unique_id(&[format!("{namespace}.{macro_name}")]),
        None => unique_id(&[format!("{package}.{macro_name}"), macro_name.clone()]).or_else(|| {
            // dbt's four tests, which fusionc writes natively.
            matches!(
                spec.test_name.as_str(),
                "not_null" | "unique" | "accepted_values" | "relationships"
            )
            .then(|| format!("macro.dbt.{macro_name}"))
        }),
    };
    // dbt takes a shortcut for its own `not_null` and `unique`: their
    // arguments are not rendered, so `get_where_subquery` is not called.
    let shortcut = matches!(
        test_macro.as_deref(),
        Some("macro.dbt.test_not_null" | "macro.dbt.test_unique")
    );
    let where_subquery = (!shortcut)
        .then(|| unique_id(&["get_where_subquery".to_string()]))
        .flatten();
    test_macro.into_iter().chain(where_subquery).collect()
}
