//! Phase: model versions (`versions:` under a model in schema YAML, dbt
//! 1.5+). Each version is its own model node, defined by the file its
//! `defined_in:` names or by `<model>_v<version>.sql`; it is keyed by
//! `<model>_v<version>` (the name `ref(model, v=...)` looks up, its
//! default alias and the model name in its tests' names), and the model's
//! name alone reaches its latest version. Each version gets a patch of its
//! own: the model's, with the version's columns (`include:`/`exclude:` of
//! the model's, then its own) and config over the model's.

use super::templates::{ModelVersion, TemplateNode};
use super::LoadContext;
use crate::package_scope::ByPackage;
use crate::schema_yaml::{NodePatch, VersionDecl};
use fusion_ir::graph::NodeKind;
use serde_json::Value;

/// The name a version of a model is keyed by: `customers_v2`.
pub(super) fn versioned_name(model_name: &str, version: &str) -> String {
    format!("{model_name}_v{version}")
}

/// Turns the template nodes of each versioned model's versions into
/// versions of it, and replaces the model's patch by one per version.
pub(super) fn apply_model_versions(
    context: &LoadContext,
    template_nodes: &mut [TemplateNode],
    model_patches: &mut ByPackage<NodePatch>,
) {
    let versioned: Vec<(String, String)> = model_patches
        .values()
        .filter(|patch| !patch.versions.is_empty())
        .map(|patch| (patch.package.clone(), patch.name.clone()))
        .collect();
    for (package, model_name) in versioned {
        let Some(patch) = model_patches.remove(&package, &model_name) else {
            continue;
        };
        let latest = patch
            .latest_version
            .clone()
            .unwrap_or_else(|| highest_version(&patch.versions));
        for version in &patch.versions {
            let file_name = version
                .defined_in
                .clone()
                .unwrap_or_else(|| versioned_name(&model_name, &version.version));
            let key = versioned_name(&model_name, &version.version);
            let node = template_nodes.iter_mut().find(|node| {
                node.kind == NodeKind::Model
                    && node.version.is_none()
                    && context.units[node.unit].name == package
                    && node.name == file_name
            });
            // dbt lists the versions it finds a file for and passes over
            // the others in silence.
            let Some(node) = node else {
                continue;
            };
            node.name.clone_from(&key);
            node.fqn.pop();
            node.fqn.push(model_name.clone());
            node.fqn.push(format!("v{}", version.version));
            node.version = Some(ModelVersion {
                model_name: model_name.clone(),
                version: version.version.clone(),
                latest: latest.clone(),
            });
            let version_patch = patch_of_version(&patch, version, key.clone());
            // The version's key is new: no other entry can hold it but a
            // model file of that name, which dbt refuses as well.
            let _ = model_patches.insert(&package, &key, version_patch);
        }
    }
}

/// The highest of the versions (numerically when they are numbers).
fn highest_version(versions: &[VersionDecl]) -> String {
    versions
        .iter()
        .map(|version| version.version.clone())
        .max_by(
            |left, right| match (left.parse::<f64>(), right.parse::<f64>()) {
                (Ok(left), Ok(right)) => left.total_cmp(&right),
                _ => left.cmp(right),
            },
        )
        .unwrap_or_default()
}

/// The patch of one version: the model's description, the model's columns
/// it includes with its own over them, the model's tests on those columns
/// (and on the model) with its own, and its config over the model's (tags
/// of both, its own first).
fn patch_of_version(patch: &NodePatch, version: &VersionDecl, key: String) -> NodePatch {
    let mut columns: Vec<_> = patch
        .columns
        .iter()
        .filter(|column| version.include.includes(&column.name))
        .filter(|column| !version.columns.iter().any(|own| own.name == column.name))
        .cloned()
        .collect();
    columns.extend(version.columns.iter().cloned());
    let mut tests: Vec<_> = patch
        .tests
        .iter()
        .filter(|test| {
            test.column_name
                .as_deref()
                .is_none_or(|column| columns.iter().any(|kept| kept.name == column))
        })
        .cloned()
        .collect();
    tests.extend(version.tests.iter().cloned());
    let mut config = patch.config.clone();
    for (key, value) in &version.config {
        if key == "tags" {
            let mut tags = crate::config::string_list(Some(value));
            for tag in crate::config::string_list(patch.config.get("tags")) {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
            config.insert(key.clone(), tags.into_iter().map(Value::String).collect());
        } else {
            config.insert(key.clone(), value.clone());
        }
    }
    NodePatch {
        name: key,
        package: patch.package.clone(),
        description: version
            .description
            .clone()
            .unwrap_or_else(|| patch.description.clone()),
        doc_blocks: patch.doc_blocks.clone(),
        columns,
        config,
        tests,
        file: patch.file,
        yaml_path: patch.yaml_path.clone(),
        name_span: patch.name_span,
        latest_version: None,
        deprecation_date: version
            .deprecation_date
            .clone()
            .or_else(|| patch.deprecation_date.clone()),
        time_spine: patch.time_spine.clone(),
        versions: Vec::new(),
    }
}
