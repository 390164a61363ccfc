//! Phase: the relation each declared source table renders as.

use super::LoadContext;
use crate::relation::RelationParts;
use crate::schema_yaml::SourceDecl;
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use rustc_hash::FxHashMap;

/// What `source()` renders for each (source, table): its relation, or for
/// an external source the text that reads it.
pub(super) fn source_relations(
    context: &LoadContext,
    source_decls: &[SourceDecl],
    diagnostics: &mut Vec<Diagnostic>,
) -> FxHashMap<(String, String), RelationParts> {
    let target = &context.target;
    let mut source_relations: FxHashMap<(String, String), RelationParts> = FxHashMap::default();
    for source in source_decls {
        for table in &source.tables {
            let database = source.database.as_deref().unwrap_or(&target.database);
            match context
                .adapter_naming
                .external_source(source, table, database)
            {
                Ok(None) => {}
                Ok(Some(text)) => {
                    source_relations.insert(
                        (source.name.clone(), table.name.clone()),
                        RelationParts {
                            database: None,
                            schema: None,
                            identifier: text,
                            ephemeral_cte: true,
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
            source_relations.insert(
                (source.name.clone(), table.name.clone()),
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
                },
            );
        }
    }
    source_relations
}
