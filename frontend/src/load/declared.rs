//! Phase: the resources schema YAML declares that never run (exposures,
//! semantic models, metrics, saved queries, groups), configured, the
//! disabled ones dropped, and what each depends on resolved as dbt-core
//! resolves it: an exposure's `depends_on:` and a semantic model's `model:`
//! are rendered (`ref()`, `source()`, `metric()` record their arguments), a
//! metric reads the semantic models owning its measures or its input
//! metrics, a saved query its metrics. A reference to nothing is an error
//! at the declaring entry, as dbt refuses the project.

use super::project::project_file_layers;
use super::templates::TemplateNode;
use super::LoadContext;
use crate::config::NodeConfig;
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
    nodes: &[Target],
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
                complete_exports(context, &mut resource);
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
    normalize_metrics(&mut resolved);
    resolved
}

/// Writes each metric's `type_params` and `filter` as dbt does: every
/// input measure and metric as a mapping with its defaults, filters as
/// `where_filters`, offsets as `{count, granularity}`, and the measures a
/// metric reads through its input metrics as `input_measures`.
/// An input measure or metric (a name, or a mapping) as the mapping of its
/// remaining keys and the start of its normalized form: `name`, `filter`
/// (as `where_filters`) and `alias`, which both kinds have.
fn named_input(value: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let mut input = match value {
        Value::Object(entry) => entry.clone(),
        other => {
            let mut entry = Map::new();
            entry.insert("name".into(), Value::String(text_of(other)));
            entry
        }
    };
    let mut normalized = Map::new();
    normalized.insert("name".into(), input.remove("name").unwrap_or(Value::Null));
    normalized.insert("filter".into(), where_filters(input.remove("filter")));
    normalized.insert("alias".into(), input.remove("alias").unwrap_or(Value::Null));
    (input, normalized)
}

fn normalize_metrics(resources: &mut [DeclaredResource]) {
    let null = || Value::Null;
    let measure_input = |value: &Value| -> Value {
        let (mut input, mut normalized) = named_input(value);
        normalized.insert(
            "join_to_timespine".into(),
            input
                .remove("join_to_timespine")
                .unwrap_or(Value::Bool(false)),
        );
        normalized.insert(
            "fill_nulls_with".into(),
            input.remove("fill_nulls_with").unwrap_or_else(null),
        );
        Value::Object(normalized)
    };
    let metric_input = |value: &Value| -> Value {
        let (mut input, mut normalized) = named_input(value);
        normalized.insert(
            "offset_window".into(),
            time_window(input.remove("offset_window")),
        );
        normalized.insert(
            "offset_to_grain".into(),
            input.remove("offset_to_grain").unwrap_or_else(null),
        );
        Value::Object(normalized)
    };
    // Each metric's own params; its measures (for `input_measures`) and
    // input metrics by name.
    let mut own_measures: FxHashMap<String, Vec<Value>> = FxHashMap::default();
    let mut input_metrics: FxHashMap<String, Vec<String>> = FxHashMap::default();
    for resource in resources
        .iter_mut()
        .filter(|resource| resource.kind == DeclaredKind::Metric)
    {
        let written = match field(&resource.entry, "type_params") {
            Some(Value::Object(params)) => params.clone(),
            _ => Map::new(),
        };
        let metric_type = field(&resource.entry, "type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut params = Map::new();
        let measure = field(&written, "measure").map(measure_input);
        let mut measures: Vec<Value> = measure.iter().cloned().collect();
        params.insert("measure".into(), measure.unwrap_or(Value::Null));
        params.insert("input_measures".into(), Value::Array(Vec::new()));
        let mut inputs = Vec::new();
        for key in ["numerator", "denominator"] {
            let input = field(&written, key).map(metric_input);
            if let Some(name) = input.as_ref().and_then(|input| input.get("name")) {
                inputs.push(text_of(name));
            }
            params.insert(key.into(), input.unwrap_or(Value::Null));
        }
        for key in ["expr", "window", "grain_to_date"] {
            let value = field(&written, key).cloned().unwrap_or(Value::Null);
            let value = if key == "window" {
                time_window(Some(value))
            } else {
                value
            };
            params.insert(key.into(), value);
        }
        let metrics: Vec<Value> = match field(&written, "metrics") {
            Some(Value::Array(metrics)) => metrics.iter().map(metric_input).collect(),
            _ => Vec::new(),
        };
        for metric in &metrics {
            if let Some(name) = metric.get("name") {
                inputs.push(text_of(name));
            }
        }
        params.insert("metrics".into(), Value::Array(metrics));
        let conversion = match field(&written, "conversion_type_params") {
            Some(Value::Object(conversion)) => {
                let mut conversion = conversion.clone();
                for key in ["base_measure", "conversion_measure"] {
                    if let Some(value) = conversion.get(key).map(measure_input) {
                        measures.push(value.clone());
                        conversion.insert(key.into(), value);
                    }
                }
                Value::Object(conversion)
            }
            _ => Value::Null,
        };
        params.insert("conversion_type_params".into(), conversion);
        let cumulative = match field(&written, "cumulative_type_params") {
            Some(Value::Object(cumulative)) => Some(cumulative.clone()),
            _ if metric_type == "cumulative" => Some(Map::new()),
            _ => None,
        };
        let cumulative = cumulative.map(|mut cumulative| {
            let window = cumulative
                .remove("window")
                .or_else(|| field(&written, "window").cloned());
            let grain_to_date = cumulative
                .remove("grain_to_date")
                .or_else(|| field(&written, "grain_to_date").cloned());
            let mut normalized = Map::new();
            normalized.insert("window".into(), time_window(window));
            normalized.insert("grain_to_date".into(), grain_to_date.unwrap_or_else(null));
            normalized.insert(
                "period_agg".into(),
                cumulative
                    .remove("period_agg")
                    .unwrap_or_else(|| Value::from("first")),
            );
            normalized.insert(
                "metric".into(),
                cumulative.remove("metric").unwrap_or_else(null),
            );
            Value::Object(normalized)
        });
        params.insert(
            "cumulative_type_params".into(),
            cumulative.unwrap_or(Value::Null),
        );
        params.insert(
            "metric_aggregation_params".into(),
            field(&written, "metric_aggregation_params")
                .cloned()
                .unwrap_or(Value::Null),
        );
        let filter = where_filters(resource.entry.get("filter").cloned());
        resource.entry.insert("filter".into(), filter);
        resource
            .entry
            .insert("type_params".into(), Value::Object(params));
        own_measures.insert(resource.name.clone(), measures);
        input_metrics.insert(resource.name.clone(), inputs);
    }
    // The measures a metric reads, its own then its inputs', each once.
    fn reached(
        name: &str,
        own_measures: &FxHashMap<String, Vec<Value>>,
        input_metrics: &FxHashMap<String, Vec<String>>,
        visiting: &mut FxHashSet<String>,
        found: &mut Vec<Value>,
    ) {
        if !visiting.insert(name.to_string()) {
            return;
        }
        for measure in own_measures.get(name).into_iter().flatten() {
            if !found.contains(measure) {
                found.push(measure.clone());
            }
        }
        for input in input_metrics.get(name).into_iter().flatten() {
            reached(input, own_measures, input_metrics, visiting, found);
        }
    }
    for resource in resources
        .iter_mut()
        .filter(|resource| resource.kind == DeclaredKind::Metric)
    {
        let mut found = Vec::new();
        reached(
            &resource.name,
            &own_measures,
            &input_metrics,
            &mut FxHashSet::default(),
            &mut found,
        );
        if let Some(Value::Object(params)) = resource.entry.get_mut("type_params") {
            params.insert("input_measures".into(), Value::Array(found));
        }
    }
}

/// A saved query's exports as dbt writes them: each one's config with
/// where it lands (`schema_name`, `alias`, `database`: the export's, the
/// saved query's, or the target's) and its config as written.
fn complete_exports(context: &LoadContext, resource: &mut DeclaredResource) {
    let query_config = resource.config.clone();
    let Some(Value::Array(exports)) = resource.entry.get_mut("exports") else {
        return;
    };
    for export in exports.iter_mut().filter_map(Value::as_object_mut) {
        let written = match export.get("config") {
            Some(Value::Object(config)) => config.clone(),
            _ => Map::new(),
        };
        let name = export.get("name").map(text_of).unwrap_or_default();
        let pick = |keys: &[&str]| -> Option<Value> {
            keys.iter()
                .find_map(|key| written.get(*key).filter(|value| !value.is_null()))
                .cloned()
        };
        let mut config = Map::new();
        config.insert(
            "export_as".into(),
            pick(&["export_as"])
                .or_else(|| query_config.get("export_as").cloned())
                .unwrap_or(Value::Null),
        );
        config.insert(
            "schema_name".into(),
            pick(&["schema_name", "schema"])
                .or_else(|| {
                    query_config
                        .get("schema")
                        .filter(|value| !value.is_null())
                        .cloned()
                })
                .unwrap_or_else(|| Value::String(context.target.schema.clone())),
        );
        config.insert(
            "alias".into(),
            pick(&["alias"]).unwrap_or(Value::String(name)),
        );
        config.insert(
            "database".into(),
            pick(&["database"]).unwrap_or_else(|| Value::String(context.target.database.clone())),
        );
        export.insert("config".into(), Value::Object(config));
        export.insert("unrendered_config".into(), Value::Object(written));
    }
}

/// A YAML scalar as text (`name: 1` is the name "1").
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A `filter:` as dbt writes it: `{where_filters: [{where_sql_template}]}`
/// (a string or a list of strings), or null.
fn where_filters(filter: Option<Value>) -> Value {
    let templates: Vec<Value> = match filter {
        None | Some(Value::Null) => return Value::Null,
        Some(Value::String(text)) => vec![Value::String(text)],
        Some(Value::Array(items)) => items,
        Some(other) => return other,
    };
    let filters: Vec<Value> = templates
        .into_iter()
        .map(|template| serde_json::json!({"where_sql_template": template}))
        .collect();
    serde_json::json!({ "where_filters": filters })
}

/// A window or offset (`1 month`) as dbt writes it: `{count, granularity}`.
fn time_window(window: Option<Value>) -> Value {
    match window {
        Some(Value::String(text)) => {
            let mut parts = text.split_whitespace();
            match (
                parts.next().and_then(|count| count.parse::<i64>().ok()),
                parts.next(),
            ) {
                (Some(count), Some(granularity)) => serde_json::json!({
                    "count": count,
                    "granularity": granularity.trim_end_matches('s'),
                }),
                _ => Value::String(text),
            }
        }
        Some(other) => other,
        None => Value::Null,
    }
}

/// Reports each node whose `group` config names no declared group, at the
/// `group:` of its YAML entry (or the name in its file).
pub(super) fn report_unknown_groups(
    nodes: &[NodeDetails],
    model_patches: &crate::package_scope::ByPackage<crate::schema_yaml::NodePatch>,
    declared: &[DeclaredResource],
    files: &SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let groups: Vec<&str> = declared
        .iter()
        .filter(|resource| resource.kind == DeclaredKind::Group)
        .map(|resource| resource.name.as_str())
        .collect();
    for node in nodes {
        let Some(group) = node.config.values.get("group").and_then(Value::as_str) else {
            continue;
        };
        if groups.contains(&group) {
            continue;
        }
        let key = match &node.version {
            Some(version) => super::versions::versioned_name(&node.name, version),
            None => node.name.clone(),
        };
        let location = match model_patches.get_in(&node.package_name, &key) {
            Some(patch) => {
                let text = &files.get(patch.file).text;
                let span =
                    crate::yaml::find_key_span(text, "group", patch.name_span.start as usize);
                let span = if span.is_empty() {
                    patch.name_span
                } else {
                    reference_span(text, span, group)
                };
                Some((patch.file, span))
            }
            None => node.file.map(|file| {
                let text = &files.get(file).text;
                (file, reference_span(text, Span::EMPTY, group))
            }),
        };
        let mut diagnostic = Diagnostic::new(
            Code::UnknownGroup,
            format!(
                "`{}` is in group `{group}`, and no group of that name is declared (declared: {})",
                node.unique_id,
                if groups.is_empty() {
                    "none".to_string()
                } else {
                    groups.join(", ")
                }
            ),
        )
        .with_help("declare it under `groups:` in a schema file, with an owner");
        if let Some((file, span)) = location {
            diagnostic = diagnostic.with_primary(file, span, "");
        }
        if let Some(close) = closest_name(group, groups.iter().copied()) {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
        }
        diagnostics.push(diagnostic);
    }
}

/// Warns, as dbt does, of each model past its `deprecation_date`, and of
/// each node reading a model that is past it or will be.
pub(super) fn report_deprecated_models(
    graph: &fusion_ir::graph::ProjectGraph,
    nodes: &[NodeDetails],
    model_patches: &crate::package_scope::ByPackage<crate::schema_yaml::NodePatch>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if nodes.iter().all(|node| node.deprecation_date.is_none()) {
        return;
    }
    let today = today_utc();
    for (index, node) in nodes.iter().enumerate() {
        let Some(date) = &node.deprecation_date else {
            continue;
        };
        let day = date.get(..10).unwrap_or(date);
        let past = day < today.as_str();
        let shown = match &node.version {
            Some(version) => format!("{}.v{version}", node.name),
            None => node.name.clone(),
        };
        if past {
            let key = match &node.version {
                Some(version) => super::versions::versioned_name(&node.name, version),
                None => node.name.clone(),
            };
            let mut diagnostic = Diagnostic::new(
                Code::DeprecatedModelVersion,
                format!(
                    "model {shown} has passed its deprecation date of {day}: it should be disabled or removed"
                ),
            );
            if let Some(patch) = model_patches.get_in(&node.package_name, &key) {
                diagnostic = diagnostic.with_primary(patch.file, patch.name_span, "");
            }
            diagnostics.push(diagnostic);
        }
        let id = fusion_ir::graph::NodeId(index as u32);
        for child in graph.children(id) {
            let reader = &nodes[child.index()];
            if reader.kind == NodeKind::Test {
                continue;
            }
            let newer = match (&node.version, &node.latest_version) {
                (Some(version), Some(latest)) if version != latest => format!(
                    "; a newer version is available: {{{{ ref('{}', v='{latest}') }}}}",
                    node.name
                ),
                _ => String::new(),
            };
            let mut diagnostic = Diagnostic::new(
                Code::DeprecatedModelVersion,
                format!(
                    "`{}` reads {shown}, which {} deprecated on {day}{newer}",
                    reader.unique_id,
                    if past { "was" } else { "will be" }
                ),
            );
            if let Some(dependency) = graph.dependency(id, child) {
                if let Some(file) = dependency.file {
                    diagnostic = diagnostic.with_primary(file, dependency.span, "");
                }
            }
            diagnostics.push(diagnostic);
        }
    }
}

/// Today's date in UTC, `YYYY-MM-DD`.
fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let days = (seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A node a resource can depend on: what `ref()` and `source()` reach.
pub(super) struct Target {
    kind: NodeKind,
    /// dbt's name (a version's model name; a source table's name).
    name: String,
    package: String,
    version: Option<String>,
    latest_version: Option<String>,
    unique_id: String,
    /// A source table's `(source, table)`.
    source: Option<(String, String)>,
}

/// The enabled nodes resources can depend on, known before any render:
/// the template nodes (by their configs), the seeds, the source tables.
pub(super) fn targets(
    context: &LoadContext,
    template_nodes: &[TemplateNode],
    configs: &[NodeConfig],
    seeds: &[NodeDetails],
    source_decls: &[crate::schema_yaml::SourceDecl],
) -> Vec<Target> {
    let mut targets = Vec::new();
    for (node, config) in template_nodes.iter().zip(configs) {
        if !config.enabled() {
            continue;
        }
        let package = &context.units[node.unit].name;
        targets.push(Target {
            kind: node.kind,
            name: node.dbt_name().to_string(),
            package: package.clone(),
            version: node.version.as_ref().map(|version| version.version.clone()),
            latest_version: node.version.as_ref().map(|version| version.latest.clone()),
            unique_id: node.unique_id(package),
            source: None,
        });
    }
    for seed in seeds {
        targets.push(Target {
            kind: NodeKind::Seed,
            name: seed.name.clone(),
            package: seed.package_name.clone(),
            version: None,
            latest_version: None,
            unique_id: seed.unique_id.clone(),
            source: None,
        });
    }
    for source in source_decls {
        for table in &source.tables {
            targets.push(Target {
                kind: NodeKind::Source,
                name: table.name.clone(),
                package: source.package.clone(),
                version: None,
                latest_version: None,
                unique_id: format!("source.{}.{}.{}", source.package, source.name, table.name),
                source: Some((source.name.clone(), table.name.clone())),
            });
        }
    }
    targets
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
    let mut unrendered_config = own_config.clone();
    if kind == DeclaredKind::Exposure {
        // An exposure's own `config:` replaces, key by key, what the
        // project files give it, and its top-level tags come first (as
        // dbt-core 1.11 builds it); what was configured is its unrendered
        // config.
        let mut project_config = Map::new();
        for layer in own_layers.iter().chain(&root_layers) {
            project_config.extend(layer.clone());
        }
        project_config.extend(own_config.clone());
        unrendered_config.clone_from(&project_config);
        for layer in [&top_level, &project_config] {
            apply(layer, &mut tags, &mut meta);
        }
    } else {
        for layer in own_layers
            .iter()
            .chain([&top_level, &own_config])
            .chain(&root_layers)
        {
            apply(layer, &mut tags, &mut meta);
        }
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
            // dbt-core 1.11 gives a group the configs the project files'
            // `models:` tree sets at [package, group] (`materialized`...).
            let (own, root) = project_file_layers(
                context,
                unit,
                |settings: &ProjectSettings| &settings.models,
                &[package.clone(), name.clone()],
            );
            for layer in own.iter().chain(&root) {
                for (key, value) in layer {
                    if !matches!(key.as_str(), "meta" | "tags" | "enabled") {
                        config.insert(key.clone(), value.clone());
                    }
                }
            }
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
        unrendered_config,
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
        measures: Vec::new(),
        entry,
    })
}

/// The measures and metrics a metric reads, from its `type_params`.
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
    let mut measures: Vec<String> = Vec::new();
    measures.extend(field(params, "measure").and_then(name_of));
    if let Some(Value::Object(conversion)) = field(params, "conversion_type_params") {
        for key in ["base_measure", "conversion_measure"] {
            measures.extend(field(conversion, key).and_then(name_of));
        }
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
    resource.measures = measures;
}

/// What a resource's references are looked up in.
struct Lookup<'a> {
    /// Refable nodes (models, seeds, snapshots) by name.
    refable: FxHashMap<&'a str, Vec<&'a Target>>,
    /// Source tables by `source.table`.
    sources: FxHashMap<(&'a str, &'a str), Vec<&'a Target>>,
    /// Enabled metrics by name: unique ids.
    metrics: FxHashMap<String, Vec<(String, String)>>,
    /// Measures by name: the unique id of the semantic model declaring it.
    measures: FxHashMap<String, String>,
}

impl<'a> Lookup<'a> {
    fn new(nodes: &'a [Target], resources: &[DeclaredResource]) -> Lookup<'a> {
        let mut refable: FxHashMap<&str, Vec<&Target>> = FxHashMap::default();
        let mut sources: FxHashMap<(&str, &str), Vec<&Target>> = FxHashMap::default();
        for node in nodes {
            match node.kind {
                NodeKind::Model | NodeKind::Seed | NodeKind::Snapshot => {
                    refable.entry(node.name.as_str()).or_default().push(node);
                }
                NodeKind::Source => {
                    if let Some((source, table)) = &node.source {
                        sources
                            .entry((source.as_str(), table.as_str()))
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
    fn find_ref(&self, call: &RefCall, own_package: &str) -> Option<&'a Target> {
        let candidates = self.refable.get(call.name.as_str())?;
        let version_matches = |node: &&&Target| match &call.version {
            Some(version) => node.version.as_deref() == Some(version.as_str()),
            None => node.version.is_none() || node.version == node.latest_version,
        };
        let in_package = |package: &str| {
            candidates
                .iter()
                .filter(version_matches)
                .find(|node| node.package == package)
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
    /// measures' semantic models, then metrics, each once (dbt's order); each name that reaches nothing
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
                        .find(|node| node.package == resource.package_name)
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
        for measure in &resource.measures {
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
        }
        for parts in &resource.metrics {
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
                // Every call is kept, repeats too, as dbt keeps them (its
                // `depends_on` lists each node once).
                RecordedCall::Ref(call) => resource.refs.push(call),
                RecordedCall::Source(call) => resource.sources.push(call),
                RecordedCall::Metric(parts) => resource.metrics.push(parts),
            }
        }
    }
}
