//! Phase: the relation each declared source table renders as.

use super::LoadContext;
use crate::package_scope::ByPackage;
use crate::quoting::{QuotePolicy, QuotingConfig};
use crate::relation::RelationParts;
use crate::schema_yaml::SourceDecl;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use serde_json::{Map, Value};

/// What `source()` renders for each (source, table) by package (the first
/// declaration of a table in a package wins): its relation, or for
/// an external source the text that reads it.
pub(super) fn source_relations(
    context: &LoadContext,
    source_decls: &[SourceDecl],
    diagnostics: &mut Vec<Diagnostic>,
) -> ByPackage<RelationParts> {
    let target = &context.target;
    let mut source_relations: ByPackage<RelationParts> = ByPackage::default();
    for source in source_decls {
        for table in &source.tables {
            let database = source.database.as_deref().unwrap_or(&target.database);
            match context
                .adapter_naming
                .external_source(source, table, database)
            {
                Ok(None) => {}
                Ok(Some(text)) => {
                    let _ = source_relations.insert(
                        &source.package,
                        &format!("{}.{}", source.name, table.name),
                        RelationParts {
                            database: None,
                            schema: None,
                            identifier: text,
                            ephemeral_cte: true,
                            quoting: QuotePolicy::NONE,
                        },
                    );
                    continue;
                }
                Err(message) => diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidConfig,
                        format!(
                            "source `{}.{}`: external_location {message}",
                            source.name, table.name
                        ),
                    )
                    .at(source.file, source.name_span),
                ),
            }
            let _ = source_relations.insert(
                &source.package,
                &format!("{}.{}", source.name, table.name),
                RelationParts {
                    database: Some(
                        source
                            .database
                            .clone()
                            .unwrap_or_else(|| target.database.clone()),
                    ),
                    schema: Some(source.schema.clone()),
                    identifier: table.identifier.clone(),
                    ephemeral_cte: false,
                    quoting: source_quoting(context, &source.quoting, &table.quoting),
                },
            );
        }
    }
    source_relations
}

/// How `source()` quotes a source table: the adapter's policy with the
/// source's and the table's `quoting:` over it. dbt documents that the
/// project's `quoting:` does not apply to sources.
pub(super) fn source_quoting(
    context: &LoadContext,
    source: &QuotingConfig,
    table: &QuotingConfig,
) -> QuotePolicy {
    context
        .adapter_naming
        .quote_policy()
        .overridden(&source.merged(table))
}

/// A source table's config with every key dbt's source config has, in
/// dbt's order (`enabled`, `event_time`, `freshness`, `loaded_at_field`,
/// `loaded_at_query`, `meta`, `tags`, `static_analysis`), unset ones as dbt
/// fills them; `freshness` has both rules and the filter (each unset part
/// null), unless the table turned freshness off (null).
pub(super) fn source_config_as_dbt(config: &Map<String, Value>) -> Map<String, Value> {
    let freshness = match config.get("freshness") {
        Some(Value::Null) => Value::Null,
        written => {
            let rules = written.and_then(Value::as_object);
            let rule = |name: &str| {
                let rule = rules
                    .and_then(|rules| rules.get(name))
                    .and_then(Value::as_object);
                let part = |key: &str| {
                    rule.and_then(|rule| rule.get(key))
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                serde_json::json!({"count": part("count"), "period": part("period")})
            };
            let mut shaped = Map::new();
            shaped.insert("warn_after".to_string(), rule("warn_after"));
            shaped.insert("error_after".to_string(), rule("error_after"));
            for (key, value) in rules.into_iter().flatten() {
                shaped.entry(key.clone()).or_insert_with(|| value.clone());
            }
            shaped.entry("filter".to_string()).or_insert(Value::Null);
            Value::Object(shaped)
        }
    };
    let mut shaped = Map::new();
    let mut take = |key: &str, default: Value| {
        let value = config.get(key).cloned().unwrap_or(default);
        shaped.insert(key.to_string(), value);
    };
    take("enabled", Value::Bool(true));
    take("event_time", Value::Null);
    take("freshness", freshness.clone());
    take("loaded_at_field", Value::Null);
    take("loaded_at_query", Value::Null);
    take("meta", Value::Object(Map::new()));
    take("tags", Value::Array(Vec::new()));
    take("static_analysis", Value::Null);
    shaped.insert("freshness".to_string(), freshness);
    for (key, value) in config {
        shaped.entry(key.clone()).or_insert_with(|| value.clone());
    }
    shaped
}
