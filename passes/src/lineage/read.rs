//! The vocabulary every part of lineage shares: how a value reaches an
//! output column ([`ReadKind`]), and which upstream column it comes from
//! ([`QuerySource`], [`SourceColumn`]). Below the query and project lineage
//! and the builder's files, which all import it.

use fusion_ir::lineage::EdgeKind;
use fusion_ir::name::Name;
use fusion_ir::schema::RelationName;

/// How a value reaches an output column along one path inside a query.
/// `Direct` becomes `copy` or `rename` once the names at both ends are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReadKind {
    Direct,
    Transform,
    Aggregate,
    Window,
    Filter,
    JoinKey,
}

impl ReadKind {
    fn is_row_level(self) -> bool {
        matches!(self, ReadKind::Filter | ReadKind::JoinKey)
    }

    /// The kind of a path that goes through `self` and then through `inner`
    /// (`self` is the step nearer the output). A column that decides rows
    /// anywhere along the path decides rows of the output; otherwise the
    /// strongest value kind wins (`window` > `aggregate` > `transform` > direct).
    pub fn then(self, inner: ReadKind) -> ReadKind {
        if self.is_row_level() {
            self
        } else if inner.is_row_level() {
            inner
        } else {
            self.max(inner)
        }
    }

    /// The edge kind for an output column named `output` that reads a column
    /// named `upstream` this way. Names compare ignoring ASCII case: every
    /// dialect fusionc knows folds unquoted names one way or the other.
    pub fn edge_kind(self, output: &str, upstream: &str) -> EdgeKind {
        match self {
            ReadKind::Direct if output.eq_ignore_ascii_case(upstream) => EdgeKind::Copy,
            ReadKind::Direct => EdgeKind::Rename,
            ReadKind::Transform => EdgeKind::Transform,
            ReadKind::Aggregate => EdgeKind::Aggregate,
            ReadKind::Window => EdgeKind::Window,
            ReadKind::Filter => EdgeKind::Filter,
            ReadKind::JoinKey => EdgeKind::JoinKey,
        }
    }
}

/// Which column of a relation a source is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceColumn {
    /// The column at `position` of the relation, named `name` where the
    /// query reads it (a table alias may have renamed it: the upstream's
    /// own name is the one at `position` of its schema).
    Known { position: usize, name: Name },
    /// The relation's columns are unknown; `written` is the column name the
    /// query uses, when a column reference (not a `*`) reads it.
    Unknown { written: Option<Name> },
}

/// One upstream column of an output column of a query.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QuerySource {
    pub relation: RelationName,
    pub column: SourceColumn,
    pub kind: ReadKind,
}

/// The same source, read along a path of kind `kind`.
pub(crate) fn with_kind(source: &QuerySource, kind: ReadKind) -> QuerySource {
    QuerySource {
        relation: source.relation.clone(),
        column: source.column.clone(),
        kind,
    }
}
