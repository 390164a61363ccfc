//! Phase: the resources schema YAML declares that never run (exposures,
//! semantic models, metrics, saved queries, groups), configured, the
//! disabled ones dropped, and what each depends on resolved as dbt-core
//! resolves it: an exposure's `depends_on:` and a semantic model's `model:`
//! are rendered (`ref()`, `source()`, `metric()` record their arguments), a
//! metric reads the semantic models owning its measures or its input
//! metrics, a saved query its metrics. A reference to nothing is an error
//! at the declaring entry, as dbt refuses the project.

use super::project::project_file_layers;
use super::LoadContext;
use crate::project::{DeclaredResource, NodeDetails, RefCall, SourceCall};
use crate::project_file::ProjectSettings;
use crate::schema_yaml::{DeclaredKind, ResourceDecl};
use crate::yaml::field;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic};
use fusion_ir::graph::NodeKind;
use fusion_ir::span::{SourceFiles, Span};
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};

/// Resolves the declarations against the project's nodes; returns the
/// enabled resources in declaration order, grouped by kind as
/// [`DeclaredKind::ALL`] orders them.
pub(super) fn declared_resources(
    context: &LoadContext,
    declarations: Vec<ResourceDecl>,
    nodes: &[NodeDetails],
    files: &SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<DeclaredResource> {
    if declarations.is_empty() {
        return Vec::new();
    }
    let mut resources: Vec<DeclaredResource> = Vec::new();
    let mut seen: FxHashSet<String> = FxHashSet::default();
    let mut by_kind: Vec<ResourceDecl> = declarations;
    by_kind.sort_by_key(|declaration| {
        DeclaredKind::ALL
            .iter()
            .position(|kind| *kind == declaration.kind)
    });
    for declaration in by_kind {
        let Some(resource) = configured(context, declaration) else {
            continue;
        };
        if !seen.insert(resource.unique_id.clone()) {
            let first = resources
                .iter()
                .find(|other| other.unique_id == resource.unique_id);
            let mut diagnostic = Diagnostic::new(
                Code::DuplicateNode,
                format!(
                    "two {} entries are named `{}` in package `{}`",
                    resource.kind.yaml_key(),
                    resource.name,
                    resource.package_name
                ),
            )
            .with_primary(resource.file, resource.name_span, "second entry")
            .with_help("rename one of them: dbt refuses the project too");
            if let Some(first) = first {
                diagnostic = diagnostic.with_secondary(first.file, first.name_span, "first entry");
            }
            diagnostics.push(diagnostic);
            continue;
        }
        resources.push(resource);
    }
    let lookup = Lookup::new(nodes, &resources);
    let renderer = DependencyRenderer::new();
    let mut resolved = Vec::with_capacity(resources.len());
    for mut resource in resources {
        let mut problems = Vec::new();
        match resource.kind {
            DeclaredKind::Group => {}
            DeclaredKind::SemanticModel => {
                if let Some(Value::String(model)) = field(&resource.entry, "model").cloned() {
                    renderer.render(&model, &mut resource, &mut problems);
                }
            }
            DeclaredKind::Exposure => {
                let texts: Vec<String> = match field(&resource.entry, "depends_on") {
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                };
                for text in &texts {
                    renderer.render(text, &mut resource, &mut problems);
                }
            }
            DeclaredKind::Metric => {
                metric_inputs(&mut resource);
            }
            DeclaredKind::SavedQuery => {
                let names = field(&resource.entry, "query_params")
                    .and_then(|params| params.get("metrics"))
                    .map(|metrics| crate::config::string_list(Some(metrics)))
                    .unwrap_or_default();
                resource.metrics = names.into_iter().map(|name| vec![name]).collect();
            }
        }
        for problem in problems {
            diagnostics.push(Diagnostic::new(Code::JinjaRender, problem).with_primary(
                resource.file,
                resource.name_span,
                "",
            ));
        }
        resource.depends_on = lookup.dependencies(&resource, files, diagnostics);
        resolved.push(resource);
    }
    resolved
}

/// The resource with its config layered as dbt layers it (the project
/// files' tree for the kind, then the entry's own `config:`, with its
/// top-level `tags`, `meta` and `group`), or `None` when it is disabled.
fn configured(context: &LoadContext, declaration: ResourceDecl) -> Option<DeclaredResource> {
    let ResourceDecl {
        kind,
        name,
        package,
        entry,
        config: own_config,
        file,
        yaml_path,
        path,
        name_span,
    } = declaration;
    let mut fqn = vec![package.clone()];
    let folders: Vec<&str> = path.split('/').collect();
    fqn.extend(
        folders[..folders.len().saturating_sub(1)]
            .iter()
            .map(|folder| folder.to_string()),
    );
    fqn.push(name.clone());
    let unit = context.units.iter().find(|unit| unit.name == package)?;
    let tree_of: Option<super::project::TreeOf> = match kind {
        DeclaredKind::Exposure => Some(|settings: &ProjectSettings| &settings.exposures),
        DeclaredKind::Metric => Some(|settings: &ProjectSettings| &settings.metrics),
        DeclaredKind::SemanticModel => Some(|settings: &ProjectSettings| &settings.semantic_models),
        DeclaredKind::SavedQuery => Some(|settings: &ProjectSettings| &settings.saved_queries),
        DeclaredKind::Group => None,
    };
    let mut layered = Map::new();
    let mut tags: Vec<String> = Vec::new();
    let mut meta = Map::new();
    let mut apply =
        |layer: &Map<String, Value>, tags: &mut Vec<String>, meta: &mut Map<String, Value>| {
            for (key, value) in layer {
                match key.as_str() {
                    "tags" => {
                        for tag in crate::config::string_list(Some(value)) {
                            if !tags.contains(&tag) {
                                tags.push(tag);
                            }
                        }
                    }
                    "meta" => {
                        if let Value::Object(entries) = value {
                            meta.extend(entries.clone());
                        }
                    }
                    _ => {
                        layered.insert(key.clone(), value.clone());
                    }
                }
            }
        };
    let mut own_layers: Vec<Map<String, Value>> = Vec::new();
    let mut root_layers: Vec<Map<String, Value>> = Vec::new();
    if let Some(tree_of) = tree_of {
        (own_layers, root_layers) = project_file_layers(context, unit, tree_of, &fqn);
    }
    let mut top_level = Map::new();
    for key in ["tags", "meta", "group", "enabled"] {
        if let Some(value) = field(&entry, key) {
            top_level.insert(key.to_string(), value.clone());
        }
    }
    for layer in own_layers
        .iter()
        .chain([&top_level, &own_config])
        .chain(&root_layers)
    {
        apply(layer, &mut tags, &mut meta);
    }
    let enabled = !matches!(layered.get("enabled"), Some(Value::Bool(false)));
    if !enabled {
        return None;
    }
    let group = layered.get("group").cloned().unwrap_or(Value::Null);
    let mut config = Map::new();
    config.insert("enabled".into(), Value::Bool(true));
    match kind {
        DeclaredKind::Exposure => {
            config.insert("tags".into(), tags.into_iter().map(Value::String).collect());
            config.insert("meta".into(), Value::Object(meta));
        }
        DeclaredKind::Group => {
            config.remove("enabled");
            config.insert("meta".into(), Value::Object(meta));
        }
        DeclaredKind::SemanticModel | DeclaredKind::Metric => {
            config.insert("group".into(), group);
            config.insert("meta".into(), Value::Object(meta));
        }
        DeclaredKind::SavedQuery => {
            config.insert("group".into(), group);
            config.insert("meta".into(), Value::Object(meta));
            for key in ["export_as", "schema"] {
                config.insert(key.into(), layered.get(key).cloned().unwrap_or(Value::Null));
            }
            config.insert(
                "cache".into(),
                layered
                    .get("cache")
                    .cloned()
                    .unwrap_or_else(|| serde_json::json!({"enabled": false})),
            );
        }
    }
    Some(DeclaredResource {
        unique_id: format!("{}.{package}.{name}", kind.resource_type()),
        kind,
        name,
        package_name: package,
        fqn,
        original_file_path: yaml_path,
        path,
        file,
        name_span,
        config,
        depends_on: Vec::new(),
        refs: Vec::new(),
        sources: Vec::new(),
        metrics: Vec::new(),
        entry,
    })
}

/// The metrics and measures a metric reads, from its `type_params`, in
/// dbt's order: measures as `[measure]` entries of `refs`-like names are
/// kept in `metrics` with a `measure:` prefix so the lookup tells them apart.
fn metric_inputs(resource: &mut DeclaredResource) {
    let Some(Value::Object(params)) = field(&resource.entry, "type_params") else {
        return;
    };
    let name_of = |value: &Value| -> Option<String> {
        match value {
            Value::String(name) => Some(name.clone()),
            Value::Object(entry) => field(entry, "name")
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        }
    };
    let mut inputs: Vec<Vec<String>> = Vec::new();
    let add_measure = |value: Option<&Value>, inputs: &mut Vec<Vec<String>>| {
        if let Some(name) = value.and_then(name_of) {
            inputs.push(vec![MEASURE_MARK.to_string(), name]);
        }
    };
    add_measure(field(params, "measure"), &mut inputs);
    if let Some(Value::Object(conversion)) = field(params, "conversion_type_params") {
        add_measure(field(conversion, "base_measure"), &mut inputs);
        add_measure(field(conversion, "conversion_measure"), &mut inputs);
    }
    for key in ["numerator", "denominator", "metric"] {
        if let Some(name) = field(params, key).and_then(name_of) {
            inputs.push(vec![name]);
        }
    }
    if let Some(Value::Array(metrics)) = field(params, "metrics") {
        for metric in metrics {
            if let Some(name) = name_of(metric) {
                inputs.push(vec![name]);
            }
        }
    }
    resource.metrics = inputs;
}

/// Marks a metric's input that is a measure (the first of its parts).
const MEASURE_MARK: &str = "\u{0}measure";

/// What a resource's references are looked up in.
struct Lookup<'a> {
    /// Refable nodes (models, seeds, snapshots) by name.
    refable: FxHashMap<&'a str, Vec<&'a NodeDetails>>,
    /// Source tables by `source.table`.
    sources: FxHashMap<(&'a str, &'a str), Vec<&'a NodeDetails>>,
    /// Enabled metrics by name: unique ids.
    metrics: FxHashMap<String, Vec<(String, String)>>,
    /// Measures by name: the unique id of the semantic model declaring it.
    measures: FxHashMap<String, String>,
}

impl<'a> Lookup<'a> {
    fn new(nodes: &'a [NodeDetails], resources: &[DeclaredResource]) -> Lookup<'a> {
        let mut refable: FxHashMap<&str, Vec<&NodeDetails>> = FxHashMap::default();
        let mut sources: FxHashMap<(&str, &str), Vec<&NodeDetails>> = FxHashMap::default();
        for node in nodes {
            match node.kind {
                NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot => {
                    refable.entry(node.name.as_str()).or_default().push(node);
                }
                NodeKind::Source => {
                    if let Some(source) = &node.source {
                        sources
                            .entry((source.source_name.as_str(), source.table_name.as_str()))
                            .or_default()
                            .push(node);
                    }
                }
                _ => {}
            }
        }
        let mut metrics: FxHashMap<String, Vec<(String, String)>> = FxHashMap::default();
        let mut measures: FxHashMap<String, String> = FxHashMap::default();
        for resource in resources {
            match resource.kind {
                DeclaredKind::Metric => metrics
                    .entry(resource.name.clone())
                    .or_default()
                    .push((resource.package_name.clone(), resource.unique_id.clone())),
                DeclaredKind::SemanticModel => {
                    if let Some(Value::Array(declared)) = field(&resource.entry, "measures") {
                        for measure in declared {
                            if let Some(name) = measure.get("name").and_then(Value::as_str) {
                                measures
                                    .entry(name.to_string())
                                    .or_insert_with(|| resource.unique_id.clone());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Lookup {
            refable,
            sources,
            metrics,
            measures,
        }
    }

    /// The node a `ref()` names: in the named package, else the resource's
    /// own package first, then any; a versioned model's latest version
    /// unless a version is asked for.
    fn find_ref(&self, call: &RefCall, own_package: &str) -> Option<&'a NodeDetails> {
        let candidates = self.refable.get(call.name.as_str())?;
        let version_matches = |node: &&&NodeDetails| match &call.version {
            Some(version) => node.version.as_deref() == Some(version.as_str()),
            None => node.version.is_none() || node.version == node.latest_version,
        };
        let in_package = |package: &str| {
            candidates
                .iter()
                .filter(version_matches)
                .find(|node| node.package_name == package)
                .copied()
        };
        match &call.package {
            Some(package) => in_package(package),
            None => {
                in_package(own_package).or_else(|| candidates.iter().find(version_matches).copied())
            }
        }
    }

    fn find_metric(&self, parts: &[String], own_package: &str) -> Option<&str> {
        let (package, name) = match parts {
            [name] => (None, name),
            [package, name] => (Some(package.as_str()), name),
            _ => return None,
        };
        let candidates = self.metrics.get(name.as_str())?;
        let wanted = package.unwrap_or(own_package);
        candidates
            .iter()
            .find(|(package, _)| package == wanted)
            .or_else(|| package.is_none().then(|| candidates.first()).flatten())
            .map(|(_, unique_id)| unique_id.as_str())
    }

    /// The unique ids a resource depends on, sources first, then refs, then
    /// metrics (and measures), each once (dbt's order); each name that reaches nothing
    /// is reported.
    fn dependencies(
        &self,
        resource: &DeclaredResource,
        files: &SourceFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Vec<String> {
        let mut depends_on: Vec<String> = Vec::new();
        let add = |unique_id: &str, depends_on: &mut Vec<String>| {
            if !depends_on.iter().any(|known| known == unique_id) {
                depends_on.push(unique_id.to_string());
            }
        };
        let text = &files.get(resource.file).text;
        let at = |name: &str| reference_span(text, resource.name_span, name);
        let described = format!(
            "{} '{}' ({})",
            capitalized(resource.kind),
            resource.unique_id,
            resource.original_file_path
        );
        for call in &resource.sources {
            let found = self
                .sources
                .get(&(call.source_name.as_str(), call.table_name.as_str()))
                .and_then(|candidates| {
                    candidates
                        .iter()
                        .find(|node| node.package_name == resource.package_name)
                        .or_else(|| candidates.first())
                });
            match found {
                Some(node) => add(&node.unique_id, &mut depends_on),
                None => diagnostics.push(
                    Diagnostic::new(
                        Code::SourceNotFound,
                        format!(
                            "{described} depends on a source named '{}.{}' which was not found",
                            call.source_name, call.table_name
                        ),
                    )
                    .with_primary(resource.file, at(&call.table_name), ""),
                ),
            }
        }
        for call in &resource.refs {
            match self.find_ref(call, &resource.package_name) {
                Some(node) => add(&node.unique_id, &mut depends_on),
                None => {
                    let version = call
                        .version
                        .as_ref()
                        .map(|version| format!(" (version {version})"))
                        .unwrap_or_default();
                    let mut diagnostic = Diagnostic::new(
                        Code::RefNotFound,
                        format!(
                            "{described} depends on a node named '{}'{version} which was not found",
                            call.name
                        ),
                    )
                    .with_primary(resource.file, at(&call.name), "");
                    if let Some(close) = closest_name(&call.name, self.refable.keys().copied()) {
                        diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
                    }
                    diagnostics.push(diagnostic);
                }
            }
        }
        for parts in &resource.metrics {
            if let [mark, measure] = parts.as_slice() {
                if mark == MEASURE_MARK {
                    match self.measures.get(measure) {
                        Some(unique_id) => add(unique_id, &mut depends_on),
                        None => diagnostics.push(
                            Diagnostic::new(
                                Code::MissingSemanticReference,
                                format!(
                                    "{described}: a semantic model having a measure `{measure}` does not exist but was referenced"
                                ),
                            )
                            .with_primary(resource.file, at(measure), "")
                            .with_help("declare the measure under `measures:` of a semantic model"),
                        ),
                    }
                    continue;
                }
            }
            match self.find_metric(parts, &resource.package_name) {
                Some(unique_id) => add(unique_id, &mut depends_on),
                None => {
                    let name = parts.last().cloned().unwrap_or_default();
                    let mut diagnostic = Diagnostic::new(
                        Code::MissingSemanticReference,
                        format!(
                            "{described} depends on a metric named '{name}' which was not found"
                        ),
                    )
                    .with_primary(resource.file, at(&name), "");
                    if let Some(close) =
                        closest_name(&name, self.metrics.keys().map(String::as_str))
                    {
                        diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
                    }
                    diagnostics.push(diagnostic);
                }
            }
        }
        depends_on
    }
}

/// `Exposure`, `Metric`...: how dbt's errors name the kind.
fn capitalized(kind: DeclaredKind) -> &'static str {
    match kind {
        DeclaredKind::Exposure => "Exposure",
        DeclaredKind::SemanticModel => "Semantic model",
        DeclaredKind::Metric => "Metric",
        DeclaredKind::SavedQuery => "Saved query",
        DeclaredKind::Group => "Group",
    }
}

/// Where a referenced name is written in the entry (the first time after
/// its `name:` as a whole word), or the entry's name when it cannot be found.
fn reference_span(text: &str, name_span: Span, referenced: &str) -> Span {
    if referenced.is_empty() {
        return name_span;
    }
    let is_word = |character: char| character.is_alphanumeric() || character == '_';
    let mut from = name_span.end as usize;
    while let Some(found) = text
        .get(from..)
        .and_then(|rest| crate::text_search::find(rest, referenced))
    {
        let (start, end) = (from + found, from + found + referenced.len());
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return Span::from_range(start..end);
        }
        from = end;
    }
    name_span
}

/// One call recorded while rendering a dependency string.
enum RecordedCall {
    Ref(RefCall),
    Source(SourceCall),
    Metric(Vec<String>),
}

/// Renders dependency strings (`ref('orders')`, `source('shop',
/// 'raw_orders')`, `metric('revenue')`) as dbt does, as the body of a
/// `{{ ... }}` expression whose functions record their arguments.
struct DependencyRenderer {
    environment: minijinja::Environment<'static>,
    recorded: Arc<Mutex<Vec<RecordedCall>>>,
}

impl DependencyRenderer {
    fn new() -> DependencyRenderer {
        let recorded: Arc<Mutex<Vec<RecordedCall>>> = Arc::default();
        let mut environment = minijinja::Environment::new();
        let record = |recorded: &Arc<Mutex<Vec<RecordedCall>>>, call: RecordedCall| {
            if let Ok(mut calls) = recorded.lock() {
                calls.push(call);
            }
        };
        let ref_calls = recorded.clone();
        environment.add_function(
            "ref",
            move |args: minijinja::value::Rest<String>,
                  kwargs: minijinja::value::Kwargs|
                  -> Result<String, minijinja::Error> {
                let version = kwargs
                    .get::<Option<minijinja::Value>>("version")
                    .ok()
                    .flatten()
                    .or_else(|| kwargs.get::<Option<minijinja::Value>>("v").ok().flatten())
                    .map(|value| value.to_string());
                let (package, name) =
                    match args.as_slice() {
                        [name] => (None, name.clone()),
                        [package, name] => (Some(package.clone()), name.clone()),
                        _ => return Err(minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            "ref() takes one or two names: ref('model') or ref('package', 'model')",
                        )),
                    };
                record(
                    &ref_calls,
                    RecordedCall::Ref(RefCall {
                        package,
                        name,
                        version,
                    }),
                );
                Ok(String::new())
            },
        );
        let source_calls = recorded.clone();
        environment.add_function("source", move |source_name: String, table_name: String| {
            record(
                &source_calls,
                RecordedCall::Source(SourceCall {
                    source_name,
                    table_name,
                }),
            );
            String::new()
        });
        let metric_calls = recorded.clone();
        environment.add_function(
            "metric",
            move |args: minijinja::value::Rest<String>| -> Result<String, minijinja::Error> {
                if args.is_empty() || args.len() > 2 {
                    return Err(minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        "metric() takes one or two names: metric('name') or metric('package', 'name')",
                    ));
                }
                record(&metric_calls, RecordedCall::Metric(args.to_vec()));
                Ok(String::new())
            },
        );
        DependencyRenderer {
            environment,
            recorded,
        }
    }

    /// Renders one dependency string into the resource's calls; a string
    /// that does not render is a problem to report.
    fn render(&self, text: &str, resource: &mut DeclaredResource, problems: &mut Vec<String>) {
        let template = if text.contains("{{") {
            text.to_string()
        } else {
            format!("{{{{ {text} }}}}")
        };
        if let Ok(mut calls) = self.recorded.lock() {
            calls.clear();
        }
        if let Err(error) = self.environment.render_str(&template, ()) {
            problems.push(format!(
                "`{text}` in {} `{}` does not render: {}",
                resource.kind.resource_type(),
                resource.name,
                error
                    .detail()
                    .map_or_else(|| error.to_string(), str::to_string)
            ));
            return;
        }
        let calls = match self.recorded.lock() {
            Ok(mut calls) => std::mem::take(&mut *calls),
            Err(_) => return,
        };
        for call in calls {
            match call {
                RecordedCall::Ref(call) => {
                    if !resource.refs.contains(&call) {
                        resource.refs.push(call);
                    }
                }
                RecordedCall::Source(call) => {
                    if !resource.sources.contains(&call) {
                        resource.sources.push(call);
                    }
                }
                RecordedCall::Metric(parts) => {
                    if !resource.metrics.contains(&parts) {
                        resource.metrics.push(parts);
                    }
                }
            }
        }
    }
}
