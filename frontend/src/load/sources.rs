//! Phase: the relation each declared source table renders as.

use super::LoadContext;
use crate::package_scope::ByPackage;
use crate::quoting::{QuotePolicy, QuotingConfig};
use crate::relation::RelationParts;
use crate::schema_yaml::SourceDecl;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;

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
