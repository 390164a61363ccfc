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
    /// The id as a `usize`, to index [`Query::rels`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl ExprId {
    /// The id as a `usize`, to index [`Query::exprs`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An identifier as written: `quoted` decides how the dialect folds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Ident {
    /// The text without quotes (a doubled quote inside is one quote).
    pub name: Name,
    /// Whether it was written in the dialect's identifier quotes.
    pub quoted: bool,
    /// Where it is written.
    pub span: Span,
}

/// A dotted name: `db.schema.table`, `t.col`, `udfs.my_func`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ObjectName {
    /// The parts, outermost first.
    pub parts: Vec<Ident>,
}

impl ObjectName {
    /// From the first part to the last ([`Span::EMPTY`] without parts).
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
    /// The relation's new name.
    pub name: Ident,
    /// New names of its columns, left to right; empty when not written.
    pub columns: Vec<Ident>,
}

/// A query: the arena and its root relation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Query {
    /// Every relation, indexed by [`RelId`].
    pub rels: Vec<Rel>,
    /// Every expression, indexed by [`ExprId`].
    pub exprs: Vec<Expr>,
    /// The relation whose output is the query's result. `None` only while
    /// building, or when lowering failed before producing anything.
    pub root: Option<RelId>,
}

impl Query {
    /// The relation of an id. Panics on an id from another query.
    pub fn rel(&self, id: RelId) -> &Rel {
        &self.rels[id.index()]
    }

    /// The expression of an id. Panics on an id from another query.
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.index()]
    }

    /// Adds a relation to the arena and returns its id. Does not set
    /// [`Query::root`].
    pub fn add_rel(&mut self, kind: RelKind, span: Span) -> RelId {
        let id = RelId(u32::try_from(self.rels.len()).expect("more than 4 billion relations"));
        self.rels.push(Rel { kind, span });
        id
    }

    /// Adds an expression to the arena and returns its id.
    pub fn add_expr(&mut self, kind: ExprKind, span: Span) -> ExprId {
        let id = ExprId(u32::try_from(self.exprs.len()).expect("more than 4 billion expressions"));
        self.exprs.push(Expr { kind, span });
        id
    }
}

/// A relation: a node of the plan that produces rows.
#[derive(Clone, Debug, Serialize)]
pub struct Rel {
    /// What the relation does, and its inputs.
    pub kind: RelKind,
    /// The SQL it was lowered from; the relations of one query block share
    /// the span of their `SELECT`.
    pub span: Span,
}

/// The kind of a join.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum JoinKind {
    /// `[INNER] JOIN`.
    Inner,
    /// `LEFT [OUTER] JOIN`.
    Left,
    /// `RIGHT [OUTER] JOIN`.
    Right,
    /// `FULL [OUTER] JOIN`.
    Full,
    /// `CROSS JOIN` or a comma in FROM.
    Cross,
    /// DuckDB `SEMI JOIN`: rows of the left side with a match.
    Semi,
    /// DuckDB `ANTI JOIN`: rows of the left side without a match.
    Anti,
    /// DuckDB `ASOF JOIN` (inner) and `ASOF LEFT JOIN`.
    AsOf {
        /// `ASOF LEFT JOIN`: keep left rows without a match.
        left_outer: bool,
    },
    /// DuckDB `POSITIONAL JOIN`.
    Positional,
}

/// How a join matches rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum JoinConstraint {
    /// No condition (cross and positional joins).
    None,
    /// `ON predicate`.
    On(ExprId),
    /// `USING (a, b)`: equal columns of these names, shown once.
    Using(Vec<Ident>),
    /// `NATURAL JOIN`: `USING` every column name both sides have.
    Natural,
}

/// Which clause a filter comes from: it decides what the predicate may name
/// and which lineage edge kind its columns get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FilterClause {
    /// `WHERE`: before grouping, on input rows.
    Where,
    /// `HAVING`: on groups, after aggregation.
    Having,
    /// `QUALIFY`: after window functions.
    Qualify,
    /// `START WITH` of a hierarchical query (Snowflake's `CONNECT BY`): the
    /// rows of the FROM that start the hierarchy, the first level.
    StartWith,
    /// `CONNECT BY` of a hierarchical query: links each row to the row of
    /// the level above it (the operand of `PRIOR` reads that row). The rows
    /// it yields are the FROM's rows, repeated once per level they reach;
    /// `WHERE` then filters them.
    ConnectBy,
}

/// The operator of a set operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SetOpKind {
    /// `UNION`: rows of either side.
    Union,
    /// `INTERSECT`: rows of both sides.
    Intersect,
    /// `EXCEPT` (`MINUS`): rows of the left side not in the right.
    Except,
}

/// Whether a `SELECT` removes duplicate rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Distinct {
    /// Keeps every row (`SELECT` or `SELECT ALL`).
    All,
    /// `SELECT DISTINCT`.
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
    /// `ROLLUP (a, (b, c))`: each inner list is one element of the rollup.
    Rollup(Vec<Vec<ExprId>>),
    /// `CUBE (a, b)`: each inner list is one element of the cube.
    Cube(Vec<Vec<ExprId>>),
    /// `GROUPING SETS ((a, b), (a), ())`: each inner list is one set.
    GroupingSets(Vec<Vec<ExprId>>),
}

/// The `GROUP BY` clause of an [`RelKind::Aggregate`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupBy {
    /// `GROUP BY ALL`: group by every select item that holds no aggregate.
    pub all: bool,
    /// The elements as written; empty for an aggregate without `GROUP BY`
    /// (`select count(*) from t`).
    pub elements: Vec<GroupingElement>,
}

/// One key of `ORDER BY`. `ORDER BY ALL` (DuckDB) lowers to a single key
/// whose expression is an unqualified `ExprKind::Star`: every output column,
/// left to right, in the key's direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SortKey {
    /// The key: an expression, an ordinal or a select alias (the binder
    /// decides which).
    pub expr: ExprId,
    /// `DESC`.
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
    /// From the qualifier (or `*`) to the end of the modifiers.
    pub span: Span,
}

/// One item of a select list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SelectItem {
    /// `expr [AS alias]`.
    Expr {
        /// The value.
        expr: ExprId,
        /// The output name, when written.
        alias: Option<Ident>,
    },
    /// `*` or `t.*`, with its modifiers.
    Star(Star),
}

/// `WINDOW w AS (...)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedWindow {
    /// The name `OVER w` refers to.
    pub name: Ident,
    /// What the name stands for.
    pub spec: WindowSpec,
}

/// One common table expression of a `WITH`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cte {
    /// The name the CTE is read by.
    pub name: Ident,
    /// `name (a, b) AS (...)`: new names of its columns; empty when not
    /// written.
    pub columns: Vec<Ident>,
    /// The root relation of the CTE's query.
    pub query: RelId,
    /// `AS MATERIALIZED` / `AS NOT MATERIALIZED`, when written.
    pub materialized: Option<bool>,
}

/// One argument of a function call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunctionArg {
    /// `name => value` (named argument), when written.
    pub name: Option<Ident>,
    /// The argument's value.
    pub value: ExprId,
}

/// What a relation does. Inputs are other relations of the same arena.
#[derive(Clone, Debug, Serialize)]
pub enum RelKind {
    /// A table, view or upstream dbt relation read by name.
    Scan {
        /// The name as written (`db.schema.table`, `orders`).
        table: ObjectName,
        /// `AS alias`, when written.
        alias: Option<TableAlias>,
    },
    /// `WITH [RECURSIVE] ctes body`. CTE names are visible in `body` and,
    /// for later CTEs (and all of them when recursive), in the CTE queries.
    With {
        /// `WITH RECURSIVE`.
        recursive: bool,
        /// The CTEs, in order.
        ctes: Vec<Cte>,
        /// The query that reads them.
        body: RelId,
    },
    /// A parenthesised query in FROM: `(select ...) as alias`.
    Derived {
        /// The root of the inner query.
        input: RelId,
        /// `AS alias`, when written.
        alias: Option<TableAlias>,
        /// `LATERAL`: the query may name columns of relations before it.
        lateral: bool,
    },
    /// A table function in FROM: `range(10)`, `read_csv('x.csv')`.
    TableFunction {
        /// The function's name as written.
        name: ObjectName,
        /// The arguments, in order.
        args: Vec<FunctionArg>,
        /// `AS alias`, when written.
        alias: Option<TableAlias>,
        /// `LATERAL`: arguments may name columns of relations before it.
        lateral: bool,
    },
    /// `UNNEST(expr, ...) [WITH OFFSET [AS name]]` in FROM.
    Unnest {
        /// The arrays to unnest, side by side.
        args: Vec<ExprId>,
        /// `AS alias`, when written.
        alias: Option<TableAlias>,
        /// `WITH OFFSET [AS name]` or `WITH ORDINALITY`: `Some` when
        /// written, holding the offset column's name when one is given.
        with_offset: Option<Option<Ident>>,
    },
    /// Two relations joined.
    Join {
        /// The left input.
        left: RelId,
        /// The right input.
        right: RelId,
        /// Inner, outer, cross, semi, anti, as-of or positional.
        kind: JoinKind,
        /// How rows are matched.
        constraint: JoinConstraint,
    },
    /// `VALUES (..), (..)`.
    Values {
        /// The rows, each a list of values.
        rows: Vec<Vec<ExprId>>,
        /// `AS alias (columns)`, when written.
        alias: Option<TableAlias>,
    },
    /// The single empty row a `SELECT` without `FROM` reads.
    SingleRow,
    /// The rows of `input` for which `predicate` is true.
    Filter {
        /// The rows filtered.
        input: RelId,
        /// The condition.
        predicate: ExprId,
        /// The clause it was written in.
        clause: FilterClause,
    },
    /// Grouping: one row per group of `input`. The aggregate calls stay in
    /// the expressions of the query block above (see the module docs).
    Aggregate {
        /// The rows grouped.
        input: RelId,
        /// The grouping keys.
        group_by: GroupBy,
    },
    /// The select list: the output columns of a query block.
    Project {
        /// The rows the items are computed from.
        input: RelId,
        /// The items, in order.
        items: Vec<SelectItem>,
        /// `DISTINCT` or `DISTINCT ON`.
        distinct: Distinct,
        /// `WINDOW w AS (...)` definitions the block's `OVER` clauses may
        /// name.
        windows: Vec<NamedWindow>,
    },
    /// `ORDER BY`.
    Sort {
        /// The rows sorted.
        input: RelId,
        /// The keys, most significant first.
        keys: Vec<SortKey>,
    },
    /// `LIMIT` / `OFFSET` (also `TOP n`, `FETCH FIRST n ROWS ONLY`).
    Limit {
        /// The rows limited.
        input: RelId,
        /// How many rows to keep, when limited.
        limit: Option<ExprId>,
        /// How many rows to skip first, when written.
        offset: Option<ExprId>,
    },
    /// `left UNION|INTERSECT|EXCEPT [ALL] [BY NAME] right`.
    SetOp {
        /// The operator.
        op: SetOpKind,
        /// `ALL`: keep duplicates.
        all: bool,
        /// `BY NAME` (DuckDB): match columns by name, not position.
        by_name: bool,
        /// The left input.
        left: RelId,
        /// The right input.
        right: RelId,
    },
    /// A relation that could not be lowered (a syntax error was reported).
    Error,
}

/// An expression: a node of the plan that computes one value per row.
#[derive(Clone, Debug, Serialize)]
pub struct Expr {
    /// What the expression computes, and its operands.
    pub kind: ExprKind,
    /// The SQL it was lowered from.
    pub span: Span,
}

/// A constant written in the query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Literal {
    /// `NULL`.
    Null,
    /// `TRUE` or `FALSE`.
    Boolean(bool),
    /// A number as written (`42`, `1.5e3`): exact text, typed by the binder
    /// (digit separators removed: `1_000` is `1000`).
    Number(Name),
    /// A string literal, unescaped (`'it''s'` is `it's`).
    String(Box<str>),
    /// `DATE '2024-01-01'`, `TIMESTAMP '...'`: a string with a type prefix.
    Typed {
        /// The type the prefix names.
        ty: Box<SqlType>,
        /// The string, unescaped.
        value: Box<str>,
    },
}

/// A prefix operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    /// `NOT x`.
    Not,
    /// `-x`.
    Negate,
    /// `+x`.
    Plus,
    /// `~x`.
    BitwiseNot,
}

/// An infix operator. [`BinaryOp::as_str`] spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    /// `+`.
    Add,
    /// `-`.
    Subtract,
    /// `*`.
    Multiply,
    /// `/`.
    Divide,
    /// DuckDB `//`: integer division.
    IntegerDivide,
    /// `%`.
    Modulo,
    /// `^` (DuckDB also `**`).
    Power,
    /// `||`: string (or list) concatenation.
    Concat,
    /// `=` (also `==`).
    Eq,
    /// `<>` or `!=`.
    NotEq,
    /// `<`.
    Lt,
    /// `<=`.
    LtEq,
    /// `>`.
    Gt,
    /// `>=`.
    GtEq,
    /// `AND`.
    And,
    /// `OR`.
    Or,
    /// `&`.
    BitwiseAnd,
    /// `|`.
    BitwiseOr,
    /// Bitwise exclusive or (Databricks `^`).
    BitwiseXor,
    /// `<<`.
    ShiftLeft,
    /// `>>`.
    ShiftRight,
    /// Regex and containment operators with dialect meaning (`~`, `@>`, `->>`):
    /// kept by their spelling, typed through the dialect.
    Other(Name),
}

impl UnaryOp {
    /// The operator's spelling in printed IR and syntax trees: `NOT`, `-`,
    /// `+`, `~`.
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Not => "NOT",
            UnaryOp::Negate => "-",
            UnaryOp::Plus => "+",
            UnaryOp::BitwiseNot => "~",
        }
    }
}

impl BinaryOp {
    /// The operator's dialect-neutral spelling in printed IR and syntax
    /// trees: the SQL symbol or keyword (`+`, `<>`, `AND`, `||`), `//` for
    /// integer division, `xor` for bitwise XOR (whose symbol differs between
    /// dialects), and an [`BinaryOp::Other`] operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::IntegerDivide => "//",
            BinaryOp::Modulo => "%",
            BinaryOp::Power => "^",
            BinaryOp::Concat => "||",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
            BinaryOp::BitwiseAnd => "&",
            BinaryOp::BitwiseOr => "|",
            BinaryOp::BitwiseXor => "xor",
            BinaryOp::ShiftLeft => "<<",
            BinaryOp::ShiftRight => ">>",
            BinaryOp::Other(name) => name.as_str(),
        }
    }
}

/// Which cast a [`ExprKind::Cast`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CastKind {
    /// `CAST(x AS t)` or `x::t`.
    Cast,
    /// `TRY_CAST(x AS t)`: NULL instead of an error.
    TryCast,
}

/// What kind of function a call is: it decides where the call may appear
/// and what it computes over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FunctionKind {
    /// One value per row from that row's arguments.
    Scalar,
    /// One value per group (`sum`, `count`).
    Aggregate,
    /// One value per row over a window of rows (`row_number`, `lag`, or an
    /// aggregate with `OVER`).
    Window,
    /// Rows, not a value: used in FROM (`range`, `read_csv`).
    Table,
}

/// The unit a window frame is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FrameUnits {
    /// `ROWS`: physical rows.
    Rows,
    /// `RANGE`: rows whose ORDER BY value is within an offset.
    Range,
    /// `GROUPS`: groups of rows with equal ORDER BY values.
    Groups,
}

/// One end of a window frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FrameBound {
    /// `UNBOUNDED PRECEDING`: the partition's first row.
    UnboundedPreceding,
    /// `offset PRECEDING`.
    Preceding(ExprId),
    /// `CURRENT ROW`.
    CurrentRow,
    /// `offset FOLLOWING`.
    Following(ExprId),
    /// `UNBOUNDED FOLLOWING`: the partition's last row.
    UnboundedFollowing,
}

/// `ROWS|RANGE|GROUPS [BETWEEN start AND end]` of a window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowFrame {
    /// What the bounds count.
    pub units: FrameUnits,
    /// Where the frame starts.
    pub start: FrameBound,
    /// Where it ends, with `BETWEEN`; without, the current row.
    pub end: Option<FrameBound>,
}

/// The window of a window call: `OVER (PARTITION BY .. ORDER BY .. frame)`
/// or `OVER w`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowSpec {
    /// `OVER w` or `OVER (w ORDER BY ..)`: the named window it builds on.
    pub base: Option<Ident>,
    /// `PARTITION BY` keys.
    pub partition_by: Vec<ExprId>,
    /// `ORDER BY` keys.
    pub order_by: Vec<SortKey>,
    /// The frame, when written.
    pub frame: Option<WindowFrame>,
}

/// A function call with everything SQL lets a call carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunctionCall {
    /// The function's name as written (`sum`, `udfs.my_func`).
    pub name: ObjectName,
    /// The arguments, in order.
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
    /// `OVER (...)`: the call is a window call.
    pub over: Option<WindowSpec>,
    /// What the dialect's catalog says the function is; calls with `OVER`
    /// are windowed whatever the catalog says. Unknown functions are `Scalar`.
    pub kind: FunctionKind,
}

/// `CASE [operand] WHEN .. THEN .. [ELSE ..] END`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseExpr {
    /// `CASE operand WHEN value THEN ...` (simple form), or `None` (searched form).
    pub operand: Option<ExprId>,
    /// `WHEN condition THEN result` pairs, in order (for the simple form,
    /// the condition is the value compared with the operand).
    pub branches: Vec<(ExprId, ExprId)>,
    /// `ELSE result`; without it, NULL.
    pub else_result: Option<ExprId>,
}

/// One field of a struct constructor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StructEntry {
    /// The field's name; `None` for a positional field (`ROW(1, 2)`).
    pub name: Option<Ident>,
    /// The field's value.
    pub value: ExprId,
}

/// What an expression computes. Operands are other expressions of the same
/// arena; subqueries are relations of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ExprKind {
    /// A column reference as written: `qualifier` is empty, or the table
    /// (alias) path before the column name.
    Column {
        /// The table (alias) path, outermost first; empty when unqualified.
        qualifier: Vec<Ident>,
        /// The column's name.
        name: Ident,
    },
    /// A constant.
    Literal(Literal),
    /// A bind parameter (`?`, `$1`, `:name`).
    Parameter(Name),
    /// A prefix operator applied to one operand.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: ExprId,
    },
    /// An infix operator applied to two operands.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        left: ExprId,
        /// The right operand.
        right: ExprId,
    },
    /// `CAST(expr AS target)`, `expr::target`, `TRY_CAST(..)`.
    Cast {
        /// The value converted.
        expr: ExprId,
        /// The type converted to.
        target: Box<SqlType>,
        /// Whether a failed conversion is an error or NULL.
        kind: CastKind,
    },
    /// A call as written, or a syntactic form the lowering spells as a call
    /// of the dialect's function of the same meaning: `x AT TIME ZONE z` is
    /// `timezone(z, x)`, `MAP {k: v}` is `map([k], [v])`, `ARRAY(subquery)` is
    /// `array(subquery)`, `= ANY (subquery)` compares with `any(subquery)`
    /// (`all(...)` for `ALL`), `*COLUMNS(..)` is `unpack(columns(..))`.
    Function(Box<FunctionCall>),
    /// A `CASE` expression.
    Case(Box<CaseExpr>),
    /// `expr [NOT] IN (a, b, c)`.
    InList {
        /// The value looked for.
        expr: ExprId,
        /// The values looked in.
        list: Vec<ExprId>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `expr [NOT] IN (select ...)`.
    InSubquery {
        /// The value looked for.
        expr: ExprId,
        /// The root of the subquery, a relation of the same arena.
        subquery: RelId,
        /// `NOT IN`.
        negated: bool,
    },
    /// `[NOT] EXISTS (select ...)`.
    Exists {
        /// The root of the subquery, a relation of the same arena.
        subquery: RelId,
        /// `NOT EXISTS`.
        negated: bool,
    },
    /// A scalar subquery `(select max(x) from t)`.
    Subquery(RelId),
    /// `expr [NOT] BETWEEN low AND high`.
    Between {
        /// The value tested.
        expr: ExprId,
        /// The lower bound, included.
        low: ExprId,
        /// The upper bound, included.
        high: ExprId,
        /// `NOT BETWEEN`.
        negated: bool,
    },
    /// `expr [NOT] LIKE|ILIKE pattern [ESCAPE escape]`.
    Like {
        /// The string tested.
        expr: ExprId,
        /// The pattern (`%` and `_` wildcards).
        pattern: ExprId,
        /// The escape character, when written.
        escape: Option<ExprId>,
        /// `NOT LIKE`.
        negated: bool,
        /// `ILIKE`.
        case_insensitive: bool,
    },
    /// `expr IS [NOT] NULL`.
    IsNull {
        /// The value tested.
        expr: ExprId,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `left IS [NOT] DISTINCT FROM right`: comparison where NULL equals NULL.
    IsDistinctFrom {
        /// The left operand.
        left: ExprId,
        /// The right operand.
        right: ExprId,
        /// `IS NOT DISTINCT FROM`.
        negated: bool,
    },
    /// `x IS [NOT] TRUE|FALSE`.
    IsBoolean {
        /// The value tested.
        expr: ExprId,
        /// `TRUE` or `FALSE`.
        value: bool,
        /// `IS NOT`.
        negated: bool,
    },
    /// `expr.field` on a struct value (also `(expr).field`).
    Field {
        /// The struct value.
        expr: ExprId,
        /// The field's name.
        field: Ident,
    },
    /// `expr[index]`.
    Index {
        /// The list, map or string indexed.
        expr: ExprId,
        /// The index or key.
        index: ExprId,
    },
    /// `expr[start:end]`.
    Slice {
        /// The list or string sliced.
        expr: ExprId,
        /// The first position, when written.
        start: Option<ExprId>,
        /// The last position, when written.
        end: Option<ExprId>,
    },
    /// `[a, b]` or `ARRAY[a, b]`.
    Array(Vec<ExprId>),
    /// `{'a': 1}` (DuckDB), `STRUCT(1 AS a)`, `ROW(1, 2)`.
    Struct(Vec<StructEntry>),
    /// `INTERVAL '1' DAY`, `INTERVAL 3 DAYS`.
    Interval {
        /// The amount (a string or a number).
        value: ExprId,
        /// The unit as written (`DAY`, `days`), when written.
        unit: Option<Name>,
    },
    /// `x -> x + 1` in higher-order functions.
    Lambda {
        /// The parameters, in order.
        params: Vec<Ident>,
        /// The body, which may name the parameters.
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
    /// A query, lowered into the IR.
    Query(Query),
    /// A statement fusionc does not analyse, by its leading keyword(s).
    Opaque {
        /// The leading keyword(s), upper case (`CREATE TABLE`).
        kind: String,
        /// The whole statement.
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
