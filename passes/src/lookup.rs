//! How the binder finds the relations a query reads by name: the
//! [`RelationLookup`] trait the driver implements, and [`CatalogLookup`], a
//! ready implementation over a `fusion_ir::schema::Catalog`.

use fusion_ir::name::Name;
use fusion_ir::query::ObjectName;
use fusion_ir::schema::{Catalog, RelationName, RelationSchema};
use fusion_ir::semantics::DialectSemantics;
use rustc_hash::FxHashMap;

/// A relation the lookup found for a written name.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedRelation {
    pub relation: RelationName,
    pub schema: RelationSchema,
}

/// What a lookup of a written table name gives.
#[derive(Clone, Debug, PartialEq)]
pub enum LookupOutcome {
    Found(ResolvedRelation),
    NotFound,
    /// The written name matches several relations (`orders` when both
    /// `main.orders` and `staging.orders` exist).
    Ambiguous(Vec<RelationName>),
}

/// The relations a query may read. Implemented by the driver over the
/// project graph, and by [`CatalogLookup`].
pub trait RelationLookup: Sync {
    /// Resolves a table name as written in `FROM`.
    fn lookup(&self, name: &ObjectName) -> LookupOutcome;

    /// Names to suggest when a lookup fails (identifiers, as people write them).
    fn candidate_names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A [`RelationLookup`] over a catalog. A written name matches a catalog key
/// when its parts match the key's parts from the right, compared with the
/// dialect's identifier rules: `orders`, `main.orders` and
/// `"db"."main"."orders"` all match `db.main.orders`.
pub struct CatalogLookup<'a> {
    entries: Vec<(&'a RelationName, &'a RelationSchema)>,
    /// Entry indexes by lower-cased identifier: a coarse bucket, refined
    /// with `names_match` (no dialect folds more loosely than ASCII case).
    by_identifier: FxHashMap<Name, Vec<usize>>,
    semantics: &'a dyn DialectSemantics,
}

impl<'a> CatalogLookup<'a> {
    pub fn new(catalog: &'a Catalog, semantics: &'a dyn DialectSemantics) -> CatalogLookup<'a> {
        CatalogLookup::from_entries(catalog.relations.iter(), semantics)
    }

    /// Builds a lookup over any list of named schemas.
    pub fn from_entries(
        entries: impl IntoIterator<Item = (&'a RelationName, &'a RelationSchema)>,
        semantics: &'a dyn DialectSemantics,
    ) -> CatalogLookup<'a> {
        let entries: Vec<(&'a RelationName, &'a RelationSchema)> = entries.into_iter().collect();
        let mut by_identifier: FxHashMap<Name, Vec<usize>> = FxHashMap::default();
        for (index, (name, _)) in entries.iter().enumerate() {
            by_identifier
                .entry(name.identifier.to_ascii_lowercase())
                .or_default()
                .push(index);
        }
        CatalogLookup {
            entries,
            by_identifier,
            semantics,
        }
    }

    fn matches(&self, written: &ObjectName, key: &RelationName) -> bool {
        let folded: Vec<Name> = written
            .parts
            .iter()
            .map(|part| self.semantics.fold_identifier(part))
            .collect();
        let key_parts = [key.database, key.schema, Some(key.identifier)];
        if folded.is_empty() || folded.len() > key_parts.len() {
            return false;
        }
        folded
            .iter()
            .rev()
            .zip(key_parts.iter().rev())
            .all(|(written_part, key_part)| {
                key_part.is_some_and(|key_part| self.semantics.names_match(*written_part, key_part))
            })
    }
}

impl RelationLookup for CatalogLookup<'_> {
    fn lookup(&self, name: &ObjectName) -> LookupOutcome {
        let Some(last) = name.last() else {
            return LookupOutcome::NotFound;
        };
        let bucket = self.semantics.fold_identifier(last).to_ascii_lowercase();
        let matching: Vec<usize> = self
            .by_identifier
            .get(&bucket)
            .map(|indexes| {
                indexes
                    .iter()
                    .copied()
                    .filter(|&index| self.matches(name, self.entries[index].0))
                    .collect()
            })
            .unwrap_or_default();
        match matching.as_slice() {
            [] => LookupOutcome::NotFound,
            [index] => {
                let (relation, schema) = self.entries[*index];
                LookupOutcome::Found(ResolvedRelation {
                    relation: relation.clone(),
                    schema: schema.clone(),
                })
            }
            several => LookupOutcome::Ambiguous(
                several
                    .iter()
                    .map(|&index| self.entries[index].0.clone())
                    .collect(),
            ),
        }
    }

    fn candidate_names(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|(name, _)| name.identifier.as_str().to_owned())
            .collect()
    }
}
