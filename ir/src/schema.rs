//! Schemas: ordered lists of named, typed columns, and the catalog of
//! relations that a query can read.

use crate::name::Name;
use crate::types::SqlType;
use indexmap::IndexMap;
use serde::Serialize;
use std::sync::Arc;

/// One column of a relation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Column {
    /// The name as the relation exposes it (case as written or as folded by
    /// the dialect that produced it).
    pub name: Name,
    /// The column's type; [`SqlType::Unknown`] when it cannot be inferred.
    pub ty: SqlType,
    /// Whether the column may hold NULL (`false` for a `NOT NULL` column).
    pub nullable: bool,
}

impl Column {
    /// A column of that name, type and nullability.
    pub fn new(name: Name, ty: SqlType, nullable: bool) -> Column {
        Column { name, ty, nullable }
    }
}

/// The columns of a relation, in order. Query outputs may repeat a name
/// (`select id, id`), so this is a list; lookups go through the dialect's
/// name comparison (see `DialectSemantics::names_match`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Schema {
    /// The columns, in the relation's order.
    pub columns: Vec<Column>,
}

impl Schema {
    /// A schema of these columns, in this order.
    pub fn new(columns: Vec<Column>) -> Schema {
        Schema { columns }
    }

    /// How many columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether there are no columns.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// What is known of the columns of a relation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RelationSchema {
    /// The columns are known (declared, inferred from a seed, or inferred
    /// from an upstream model's query).
    Known(Arc<Schema>),
    /// The columns are not known (a source declared without columns, or an
    /// upstream model that failed analysis). Column checks against it are
    /// skipped, not failed.
    Unknown,
}

/// The fully qualified name of a relation in the warehouse.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RelationName {
    /// The database (catalog, BigQuery project), when named.
    pub database: Option<Name>,
    /// The schema (BigQuery dataset), when named.
    pub schema: Option<Name>,
    /// The table or view's own name.
    pub identifier: Name,
}

impl std::fmt::Display for RelationName {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(database) = self.database {
            write!(formatter, "{database}.")?;
        }
        if let Some(schema) = self.schema {
            write!(formatter, "{schema}.")?;
        }
        write!(formatter, "{}", self.identifier)
    }
}

/// The relations a query may read, by name, in insertion order.
/// Keys are relation names as the dialect folds them.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Each relation's schema, by name.
    pub relations: IndexMap<RelationName, RelationSchema>,
}
