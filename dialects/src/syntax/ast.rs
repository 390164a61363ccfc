//! The syntax tree: faithful to the source, every node with its span.
//!
//! The tree borrows nothing: identifiers, numbers and strings are spans into
//! the source text, decoded only when lowering needs their value. That keeps
//! parsing free of string copies; the printer and the lowering take the
//! source text alongside the tree.

use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, UnaryOp};
use fusion_ir::span::Span;

/// An identifier: its span covers the quotes when `quoted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ident {
    pub span: Span,
    pub quoted: bool,
}

/// A dotted name: `db.schema.table`.
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

/// One statement of a script.
#[derive(Clone, Debug)]
pub enum Statement {
    Query(Box<Query>),
    /// A statement the parser does not model (`CREATE`, `INSERT`, `SET`...),
    /// skipped up to its `;`. `kind` is its leading keywords in upper case.
    Opaque {
        kind: String,
        span: Span,
    },
}

/// `[WITH ...] body [ORDER BY ...] [LIMIT ...] [OFFSET ...]`.
#[derive(Clone, Debug)]
pub struct Query {
    pub with: Option<With>,
    pub body: SetExpr,
    pub order_by: Option<OrderBy>,
    pub limit: Option<Expr>,
    /// `LIMIT 10%` / `LIMIT 10 PERCENT` (DuckDB): a share of the rows.
    pub limit_percent: bool,
    pub offset: Option<Expr>,
    /// `CLUSTER BY`, `DISTRIBUTE BY`, `SORT BY` (Spark): how rows are spread
    /// over and ordered within partitions; the set of rows is unchanged.
    pub distribution: Vec<Distribution>,
    pub span: Span,
}

/// One of Spark's `CLUSTER BY a`, `DISTRIBUTE BY a`, `SORT BY a DESC`.
#[derive(Clone, Debug)]
pub struct Distribution {
    /// The clause's first word: `CLUSTER`, `DISTRIBUTE` or `SORT`.
    pub keyword: Span,
    pub keys: Vec<OrderKey>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct With {
    pub recursive: bool,
    pub ctes: Vec<Cte>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Cte {
    pub name: Ident,
    pub columns: Vec<Ident>,
    /// `USING KEY (a, b)` of a recursive CTE (DuckDB).
    pub using_key: Vec<Ident>,
    /// `AS MATERIALIZED` (`Some(true)`), `AS NOT MATERIALIZED` (`Some(false)`).
    pub materialized: Option<bool>,
    pub query: Box<Query>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOperator {
    Union,
    Intersect,
    Except,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetQuantifier {
    /// Nothing written (`UNION`): distinct.
    None,
    All,
    Distinct,
}

/// The body of a query: a select, a set operation, values or a
/// parenthesised query.
#[derive(Clone, Debug)]
pub enum SetExpr {
    Select(Box<Select>),
    SetOperation {
        operator: SetOperator,
        quantifier: SetQuantifier,
        by_name: bool,
        left: Box<SetExpr>,
        right: Box<SetExpr>,
        span: Span,
    },
    /// `VALUES (1), (2)`, with an alias where the dialect lets a query have
    /// one (Spark: `VALUES (1, 'a') AS t(id, name)`).
    Values(Values, Option<TableAlias>),
    Parenthesized(Box<Query>),
    Error(Span),
}

impl SetExpr {
    pub fn span(&self) -> Span {
        match self {
            SetExpr::Select(select) => select.span,
            SetExpr::SetOperation { span, .. } => *span,
            SetExpr::Values(values, _) => values.span,
            SetExpr::Parenthesized(query) => query.span,
            SetExpr::Error(span) => *span,
        }
    }
}

/// `VALUES (1, 2), (3, 4)`.
#[derive(Clone, Debug)]
pub struct Values {
    pub rows: Vec<Vec<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Distinct {
    Distinct,
    On(Vec<Expr>),
}

#[derive(Clone, Debug)]
pub struct Select {
    /// `SELECT DISTINCT` / `DISTINCT ON (..)`; `None` for plain or `ALL`.
    pub distinct: Option<Distinct>,
    pub items: Vec<SelectItem>,
    /// `FROM t SELECT ...` or bare `FROM t` (DuckDB): the FROM came first.
    pub from_first: bool,
    pub from: Option<TableExpr>,
    pub where_clause: Option<Expr>,
    pub group_by: Option<GroupBy>,
    pub having: Option<Expr>,
    pub qualify: Option<Expr>,
    pub windows: Vec<NamedWindow>,
    /// `USING SAMPLE 10%` (DuckDB), kept as its span: sampling changes no
    /// column, so nothing downstream needs its parts.
    pub sample: Option<Span>,
    /// `SELECT TOP n` (Redshift, Snowflake): a limit written up front.
    pub top: Option<Expr>,
    /// `SELECT AS STRUCT` / `SELECT AS VALUE` (BigQuery): the `STRUCT` or
    /// `VALUE` word.
    pub as_value: Option<Span>,
    /// `SELECT *, x EXCLUDE (a, b)` (Redshift): columns dropped from the
    /// list's stars.
    pub exclude: Vec<Ident>,
    /// `START WITH p CONNECT BY q` after FROM (Snowflake).
    pub connect_by: Option<ConnectBy>,
    pub span: Span,
}

/// A hierarchical query's clauses (Snowflake): `[START WITH p] CONNECT BY
/// [NOCYCLE] q [, q2 ...]`, in either order.
#[derive(Clone, Debug)]
pub struct ConnectBy {
    pub start_with: Option<Expr>,
    /// The conditions, each linking a column to a `PRIOR` one.
    pub conditions: Vec<Expr>,
    /// `CONNECT BY NOCYCLE`: a row met again ends its branch.
    pub nocycle: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SelectItem {
    pub expr: Expr,
    pub alias: Option<Ident>,
    pub span: Span,
}

/// `* EXCLUDE (..) REPLACE (..) RENAME (..)`, `t.*`.
#[derive(Clone, Debug)]
pub struct Star {
    pub qualifier: Vec<Ident>,
    pub exclude: Vec<Ident>,
    pub replace: Vec<(Expr, Ident)>,
    pub rename: Vec<(Ident, Ident)>,
    /// `* ILIKE 'pattern'` (Snowflake): only the columns whose names match.
    pub ilike: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct GroupBy {
    pub all: bool,
    pub elements: Vec<GroupingElement>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum GroupingElement {
    Expr(Expr),
    /// `()`: the empty grouping set.
    Empty(Span),
    Rollup(Vec<Vec<Expr>>, Span),
    Cube(Vec<Vec<Expr>>, Span),
    GroupingSets(Vec<Vec<Expr>>, Span),
}

#[derive(Clone, Debug)]
pub struct OrderBy {
    /// `ORDER BY ALL [ASC|DESC]`: the keys are then empty but for one
    /// carrying the direction on an `ExprKind::Star`.
    pub all: bool,
    pub keys: Vec<OrderKey>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct OrderKey {
    pub expr: Expr,
    pub descending: bool,
    pub nulls_first: Option<bool>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct NamedWindow {
    pub name: Ident,
    pub spec: WindowSpec,
}

#[derive(Clone, Debug)]
pub struct WindowSpec {
    pub base: Option<Ident>,
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<OrderKey>,
    pub frame: Option<WindowFrame>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameUnits {
    Rows,
    Range,
    Groups,
}

#[derive(Clone, Debug)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(Box<Expr>),
    CurrentRow,
    Following(Box<Expr>),
    UnboundedFollowing,
}

#[derive(Clone, Debug)]
pub struct WindowFrame {
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: Option<FrameBound>,
    /// `EXCLUDE CURRENT ROW | GROUP | TIES | NO OTHERS`, kept as its span.
    pub exclusion: Option<Span>,
    pub span: Span,
}

/// `AS alias (c1, c2)`.
#[derive(Clone, Debug)]
pub struct TableAlias {
    pub name: Ident,
    pub columns: Vec<Ident>,
    /// `AS r(a int, b text)` (Postgres): the types of a column definition
    /// list, one per column, or empty.
    pub column_types: Vec<TypeName>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinOperator {
    /// `a, b`.
    Comma,
    Inner,
    Left,
    Right,
    Full,
    Cross,
    Semi,
    Anti,
    AsOf,
    AsOfLeft,
    Positional,
}

#[derive(Clone, Debug)]
pub enum JoinConstraint {
    None,
    On(Expr),
    Using(Vec<Ident>),
    /// `MATCH_CONDITION (l.t >= r.t) [ON l.k = r.k]` of an ASOF join
    /// (Snowflake): the closest match by the condition, among rows equal by ON.
    MatchCondition {
        condition: Expr,
        on: Option<Expr>,
    },
}

/// An item of FROM.
#[derive(Clone, Debug)]
pub enum TableExpr {
    Named {
        name: ObjectName,
        alias: Option<TableAlias>,
        span: Span,
    },
    /// `'file.csv'` as a table (DuckDB).
    File {
        path: Span,
        alias: Option<TableAlias>,
        span: Span,
    },
    Derived {
        lateral: bool,
        query: Box<Query>,
        alias: Option<TableAlias>,
        span: Span,
    },
    Function {
        lateral: bool,
        name: ObjectName,
        args: Vec<FunctionArg>,
        /// `WITH ORDINALITY` (Postgres): a row number column follows.
        with_ordinality: bool,
        alias: Option<TableAlias>,
        span: Span,
    },
    Unnest {
        args: Vec<Expr>,
        alias: Option<TableAlias>,
        /// `WITH ORDINALITY` / `WITH OFFSET`.
        with_ordinality: bool,
        span: Span,
    },
    Values {
        values: Values,
        alias: Option<TableAlias>,
        span: Span,
    },
    Join {
        operator: JoinOperator,
        natural: bool,
        left: Box<TableExpr>,
        right: Box<TableExpr>,
        constraint: JoinConstraint,
        span: Span,
    },
    Parenthesized {
        inner: Box<TableExpr>,
        alias: Option<TableAlias>,
        span: Span,
    },
    /// `t TABLESAMPLE RESERVOIR (10 ROWS) REPEATABLE (1)`: the sample clause
    /// kept as its span.
    Sampled {
        inner: Box<TableExpr>,
        sample: Span,
        span: Span,
    },
    /// `inner PIVOT (...)` or `inner UNPIVOT (...)`; `body` spans the
    /// parenthesised specification.
    Pivot {
        inner: Box<TableExpr>,
        unpivot: bool,
        body: Span,
        alias: Option<TableAlias>,
        span: Span,
    },
    /// `t AT (TIMESTAMP => x)`, `t FOR SYSTEM_TIME AS OF x`, `t VERSION AS OF 3`:
    /// the table as it was at a point in time. `clause` spans the clause;
    /// its expressions are in `points`.
    TimeTravel {
        inner: Box<TableExpr>,
        clause: Span,
        points: Vec<Expr>,
        span: Span,
    },
    /// `TABLE('name')`, `TABLE($var)` (Snowflake): a table named by a string
    /// or a variable, known only when the statement runs.
    Indirect {
        target: Box<Expr>,
        alias: Option<TableAlias>,
        span: Span,
    },
    /// `ROWS FROM (f(x) AS a(c int), g(y)) [WITH ORDINALITY]` (Postgres):
    /// functions zipped side by side.
    RowsFrom {
        functions: Vec<TableExpr>,
        with_ordinality: bool,
        alias: Option<TableAlias>,
        span: Span,
    },
    Error(Span),
}

impl TableExpr {
    /// The alias slot of a relation that can carry one.
    pub fn alias_mut(&mut self) -> Option<&mut Option<TableAlias>> {
        match self {
            TableExpr::Named { alias, .. }
            | TableExpr::File { alias, .. }
            | TableExpr::Derived { alias, .. }
            | TableExpr::Function { alias, .. }
            | TableExpr::Unnest { alias, .. }
            | TableExpr::Values { alias, .. }
            | TableExpr::Parenthesized { alias, .. }
            | TableExpr::Pivot { alias, .. }
            | TableExpr::Indirect { alias, .. }
            | TableExpr::RowsFrom { alias, .. } => Some(alias),
            TableExpr::Join { .. }
            | TableExpr::Sampled { .. }
            | TableExpr::TimeTravel { .. }
            | TableExpr::Error(_) => None,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            TableExpr::Named { span, .. }
            | TableExpr::File { span, .. }
            | TableExpr::Derived { span, .. }
            | TableExpr::Function { span, .. }
            | TableExpr::Unnest { span, .. }
            | TableExpr::Values { span, .. }
            | TableExpr::Join { span, .. }
            | TableExpr::Parenthesized { span, .. }
            | TableExpr::Sampled { span, .. }
            | TableExpr::Pivot { span, .. }
            | TableExpr::TimeTravel { span, .. }
            | TableExpr::Indirect { span, .. }
            | TableExpr::RowsFrom { span, .. } => *span,
            TableExpr::Error(span) => *span,
        }
    }
}

#[derive(Clone, Debug)]
pub struct FunctionArg {
    /// `name := value` or `name => value`.
    pub name: Option<Ident>,
    pub value: Expr,
    /// `VARIADIC array` (Postgres): the array's elements are the arguments.
    pub variadic: bool,
}

#[derive(Clone, Debug)]
pub struct FunctionCall {
    pub name: ObjectName,
    pub args: Vec<FunctionArg>,
    pub distinct: bool,
    pub order_by: Vec<OrderKey>,
    pub within_group: Vec<OrderKey>,
    pub filter: Option<Box<Expr>>,
    pub ignore_nulls: Option<bool>,
    /// Whether `IGNORE NULLS`/`RESPECT NULLS` stood inside the parentheses
    /// (`array_agg(x IGNORE NULLS)`, BigQuery) rather than after them.
    pub nulls_inside: bool,
    /// BigQuery's `array_agg(x LIMIT 10)`: bounds the rows aggregated.
    pub limit: Option<Box<Expr>>,
    /// BigQuery's `any_value(x HAVING MAX y)`: aggregates only the rows
    /// where `y` is largest (smallest with `MIN`).
    pub having_bound: Option<AggregateHaving>,
    pub over: Option<WindowSpec>,
}

/// `HAVING MAX expr` or `HAVING MIN expr` inside an aggregate's parentheses.
#[derive(Clone, Debug)]
pub struct AggregateHaving {
    pub max: bool,
    pub value: Box<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringStyle {
    /// `'...'` with `''` escapes.
    Plain,
    /// `E'...'` with backslash escapes.
    Escape,
    /// `$tag$...$tag$`, no escapes.
    Dollar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CastSyntax {
    /// `CAST(x AS t)`.
    Cast,
    /// `TRY_CAST(x AS t)`.
    TryCast,
    /// `x::t`.
    DoubleColon,
    /// `x?::t` (Databricks): `TRY_CAST` as an operator.
    TryDoubleColon,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternOperator {
    Like,
    Ilike,
    SimilarTo,
    Glob,
}

/// A type name as written: `DECIMAL(10, 2)`, `INTEGER[]`, `STRUCT(a INT)`.
#[derive(Clone, Debug)]
pub struct TypeName {
    /// The words of the name in upper case, single-spaced
    /// (`TIMESTAMP WITH TIME ZONE`, `DOUBLE PRECISION`).
    pub name: Name,
    pub arguments: TypeArguments,
    /// How many `[]` (or `[n]`) follow.
    pub array_dimensions: u8,
    /// `STRING COLLATE UTF8_BINARY` (Databricks): the collation of a string type.
    pub collation: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeArguments {
    None,
    /// `(10, 2)`: numbers or words, kept as spans.
    Modifiers(Vec<Span>),
    /// `STRUCT(a INT, b VARCHAR)`, `UNION(...)`.
    Fields(Vec<(Ident, TypeName)>),
    /// `MAP(VARCHAR, INT)`.
    Types(Vec<TypeName>),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// `a`, `t.a`, `s.t.a`: a column or a struct path, resolved by the binder.
    Identifier(Vec<Ident>),
    Number,
    String(StringStyle),
    Null,
    Boolean(bool),
    /// `DATE '2024-01-01'`: the type and the string's span.
    TypedString {
        type_name: TypeName,
        value: Span,
        style: StringStyle,
    },
    /// `INTERVAL '1 day'`, `INTERVAL 3 DAY`, `INTERVAL (x) DAY`.
    Interval {
        value: Box<Expr>,
        unit: Option<Span>,
    },
    Parameter,
    Unary {
        operator: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        operator: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Cast {
        expr: Box<Expr>,
        type_name: TypeName,
        syntax: CastSyntax,
    },
    Function(Box<FunctionCall>),
    Case {
        operand: Option<Box<Expr>>,
        branches: Vec<(Expr, Expr)>,
        else_result: Option<Box<Expr>>,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    InSubquery {
        expr: Box<Expr>,
        query: Box<Query>,
        negated: bool,
    },
    Exists {
        query: Box<Query>,
        negated: bool,
    },
    Subquery(Box<Query>),
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    Pattern {
        operator: PatternOperator,
        expr: Box<Expr>,
        pattern: Box<Expr>,
        escape: Option<Box<Expr>>,
        negated: bool,
    },
    /// `IS [NOT] NULL`, `ISNULL`, `NOTNULL`.
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    IsBoolean {
        expr: Box<Expr>,
        value: bool,
        negated: bool,
    },
    /// `x IS [NOT] JSON [VALUE | SCALAR | OBJECT | ARRAY] [WITH UNIQUE KEYS]`:
    /// `kind` spans the word after JSON, `unique_keys` whether keys must be unique.
    IsJson {
        expr: Box<Expr>,
        kind: Option<Span>,
        unique_keys: bool,
        negated: bool,
    },
    IsDistinctFrom {
        left: Box<Expr>,
        right: Box<Expr>,
        negated: bool,
    },
    /// `(expr).field`, `f(x).field`.
    Field {
        expr: Box<Expr>,
        field: Ident,
    },
    /// `expr:key` (Snowflake, Databricks): a key of a semi-structured value.
    ColonPath {
        expr: Box<Expr>,
        key: Ident,
    },
    Index {
        expr: Box<Expr>,
        index: Box<Expr>,
    },
    Slice {
        expr: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
    },
    /// `[1, 2]` (`keyword: false`) or `ARRAY[1, 2]` (`keyword: true`).
    Array {
        items: Vec<Expr>,
        keyword: bool,
    },
    /// `ARRAY(select ...)`.
    ArraySubquery(Box<Query>),
    /// `{'a': 1, b: 2}`.
    StructLiteral(Vec<(Ident, Expr)>),
    /// `{*}`, `{t.*}`, `{* EXCLUDE (a)}` (Snowflake): an object of the
    /// columns the star stands for, `OBJECT_CONSTRUCT(*)`.
    StarObject(Box<Star>),
    /// `TABLE t` or `MODEL m` as a call argument (BigQuery): a relation or
    /// a model passed by name. `keyword` spans `TABLE` or `MODEL`.
    RelationArgument {
        keyword: Span,
        name: ObjectName,
    },
    /// `NAME foo` in `XMLELEMENT(NAME foo, ...)` (Postgres): the element's name.
    XmlName(Ident),
    /// A prefix operator that stands for a function (`|/ x` is `sqrt(x)` in
    /// Postgres); `operator` spans its spelling.
    PrefixCall {
        operator: Span,
        operand: Box<Expr>,
    },
    /// `ANY (subquery)`, `SOME (...)`, `ALL (...)` as the right side of a comparison.
    Quantified {
        all: bool,
        operand: Box<Expr>,
    },
    /// `MAP {'k': 1}` (DuckDB): keys and values are expressions.
    MapLiteral(Vec<(Expr, Expr)>),
    /// `*COLUMNS('a.*')` (DuckDB): the matched columns spread as arguments.
    Unpack(Box<Expr>),
    /// `ROW(1, 2)`.
    Row(Vec<Expr>),
    /// `(a, b)`.
    Tuple(Vec<Expr>),
    /// `(expr)`.
    Parenthesized(Box<Expr>),
    Lambda {
        params: Vec<Ident>,
        body: Box<Expr>,
    },
    Star(Box<Star>),
    /// `x COLLATE nocase`.
    Collate {
        expr: Box<Expr>,
        collation: Ident,
    },
    /// `x AT TIME ZONE 'UTC'`.
    AtTimeZone {
        expr: Box<Expr>,
        zone: Box<Expr>,
    },
    Error,
}
