//! Reads of relations whose columns nobody declared (FC4013): a source
//! declared in YAML without `columns:` binds as a relation of unknown
//! schema, so the binder checks nothing a query reads from it (its columns,
//! their types, the query's output). Said once per query and relation,
//! where the query reads it, so that the user knows which checks were
//! skipped and how to get them back.
//!
//! Only relations unknown at their root are reported: a model whose output
//! is unknown because it reads such a source (or because it failed) is not,
//! so one undeclared source yields one warning per reader, not one per
//! descendant.

use crate::bind::{BoundQuery, ScanTarget};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::query::{Query, RelKind};
use fusion_ir::schema::{RelationName, RelationSchema};
use fusion_ir::span::{FileId, FileSpan};
use rustc_hash::FxHashMap;

/// A relation whose columns are not declared.
#[derive(Clone, Debug)]
pub struct UndeclaredRelation {
    /// The relation as queries read it.
    pub relation: RelationName,
    /// What it is, for the message: ``source `shop.orders` ``.
    pub description: String,
    /// Where it is declared, when known.
    pub declared_at: Option<FileSpan>,
    /// How to declare its columns.
    pub help: String,
}

/// The undeclared relations of a project, by name.
#[derive(Clone, Debug, Default)]
pub struct UndeclaredRelations {
    by_name: FxHashMap<RelationName, UndeclaredRelation>,
}

impl UndeclaredRelations {
    /// Indexes `relations` by name (the first of a name wins).
    pub fn new(relations: impl IntoIterator<Item = UndeclaredRelation>) -> UndeclaredRelations {
        let mut by_name = FxHashMap::default();
        for relation in relations {
            by_name.entry(relation.relation.clone()).or_insert(relation);
        }
        UndeclaredRelations { by_name }
    }
}

/// One FC4013 warning for each relation of `undeclared` that `query` (bound
/// as `bound`, its spans in `file`) reads, at its first read.
pub fn unknown_schema_reads(
    query: &Query,
    bound: &BoundQuery,
    file: FileId,
    undeclared: &UndeclaredRelations,
) -> Vec<Diagnostic> {
    let mut reported: Vec<&RelationName> = Vec::new();
    let mut diagnostics = Vec::new();
    for (index, rel) in query.rels.iter().enumerate() {
        let RelKind::Scan { table, .. } = &rel.kind else {
            continue;
        };
        let Some(Some(ScanTarget::Relation(relation))) = bound.scan_targets.get(index) else {
            continue;
        };
        // A relation another node also builds with known columns (a seed
        // loading the table a source declares) binds as known.
        if let Some(Some(RelationSchema::Known(_))) = bound.rel_schemas.get(index) {
            continue;
        }
        let Some(found) = undeclared.by_name.get(relation) else {
            continue;
        };
        if reported.contains(&relation) {
            continue;
        }
        reported.push(relation);
        let mut diagnostic = Diagnostic::new(
            Code::UnknownSchema,
            format!(
                "the columns of {} are unknown, so what this query reads from it is not checked",
                found.description
            ),
        )
        .with_primary(file, table.span(), "columns unknown")
        .with_help(found.help.clone());
        if let Some(declared_at) = found.declared_at {
            diagnostic = diagnostic.with_secondary(
                declared_at.file,
                declared_at.span,
                "declared here without columns",
            );
        }
        diagnostics.push(diagnostic);
    }
    diagnostics
}
