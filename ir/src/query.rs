//! The relational IR: what every dialect's parser lowers into.
//!
//! A [`Query`] is an arena: relations and expressions live in two vectors and
//! refer to each other by `RelId` / `ExprId`. Every node keeps the span of
//! the SQL it came from (byte offsets into the rendered SQL of its file).
//!
//! Lowering produces *unbound* queries: names are as written. The binder in
//! `fusion-passes` resolves them and records types and column provenance in
//! side tables indexed by the same ids, so the IR itself never changes shape
//! between phases.
//!
//! A `SELECT` lowers into a chain of relations in evaluation order:
//! `from → Filter(Where) → Aggregate → Filter(Having) → Filter(Qualify) →
//! Project → Sort → Limit`, each link present only when its clause is. The
//! links from `Filter(Where)` up to `Project` form one *query block*: they
//! share a scope (HAVING, QUALIFY and ORDER BY may name select-list aliases),
//! which is why aggregate and window calls stay inline in expressions and the
//! binder, not the lowering, decides what is grouped.

use crate::name::Name;
use crate::span::Span;
use crate::types::SqlType;
use serde::Serialize;

/// Index of a relation in [`Query::rels`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RelId(pub u32);

/// Index of an expression in [`Query::exprs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ExprId(pub u32);

impl RelId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl ExprId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An identifier as written: `quoted` decides how the dialect folds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Ident {
    pub name: Name,
    pub quoted: bool,
    pub span: Span,
}

/// A dotted name: `db.schema.table`, `t.col`, `udfs.my_func`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ObjectName {
    pub parts: Vec<Ident>,
}

impl ObjectName {
    pub fn span(&self) -> Span {
        match (self.parts.first(), self.parts.last()) {
            (Some(first), Some(last)) => first.span.cover(last.span),
            _ => Span::EMPTY,
        }
    }

    /// The last part (the object's own name).
    pub fn last(&self) -> Option<&Ident> {
        self.parts.last()
    }
}

impl std::fmt::Display for ObjectName {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (position, part) in self.parts.iter().enumerate() {
            if position > 0 {
                formatter.write_str(".")?;
            }
            formatter.write_str(part.name.as_str())?;
        }
        Ok(())
    }
}

/// `AS alias (col1, col2)` after a relation in FROM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableAlias {
    pub name: Ident,
    pub columns: Vec<Ident>,
}

/// A query: the arena and its root relation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Query {
    pub rels: Vec<Rel>,
    pub exprs: Vec<Expr>,
    /// The relation whose output is the query's result. `None` only while
    /// building, or when lowering failed before producing anything.
    pub root: Option<RelId>,
}

impl Query {
    pub fn rel(&self, id: RelId) -> &Rel {
        &self.rels[id.index()]
    }

    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.index()]
    }

    pub fn add_rel(&mut self, kind: RelKind, span: Span) -> RelId {
        let id = RelId(u32::try_from(self.rels.len()).expect("more than 4 billion relations"));
        self.rels.push(Rel { kind, span });
        id
    }

    pub fn add_expr(&mut self, kind: ExprKind, span: Span) -> ExprId {
        let id = ExprId(u32::try_from(self.exprs.len()).expect("more than 4 billion expressions"));
        self.exprs.push(Expr { kind, span });
        id
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Rel {
    pub kind: RelKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
    Cross,
    /// DuckDB `SEMI JOIN`: rows of the left side with a match.
    Semi,
    /// DuckDB `ANTI JOIN`: rows of the left side without a match.
    Anti,
    /// DuckDB `ASOF JOIN` (inner) and `ASOF LEFT JOIN`.
    AsOf {
        left_outer: bool,
    },
    /// DuckDB `POSITIONAL JOIN`.
    Positional,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum JoinConstraint {
    None,
    On(ExprId),
    Using(Vec<Ident>),
    Natural,
}

/// Which clause a filter comes from: it decides what the predicate may name
/// and which lineage edge kind its columns get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FilterClause {
    Where,
    Having,
    Qualify,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SetOpKind {
    Union,
    Intersect,
    Except,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Distinct {
    All,
    Distinct,
    /// `DISTINCT ON (exprs)` (Postgres, DuckDB).
    On(Vec<ExprId>),
}

/// One element of `GROUP BY`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum GroupingElement {
    /// A plain expression, an ordinal (`GROUP BY 1`) or a select alias: the
    /// binder decides which.
    Expr(ExprId),
    Rollup(Vec<Vec<ExprId>>),
    Cube(Vec<Vec<ExprId>>),
    GroupingSets(Vec<Vec<ExprId>>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupBy {
    /// `GROUP BY ALL`: group by every select item that holds no aggregate.
    pub all: bool,
    pub elements: Vec<GroupingElement>,
}

/// One key of `ORDER BY`. `ORDER BY ALL` (DuckDB) lowers to a single key
/// whose expression is an unqualified `ExprKind::Star`: every output column,
/// left to right, in the key's direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SortKey {
    pub expr: ExprId,
    pub descending: bool,
    /// `Some(true)` for NULLS FIRST, `Some(false)` for NULLS LAST, `None` for the dialect default.
    pub nulls_first: Option<bool>,
}

/// `* EXCLUDE (..) REPLACE (..) RENAME (..)` or `t.*`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Star {
    /// Empty for `*`, the table (alias) path for `t.*`.
    pub qualifier: Vec<Ident>,
    /// `EXCLUDE (a, b)` (DuckDB, Snowflake) or `EXCEPT (a, b)` (BigQuery).
    pub exclude: Vec<Ident>,
    /// `REPLACE (expr AS col)`.
    pub replace: Vec<(ExprId, Ident)>,
    /// `RENAME (old AS new)` (Snowflake).
    pub rename: Vec<(Ident, Ident)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SelectItem {
    Expr { expr: ExprId, alias: Option<Ident> },
    Star(Star),
}

/// `WINDOW w AS (...)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedWindow {
    pub name: Ident,
    pub spec: WindowSpec,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cte {
    pub name: Ident,
    pub columns: Vec<Ident>,
    pub query: RelId,
    /// `AS MATERIALIZED` / `AS NOT MATERIALIZED`, when written.
    pub materialized: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunctionArg {
    /// `name => value` (named argument), when written.
    pub name: Option<Ident>,
    pub value: ExprId,
}

#[derive(Clone, Debug, Serialize)]
pub enum RelKind {
    /// A table, view or upstream dbt relation read by name.
    Scan {
        table: ObjectName,
        alias: Option<TableAlias>,
    },
    /// `WITH [RECURSIVE] ctes body`. CTE names are visible in `body` and,
    /// for later CTEs (and all of them when recursive), in the CTE queries.
    With {
        recursive: bool,
        ctes: Vec<Cte>,
        body: RelId,
    },
    /// A parenthesised query in FROM: `(select ...) as alias`.
    Derived {
        input: RelId,
        alias: Option<TableAlias>,
        lateral: bool,
    },
    /// A table function in FROM: `range(10)`, `read_csv('x.csv')`.
    TableFunction {
        name: ObjectName,
        args: Vec<FunctionArg>,
        alias: Option<TableAlias>,
        lateral: bool,
    },
    /// `UNNEST(expr, ...) [WITH OFFSET [AS name]]` in FROM.
    Unnest {
        args: Vec<ExprId>,
        alias: Option<TableAlias>,
        with_offset: Option<Option<Ident>>,
    },
    Join {
        left: RelId,
        right: RelId,
        kind: JoinKind,
        constraint: JoinConstraint,
    },
    /// `VALUES (..), (..)`.
    Values {
        rows: Vec<Vec<ExprId>>,
        alias: Option<TableAlias>,
    },
    /// The single empty row a `SELECT` without `FROM` reads.
    SingleRow,
    Filter {
        input: RelId,
        predicate: ExprId,
        clause: FilterClause,
    },
    Aggregate {
        input: RelId,
        group_by: GroupBy,
    },
    Project {
        input: RelId,
        items: Vec<SelectItem>,
        distinct: Distinct,
        windows: Vec<NamedWindow>,
    },
    Sort {
        input: RelId,
        keys: Vec<SortKey>,
    },
    Limit {
        input: RelId,
        limit: Option<ExprId>,
        offset: Option<ExprId>,
    },
    SetOp {
        op: SetOpKind,
        all: bool,
        by_name: bool,
        left: RelId,
        right: RelId,
    },
    /// A relation that could not be lowered (a syntax error was reported).
    Error,
}

#[derive(Clone, Debug, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Literal {
    Null,
    Boolean(bool),
    /// A number as written (`42`, `1.5e3`): exact text, typed by the binder
    /// (digit separators removed: `1_000` is `1000`).
    Number(Name),
    String(Box<str>),
    /// `DATE '2024-01-01'`, `TIMESTAMP '...'`: a string with a type prefix.
    Typed {
        ty: Box<SqlType>,
        value: Box<str>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    Not,
    Negate,
    Plus,
    BitwiseNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    /// DuckDB `//`: integer division.
    IntegerDivide,
    Modulo,
    Power,
    Concat,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
    ShiftLeft,
    ShiftRight,
    /// Regex and containment operators with dialect meaning (`~`, `@>`, `->>`):
    /// kept by their spelling, typed through the dialect.
    Other(Name),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CastKind {
    /// `CAST(x AS t)` or `x::t`.
    Cast,
    /// `TRY_CAST(x AS t)`: NULL instead of an error.
    TryCast,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FunctionKind {
    Scalar,
    Aggregate,
    Window,
    Table,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FrameUnits {
    Rows,
    Range,
    Groups,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(ExprId),
    CurrentRow,
    Following(ExprId),
    UnboundedFollowing,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowFrame {
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: Option<FrameBound>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowSpec {
    /// `OVER w` or `OVER (w ORDER BY ..)`: the named window it builds on.
    pub base: Option<Ident>,
    pub partition_by: Vec<ExprId>,
    pub order_by: Vec<SortKey>,
    pub frame: Option<WindowFrame>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunctionCall {
    pub name: ObjectName,
    pub args: Vec<FunctionArg>,
    /// `count(distinct x)`.
    pub distinct: bool,
    /// `FILTER (WHERE ...)`.
    pub filter: Option<ExprId>,
    /// `ORDER BY` inside the argument list (`string_agg(x, ',' order by y)`).
    pub order_by: Vec<SortKey>,
    /// `WITHIN GROUP (ORDER BY ...)`.
    pub within_group: Vec<SortKey>,
    /// `IGNORE NULLS` (`Some(true)`) or `RESPECT NULLS` (`Some(false)`).
    pub ignore_nulls: Option<bool>,
    pub over: Option<WindowSpec>,
    /// What the dialect's catalog says the function is; calls with `OVER`
    /// are windowed whatever the catalog says. Unknown functions are `Scalar`.
    pub kind: FunctionKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseExpr {
    /// `CASE operand WHEN value THEN ...` (simple form), or `None` (searched form).
    pub operand: Option<ExprId>,
    pub branches: Vec<(ExprId, ExprId)>,
    pub else_result: Option<ExprId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StructEntry {
    pub name: Option<Ident>,
    pub value: ExprId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ExprKind {
    /// A column reference as written: `qualifier` is empty, or the table
    /// (alias) path before the column name.
    Column {
        qualifier: Vec<Ident>,
        name: Ident,
    },
    Literal(Literal),
    /// A bind parameter (`?`, `$1`, `:name`).
    Parameter(Name),
    Unary {
        op: UnaryOp,
        operand: ExprId,
    },
    Binary {
        op: BinaryOp,
        left: ExprId,
        right: ExprId,
    },
    Cast {
        expr: ExprId,
        target: Box<SqlType>,
        kind: CastKind,
    },
    /// A call as written, or a syntactic form the lowering spells as a call
    /// of the dialect's function of the same meaning: `x AT TIME ZONE z` is
    /// `timezone(z, x)`, `MAP {k: v}` is `map([k], [v])`, `ARRAY(subquery)` is
    /// `array(subquery)`, `= ANY (subquery)` compares with `any(subquery)`
    /// (`all(...)` for `ALL`), `*COLUMNS(..)` is `unpack(columns(..))`.
    Function(Box<FunctionCall>),
    Case(Box<CaseExpr>),
    InList {
        expr: ExprId,
        list: Vec<ExprId>,
        negated: bool,
    },
    InSubquery {
        expr: ExprId,
        subquery: RelId,
        negated: bool,
    },
    Exists {
        subquery: RelId,
        negated: bool,
    },
    /// A scalar subquery `(select max(x) from t)`.
    Subquery(RelId),
    Between {
        expr: ExprId,
        low: ExprId,
        high: ExprId,
        negated: bool,
    },
    Like {
        expr: ExprId,
        pattern: ExprId,
        escape: Option<ExprId>,
        negated: bool,
        case_insensitive: bool,
    },
    IsNull {
        expr: ExprId,
        negated: bool,
    },
    IsDistinctFrom {
        left: ExprId,
        right: ExprId,
        negated: bool,
    },
    /// `x IS [NOT] TRUE|FALSE`.
    IsBoolean {
        expr: ExprId,
        value: bool,
        negated: bool,
    },
    /// `expr.field` on a struct value (also `(expr).field`).
    Field {
        expr: ExprId,
        field: Ident,
    },
    /// `expr[index]`.
    Index {
        expr: ExprId,
        index: ExprId,
    },
    /// `expr[start:end]`.
    Slice {
        expr: ExprId,
        start: Option<ExprId>,
        end: Option<ExprId>,
    },
    /// `[a, b]` or `ARRAY[a, b]`.
    Array(Vec<ExprId>),
    /// `{'a': 1}` (DuckDB), `STRUCT(1 AS a)`, `ROW(1, 2)`.
    Struct(Vec<StructEntry>),
    /// `INTERVAL '1' DAY`, `INTERVAL 3 DAYS`.
    Interval {
        value: ExprId,
        unit: Option<Name>,
    },
    /// `x -> x + 1` in higher-order functions.
    Lambda {
        params: Vec<Ident>,
        body: ExprId,
    },
    /// `*` as a function argument (`count(*)`), or in a select list.
    Star(Box<Star>),
    /// An expression that could not be parsed (a syntax error was reported).
    Error,
}

/// A statement of a SQL text. Models are single queries; hooks and
/// operations may hold other statements, kept opaque where the IR does not
/// model them.
#[derive(Clone, Debug, Serialize)]
pub enum Statement {
    Query(Query),
    /// A statement fusionc does not analyse, by its leading keyword(s).
    Opaque {
        kind: String,
        span: Span,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hot enums: pin their size so they do not silently grow.
    const _: () = assert!(std::mem::size_of::<ExprKind>() <= 40);
    const _: () = assert!(std::mem::size_of::<Expr>() <= 48);

    #[test]
    fn arena_ids_index_their_vectors() {
        let mut query = Query::default();
        let one = query.add_expr(
            ExprKind::Literal(Literal::Number(Name::new("1"))),
            Span::new(7, 8),
        );
        let single_row = query.add_rel(RelKind::SingleRow, Span::new(0, 8));
        let project = query.add_rel(
            RelKind::Project {
                input: single_row,
                items: vec![SelectItem::Expr {
                    expr: one,
                    alias: None,
                }],
                distinct: Distinct::All,
                windows: Vec::new(),
            },
            Span::new(0, 8),
        );
        query.root = Some(project);
        assert_eq!(query.expr(one).span, Span::new(7, 8));
        assert!(matches!(query.rel(project).kind, RelKind::Project { .. }));
    }
}
