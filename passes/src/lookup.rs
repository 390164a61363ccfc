//! How the binder finds the relations a query reads by name: the
//! [`RelationLookup`] trait the driver implements, and [`CatalogLookup`], a
//! ready implementation over a `fusion_ir::schema::Catalog`.

use fusion_ir::name::Name;
use fusion_ir::query::ObjectName;
use fusion_ir::schema::{Catalog, RelationName, RelationSchema};
use fusion_ir::semantics::DialectSemantics;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

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
    index: Cow<'a, RelationIndex>,
    semantics: &'a dyn DialectSemantics,
}

/// Entry positions by lower-cased identifier: a coarse bucket, refined with
/// `names_match` (no dialect folds more loosely than ASCII case). Built once
/// and shared when the same names are looked up with changing schemas (schema
/// inference binds the project wave by wave over one list of relations).
#[derive(Clone, Debug, Default)]
pub struct RelationIndex {
    by_identifier: FxHashMap<Name, Vec<usize>>,
}

impl RelationIndex {
    pub fn new<'n>(names: impl IntoIterator<Item = &'n RelationName>) -> RelationIndex {
        let mut by_identifier: FxHashMap<Name, Vec<usize>> = FxHashMap::default();
        for (position, name) in names.into_iter().enumerate() {
            by_identifier
                .entry(name.identifier.to_ascii_lowercase())
                .or_default()
                .push(position);
        }
        RelationIndex { by_identifier }
    }
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
        let index = RelationIndex::new(entries.iter().map(|(name, _)| *name));
        CatalogLookup {
            entries,
            index: Cow::Owned(index),
            semantics,
        }
    }

    /// A lookup over `entries` with an index built from the same names in
    /// the same order (`RelationIndex::new`).
    pub fn with_index(
        entries: Vec<(&'a RelationName, &'a RelationSchema)>,
        index: &'a RelationIndex,
        semantics: &'a dyn DialectSemantics,
    ) -> CatalogLookup<'a> {
        CatalogLookup {
            entries,
            index: Cow::Borrowed(index),
            semantics,
        }
    }

    fn matches(&self, written: &ObjectName, key: &RelationName) -> bool {
        self.parts_match(written, key, |written_part, key_part| {
            self.semantics.names_match(written_part, key_part)
        })
    }

    /// Whether the written name, folded, equals the key's parts exactly:
    /// among several relations that match it loosely (`"ORGM".x` matches
    /// both `ORGM.x` and `Orgm.x`), the one it names as written.
    fn matches_exactly(&self, written: &ObjectName, key: &RelationName) -> bool {
        self.parts_match(written, key, |written_part, key_part| {
            written_part == key_part
        })
    }

    fn parts_match(
        &self,
        written: &ObjectName,
        key: &RelationName,
        part_matches: impl Fn(Name, Name) -> bool,
    ) -> bool {
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
                key_part.is_some_and(|key_part| part_matches(*written_part, key_part))
            })
    }
}

impl RelationLookup for CatalogLookup<'_> {
    fn lookup(&self, name: &ObjectName) -> LookupOutcome {
        let Some(last) = name.last() else {
            return LookupOutcome::NotFound;
        };
        let bucket = self.semantics.fold_identifier(last).to_ascii_lowercase();
        let mut matching: Vec<usize> = Vec::new();
        let candidates = self
            .index
            .by_identifier
            .get(&bucket)
            .map_or(&[][..], Vec::as_slice);
        for &index in candidates {
            if !self.matches(name, self.entries[index].0) {
                continue;
            }
            // Two entries for one relation (a seed that loads the table a
            // source declares) are one relation, not an ambiguity: keep the
            // entry whose schema is known.
            let same_relation = matching
                .iter()
                .position(|&kept| self.entries[kept].0 == self.entries[index].0);
            match same_relation {
                Some(position) => {
                    if matches!(self.entries[matching[position]].1, RelationSchema::Unknown) {
                        matching[position] = index;
                    }
                }
                None => matching.push(index),
            }
        }
        if matching.len() > 1 {
            let exact: Vec<usize> = matching
                .iter()
                .copied()
                .filter(|&index| self.matches_exactly(name, self.entries[index].0))
                .collect();
            if exact.len() == 1 {
                matching = exact;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::{CatalogLookup, LookupOutcome, RelationLookup};
    use fusion_ir::name::Name;
    use fusion_ir::query::{Ident, ObjectName};
    use fusion_ir::schema::{Column, RelationName, RelationSchema, Schema};
    use fusion_ir::span::Span;
    use fusion_ir::types::SqlType;
    use std::sync::Arc;
    use test_semantics::{CaseInsensitive, KeepsQuotedCase};

    /// Just enough semantics for name lookups (passes never names a dialect).
    mod test_semantics {
        use fusion_ir::name::Name;
        use fusion_ir::query::Ident;
        use fusion_ir::semantics::DialectSemantics;

        pub(super) struct CaseInsensitive;

        impl DialectSemantics for CaseInsensitive {
            fn name(&self) -> &'static str {
                "test"
            }
            fn fold_identifier(&self, ident: &Ident) -> Name {
                ident.name.to_ascii_lowercase()
            }
            fn names_match(&self, left: Name, right: Name) -> bool {
                left.eq_ignore_ascii_case(right)
            }
        }

        /// Folds unquoted names to lower case and keeps quoted ones as
        /// written, but compares names loosely (as the dialects do).
        pub(super) struct KeepsQuotedCase;

        impl DialectSemantics for KeepsQuotedCase {
            fn name(&self) -> &'static str {
                "test_quoted"
            }
            fn fold_identifier(&self, ident: &Ident) -> Name {
                if ident.quoted {
                    ident.name
                } else {
                    ident.name.to_ascii_lowercase()
                }
            }
            fn names_match(&self, left: Name, right: Name) -> bool {
                left.eq_ignore_ascii_case(right)
            }
        }
    }

    fn relation(schema: &str, identifier: &str) -> RelationName {
        RelationName {
            database: Some(Name::new("db")),
            schema: Some(Name::new(schema)),
            identifier: Name::new(identifier),
        }
    }

    fn written(parts: &[&str]) -> ObjectName {
        written_quoted(parts, false)
    }

    fn written_quoted(parts: &[&str], quoted: bool) -> ObjectName {
        ObjectName {
            parts: parts
                .iter()
                .map(|part| Ident {
                    name: Name::new(part),
                    quoted,
                    span: Span::EMPTY,
                })
                .collect(),
        }
    }

    #[test]
    fn one_relation_under_two_entries_is_not_ambiguous() {
        // A seed that loads the table a source declares: same relation twice.
        let known = RelationSchema::Known(Arc::new(Schema::new(vec![Column::new(
            Name::new("id"),
            SqlType::INT32,
            true,
        )])));
        let entries = [
            (relation("main", "orders"), RelationSchema::Unknown),
            (relation("main", "orders"), known.clone()),
            (relation("staging", "customers"), RelationSchema::Unknown),
            (relation("marts", "customers"), RelationSchema::Unknown),
        ];
        let lookup = CatalogLookup::from_entries(
            entries.iter().map(|(name, schema)| (name, schema)),
            &CaseInsensitive,
        );
        match lookup.lookup(&written(&["db", "main", "orders"])) {
            LookupOutcome::Found(found) => assert_eq!(found.schema, known),
            other => panic!("expected one relation, got {other:?}"),
        }
        assert!(matches!(
            lookup.lookup(&written(&["customers"])),
            LookupOutcome::Ambiguous(candidates) if candidates.len() == 2
        ));
    }

    #[test]
    fn a_quoted_name_picks_the_relation_it_spells_among_loose_matches() {
        // Two relations apart in a warehouse that keeps quoted names' case
        // (Postgres' "Landing"."Orders" and "LANDING"."ORDERS").
        let entries = [
            (relation("Landing", "Orders"), RelationSchema::Unknown),
            (relation("LANDING", "ORDERS"), RelationSchema::Unknown),
        ];
        let lookup = CatalogLookup::from_entries(
            entries.iter().map(|(name, schema)| (name, schema)),
            &KeepsQuotedCase,
        );
        match lookup.lookup(&written_quoted(&["LANDING", "ORDERS"], true)) {
            LookupOutcome::Found(found) => assert_eq!(found.relation, entries[1].0),
            other => panic!("expected the upper-case relation, got {other:?}"),
        }
        assert!(matches!(
            lookup.lookup(&written(&["landing", "orders"])),
            LookupOutcome::Ambiguous(candidates) if candidates.len() == 2
        ));
    }
}
