//! `DialectSemantics`: everything dialect-specific that the passes need.
//!
//! Architecture invariant: `fusion-passes` never names a dialect. Name
//! folding, type spelling, implicit coercion and the function catalog reach
//! it only through this trait, which `fusion-dialects` implements once per
//! warehouse.

use crate::name::Name;
use crate::query::{BinaryOp, FunctionKind, Ident};
use crate::types::SqlType;

/// A constraint on one argument of a function signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// Exactly this type, or one the dialect implicitly coerces to it.
    Exact(SqlType),
    /// Any type at all.
    Any,
    /// Any numeric type.
    Numeric,
    /// Any character type.
    String,
    /// Date, time or timestamp.
    Temporal,
    /// Any array.
    AnyArray,
    /// A type variable: every parameter with the same variable must unify to
    /// one common supertype, which a return type may name.
    Var(u8),
    /// An array whose element type is the type variable.
    ArrayOf(u8),
    /// A date part keyword or string (`'day'`, `month`).
    DatePart,
}

/// One parameter of a function signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The parameter's name, when the catalog or the UDF declaration gives
    /// one.
    pub name: Option<Name>,
    /// What argument types the parameter accepts.
    pub ty: ParamType,
    /// May be left out (only trailing parameters are optional).
    pub optional: bool,
    /// Repeats any number of times (at most the last parameter).
    pub variadic: bool,
}

/// How a signature's result type is derived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReturnType {
    /// Always this type.
    Exact(SqlType),
    /// The type the variable unified to.
    Var(u8),
    /// An array of the type the variable unified to.
    ArrayOf(u8),
    /// The element type of the array the variable unified to.
    ElementOf(u8),
    /// The dialect's sum rule applied to the first argument (integers widen,
    /// decimals keep their scale).
    SumOf,
    /// The dialect's average rule applied to the first argument.
    AverageOf,
    /// A struct with one field per argument, named by the argument's name
    /// (`struct(1 as a)`, `struct_pack(a := 1)`) or by the column it reads.
    StructOfArguments,
}

/// One overload of a function: its parameters and how its result type follows
/// from the arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The parameters, in order.
    pub params: Vec<Param>,
    /// The result type.
    pub returns: ReturnType,
    /// Classes the type variables must fall in once bound (`where T in
    /// (anynumeric)`): a variable listed here whose bound type is not in
    /// its class makes the signature not match.
    pub variable_classes: Vec<(u8, ParamType)>,
}

/// How many type variables a signature may use (`T`, `U`, `V`, `W`).
pub const MAX_TYPE_VARIABLES: usize = 4;

/// When a function's result may be NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultNullability {
    /// NULL when any argument may be NULL (most scalar functions).
    FromArguments,
    /// NULL only when every argument may be NULL (`coalesce`, `concat`).
    AllArguments,
    /// Never NULL (`count`, `row_number`, `current_date`).
    Never,
    /// May be NULL whatever the arguments (most aggregates: an empty group).
    Always,
}

/// A function of a dialect's catalog, with its overloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionDef {
    /// The function's name as the catalog spells it.
    pub name: Name,
    /// Scalar, aggregate, window or table function.
    pub kind: FunctionKind,
    /// Whether two calls with the same arguments may return different
    /// results (the current time, random numbers, new ids): a model that
    /// calls one is never reused by a state-aware run.
    pub volatile: bool,
    /// The overloads. Of those that accept the arguments, the binder picks
    /// the one needing the fewest implicit coercions.
    pub signatures: Vec<Signature>,
    /// When the result may be NULL.
    pub nullability: ResultNullability,
}

/// One output column of a table function whose columns the dialect knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableFunctionColumn {
    /// The column's name.
    pub name: Name,
    /// The column's type.
    pub ty: SqlType,
}

/// The semantics of one SQL dialect, as the passes see it.
///
/// Only the name and identifier folding must be written: every dialect
/// decides those differently and no default is safe. The other methods
/// default to a dialect that knows nothing beyond the types themselves:
/// no type names, no functions, no implicit conversions, a type combining
/// only with itself. A real dialect overrides them; a test stub need not.
pub trait DialectSemantics: Send + Sync {
    /// The dialect's name as profiles spell the adapter type (`duckdb`).
    fn name(&self) -> &'static str;

    /// The key under which an identifier is compared to others: for
    /// example lower-cased when unquoted in Postgres, upper-cased in
    /// Snowflake, kept as written when quoted.
    ///
    /// Example (DuckDB): `Amount` and `amount` fold to the same key.
    fn fold_identifier(&self, ident: &Ident) -> Name;

    /// Whether a table name that names no known relation is a file the
    /// warehouse reads directly, with columns known only when it runs.
    ///
    /// Example (DuckDB): `select * from 'data/orders.csv'` reads the CSV
    /// file; `from 'orders'` is still an unknown table.
    fn is_file_reference(&self, _name: &str) -> bool {
        false
    }

    /// Whether two column names, as stored in schemas, name the same column.
    ///
    /// Example (DuckDB, case-insensitive): `names_match("ID", "id")` is true.
    fn names_match(&self, left: Name, right: Name) -> bool;

    /// The dialect's spelling of a type, for messages and artifacts.
    ///
    /// Example (DuckDB): `SqlType::Int { bits: 64 }` prints as `BIGINT`.
    ///
    /// Defaults to the type's debug form.
    fn type_name(&self, ty: &SqlType) -> String {
        format!("{ty:?}")
    }

    /// Parses a type name as a user writes it in YAML (`data_type: varchar(20)`).
    /// Returns `None` when the text is not a type of this dialect.
    fn parse_type_name(&self, text: &str) -> Option<SqlType> {
        let _ = text;
        None
    }

    /// Looks a function up in the catalog, by its name as written
    /// (the dialect decides whether function names are case-sensitive).
    fn function(&self, name: &str) -> Option<&FunctionDef> {
        let _ = name;
        None
    }

    /// Whether a value of type `from` is accepted where `to` is expected
    /// without an explicit cast.
    ///
    /// Example (DuckDB): `INTEGER` coerces to `DOUBLE`; `VARCHAR` does not
    /// coerce to `INTEGER`. Defaults to equal types only.
    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        from == to
    }

    /// Whether `CAST(x AS to)` is allowed for `x` of type `from`.
    ///
    /// Example (DuckDB): `DATE` to `BOOLEAN` is not. Defaults to every
    /// cast: without the dialect's rules, none is reported.
    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        let _ = (from, to);
        true
    }

    /// The type both sides unify to, for `CASE`, `COALESCE`, `UNION` and
    /// comparisons; `None` when the dialect would reject the combination.
    ///
    /// Example (DuckDB): `INTEGER` and `BIGINT` unify to `BIGINT`.
    /// Defaults to equal types only.
    fn common_supertype(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        (left == right).then(|| left.clone())
    }

    /// The result type of an arithmetic or string operator, or `None` when
    /// the operand types are not accepted.
    ///
    /// Example (DuckDB): `DATE - DATE` is `BIGINT`; `DATE + INTERVAL` is `TIMESTAMP`.
    /// Defaults to `None`: no operator is typed.
    fn binary_result(&self, op: BinaryOp, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        let _ = (op, left, right);
        None
    }

    /// The type of an integer literal with this text.
    ///
    /// Example (DuckDB): `42` is `INTEGER`, `3000000000` is `BIGINT`.
    /// Defaults to a 64-bit integer.
    fn integer_literal_type(&self, text: &str) -> SqlType {
        let _ = text;
        SqlType::INT64
    }

    /// The type of a decimal or float literal with this text.
    ///
    /// Example (DuckDB): `1.50` is `DECIMAL(3,2)`, `1e3` is `DOUBLE`.
    /// Defaults to a 64-bit float.
    fn decimal_literal_type(&self, text: &str) -> SqlType {
        let _ = text;
        SqlType::Float64
    }

    /// The type of a string literal (VARCHAR in most dialects).
    fn string_literal_type(&self) -> SqlType {
        SqlType::STRING
    }

    /// The result type of `SUM` over a value of this type (defaults to the
    /// input type).
    fn sum_type(&self, input: &SqlType) -> SqlType {
        input.clone()
    }

    /// The result type of `AVG` over a value of this type (defaults to a
    /// 64-bit float).
    fn average_type(&self, input: &SqlType) -> SqlType {
        let _ = input;
        SqlType::Float64
    }

    /// Whether `WHERE` and `GROUP BY` may name select-list aliases
    /// (DuckDB yes, Postgres only in GROUP BY/ORDER BY). Defaults to no.
    fn aliases_visible_in_where(&self) -> bool {
        false
    }

    /// The type two sides of a comparison (`=`, `<`, `IN`, `BETWEEN`) are
    /// compared as, or `None` when the dialect rejects the comparison.
    /// Defaults to [`DialectSemantics::common_supertype`].
    ///
    /// Example (DuckDB): `VARCHAR` compared with `DATE` is compared as `DATE`;
    /// `DATE` compared with `INTEGER` is rejected.
    fn comparison_type(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        self.common_supertype(left, right)
    }

    /// Whether an untyped string literal (`'2024-01-01'`) is accepted where a
    /// value of type `to` is expected, the text being converted when the
    /// query runs.
    ///
    /// Example (DuckDB): yes for `DATE`, `INTEGER`, `INTERVAL`; Postgres
    /// behaves the same for its `unknown`-typed literals.
    fn string_literal_coerces_to(&self, to: &SqlType) -> bool {
        to.is_string()
    }

    /// The result type of a date-part function whose part is known from the
    /// text (`date_part('epoch', ts)`, `extract(epoch from ts)`), when it
    /// differs from what the catalog says; `None` keeps the catalog's type.
    ///
    /// Example (DuckDB): the `epoch` part is a `DOUBLE`, other parts `BIGINT`.
    fn date_part_result(&self, function: &str, part: &str, input: &SqlType) -> Option<SqlType> {
        let _ = (function, part, input);
        None
    }

    /// Whether a `SELECT DISTINCT` may only be ordered by what it outputs.
    ///
    /// Example (Postgres, DuckDB, BigQuery): `select distinct a from t order
    /// by b` is rejected, since one `a` may stand for rows with several `b`.
    fn distinct_order_by_must_be_selected(&self) -> bool {
        false
    }

    /// Whether `UNNEST(array)` in `FROM` is a value table: its alias names
    /// the element itself rather than a relation of one `unnest` column, and
    /// an element that is a struct also exposes each field as a column.
    ///
    /// Example (BigQuery): in `select p.key, value.int_value from t, unnest(t.params) as p
    /// where key = 'x'`, `key` and `p.key` are the field `key` of each element, and `p`
    /// alone is the element. Defaults to no (DuckDB, Postgres).
    fn unnest_is_value_table(&self) -> bool {
        false
    }

    /// The names of every function in the catalog, for "did you mean" help.
    fn function_names(&self) -> Vec<&str> {
        Vec::new()
    }

    /// The columns of a table function called in `FROM`, when the dialect
    /// knows them from its name and argument types alone; `None` otherwise
    /// (the relation then has an unknown schema).
    ///
    /// Example (DuckDB): `range(10)` has one column `range BIGINT`.
    fn table_function_columns(
        &self,
        name: &str,
        argument_types: &[SqlType],
    ) -> Option<Vec<TableFunctionColumn>> {
        let _ = (name, argument_types);
        None
    }
}
