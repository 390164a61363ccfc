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
    pub ty: SqlType,
    pub nullable: bool,
}

impl Column {
    pub fn new(name: Name, ty: SqlType, nullable: bool) -> Column {
        Column { name, ty, nullable }
    }
}

/// The columns of a relation, in order. Query outputs may repeat a name
/// (`select id, id`), so this is a list; lookups go through the dialect's
/// name comparison (see `DialectSemantics::names_match`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Schema {
    pub columns: Vec<Column>,
}

impl Schema {
    pub fn new(columns: Vec<Column>) -> Schema {
        Schema { columns }
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

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
    pub database: Option<Name>,
    pub schema: Option<Name>,
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
    pub relations: IndexMap<RelationName, RelationSchema>,
}
