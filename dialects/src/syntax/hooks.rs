//! The dialect hooks of the shared parser: every place where SQL dialects
//! disagree and the core must ask instead of assuming.
//!
//! Each dialect implements [`SyntaxHooks`] once; the core never checks which
//! dialect it parses. Defaults follow the ANSI/Postgres reading, so a new
//! dialect overrides only where it differs.

use crate::syntax::ast::TypeName;
use crate::syntax::token::{Keyword, TokenKind};
use fusion_ir::query::BinaryOp;
use fusion_ir::types::SqlType;

/// How freely a keyword may also serve as a name (the Postgres classes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeywordCategory {
    /// Usable anywhere a name is: `select year from t`.
    Unreserved,
    /// A column or table name, but not a function name: `select between(...)` is wrong.
    ColumnName,
    /// A function or type name, but not a column or alias: `left(s, 2)`.
    TypeOrFunctionName,
    /// Never a name unless quoted: `select from`.
    Reserved,
}

/// Dialect-specific decisions of the shared parser and lowering.
pub trait SyntaxHooks: Sync {
    /// How freely `keyword` may be used as a name.
    ///
    /// Example: `select qualify from t` is an error in DuckDB (reserved), while
    /// `select year from t` reads a column.
    fn keyword_category(&self, keyword: Keyword) -> KeywordCategory;

    /// Whether `QUALIFY` filters on window results after `HAVING`.
    ///
    /// Example: `select a from t qualify row_number() over (order by a) = 1`.
    fn supports_qualify(&self) -> bool {
        false
    }

    /// Whether a query may start with `FROM` (`SELECT` after it, or omitted).
    ///
    /// Example: `from orders select id` and bare `from orders`.
    fn supports_from_first(&self) -> bool {
        false
    }

    /// Whether `* EXCLUDE`, `* REPLACE` and `* RENAME` modify a star, and whether
    /// the excluded names may be written without parentheses.
    ///
    /// Example: `select * exclude (a, b) from t`, DuckDB also `select * exclude a from t`.
    fn star_modifiers(&self) -> StarModifiers {
        StarModifiers::default()
    }

    /// Whether `GROUP BY ALL` and `ORDER BY ALL` are accepted.
    ///
    /// Example: `select a, sum(b) from t group by all order by all`.
    fn supports_by_all(&self) -> bool {
        false
    }

    /// Whether `[1, 2]` is a list literal and `{'a': 1}` a struct literal.
    ///
    /// Example: `select [1, 2] as l, {'k': 1} as s`.
    fn supports_bracket_and_brace_literals(&self) -> bool {
        false
    }

    /// Whether `x -> x + 1` inside a call's arguments is a lambda.
    ///
    /// Example: `select list_transform(l, x -> x + 1)`.
    fn supports_arrow_lambda(&self) -> bool {
        false
    }

    /// Whether an alias may precede its expression or table with a colon.
    ///
    /// Example: `select total: price * quantity from orders o: order_lines`.
    fn supports_prefix_alias(&self) -> bool {
        false
    }

    /// Whether a string literal in FROM names a file to read.
    ///
    /// Example: `select * from 'orders.csv'`.
    fn supports_file_as_table(&self) -> bool {
        false
    }

    /// Whether a join keyword this dialect does not share with ANSI SQL
    /// (`SEMI`, `ANTI`, `ASOF`, `POSITIONAL`) starts a join.
    ///
    /// Example: `select * from a asof join b on a.t >= b.t`.
    fn supports_join_keyword(&self, keyword: Keyword) -> bool {
        let _ = keyword;
        false
    }

    /// Whether `expr:key` reads a key of a semi-structured value (VARIANT,
    /// JSON string), continuing with `.key` and `[index]`.
    ///
    /// Example: `select v:customer.orders[0]::string from raw`.
    fn supports_colon_path(&self) -> bool {
        false
    }

    /// Whether `SELECT TOP n` limits the rows.
    ///
    /// Example: `select top 10 id from orders`.
    fn supports_select_top(&self) -> bool {
        false
    }

    /// Whether parameterised types use angle brackets, and `ARRAY<T>[...]`
    /// and `STRUCT<a T>(...)` construct typed values.
    ///
    /// Example: `cast(x as array<struct<a int64>>)`, `map<string, int>`.
    fn supports_angle_bracket_types(&self) -> bool {
        false
    }

    /// Whether `LATERAL VIEW [OUTER] f(...) alias AS columns` joins a
    /// generator's rows to each input row (Hive, Spark).
    ///
    /// Example: `select t.id, c from t lateral view explode(t.items) e as c`.
    fn supports_lateral_view(&self) -> bool {
        false
    }

    /// Whether `PIVOT (...)` and `UNPIVOT (...)` may follow a table in FROM.
    ///
    /// Example: `select * from sales pivot (sum(amount) for month in ('jan', 'feb'))`.
    fn supports_pivot(&self) -> bool {
        false
    }

    /// Whether `SAMPLE (...)` after a table samples its rows, like `TABLESAMPLE`.
    ///
    /// Example: `select * from orders sample (10)`.
    fn supports_sample_clause(&self) -> bool {
        false
    }

    /// Whether `SELECT AS STRUCT` and `SELECT AS VALUE` shape each row into
    /// one value (BigQuery).
    ///
    /// Example: `select array(select as struct a, b from t)`.
    fn supports_select_as_value(&self) -> bool {
        false
    }

    /// Whether a call argument may carry an alias that names a struct field.
    ///
    /// Example: `select struct(1 as a, 'x' as b)`.
    fn supports_aliased_call_arguments(&self) -> bool {
        false
    }

    /// Whether a backslash escapes the next character in every string
    /// literal, not only in `E'...'`; the lexer then also decides the
    /// string's prefixes (`r'...'` raw, `b'...'` bytes, triple quotes).
    ///
    /// Example: `select 'it\'s'` (Snowflake, BigQuery, Spark).
    fn strings_have_backslash_escapes(&self) -> bool {
        false
    }

    /// Whether `word` (upper case) is another spelling of `EXCEPT`.
    ///
    /// Example: `select a from t minus select a from u` (Snowflake, Redshift).
    fn is_except_synonym(&self, upper_case_word: &str) -> bool {
        let _ = upper_case_word;
        false
    }

    /// A binary operator beyond the shared ones, with its binding power
    /// (see [`crate::syntax::parser::precedence`]), or `None` when the token
    /// is no operator here. `spelling` is the token's text.
    ///
    /// Example: `select tags @> ['a']`, `select 2 ** 3`, `select 7 // 2`, and
    /// words (keyword-less [`TokenKind::Word`]s) such as `a rlike 'x.*'`.
    fn extra_binary_operator(&self, kind: TokenKind, spelling: &str) -> Option<(BinaryOp, u8)> {
        let _ = (kind, spelling);
        None
    }

    /// Whether `word 'string'` is a typed literal for this type word.
    ///
    /// Example: `select date '2024-01-01', timestamptz '2024-01-01 00:00+00'`.
    fn is_typed_literal_prefix(&self, upper_case_word: &str) -> bool {
        matches!(upper_case_word, "DATE" | "TIME" | "TIMESTAMP")
    }

    /// Whether `word` (upper case) starts a statement that is not a query
    /// (kept opaque with a warning); any other leading word is an error.
    ///
    /// Example: `create table t as select 1` is a statement; `selec 1` is not.
    fn is_statement_keyword(&self, upper_case_word: &str) -> bool;

    /// Whether `word` (upper case), written bare, calls a function without
    /// arguments rather than naming a column.
    ///
    /// Example: `select current_date, current_timestamp`.
    fn is_niladic_function(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "CURRENT_DATE"
                | "CURRENT_TIME"
                | "CURRENT_TIMESTAMP"
                | "LOCALTIME"
                | "LOCALTIMESTAMP"
                | "CURRENT_USER"
                | "SESSION_USER"
                | "CURRENT_ROLE"
                | "CURRENT_CATALOG"
                | "CURRENT_SCHEMA"
        )
    }

    /// Whether `word` (upper case) is an interval unit after `INTERVAL n`.
    ///
    /// Example: `select interval 3 day`, `interval (n) hours`.
    fn is_interval_unit(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "YEAR" | "MONTH" | "DAY" | "HOUR" | "MINUTE" | "SECOND" | "WEEK" | "QUARTER"
        )
    }

    /// Whether `GROUP BY ALL` groups by every select item without an
    /// aggregate; by default where [`SyntaxHooks::supports_by_all`] holds.
    ///
    /// Example: `select a, sum(b) from t group by all`.
    fn supports_group_by_all(&self) -> bool {
        self.supports_by_all()
    }

    /// Which clauses read a table as of a point in time, after its name.
    ///
    /// Example: `select * from t at (timestamp => x)` (Snowflake),
    /// `from t for system_time as of x` (BigQuery), `from t version as of 3`.
    fn time_travel(&self) -> TimeTravelSyntax {
        TimeTravelSyntax::default()
    }

    /// Whether `TABLE('name')`, `TABLE($var)` or `TABLE(?)` in FROM names a
    /// table by a string or a variable.
    ///
    /// Example: `select * from table($table_name)` (Snowflake).
    fn supports_table_literal(&self) -> bool {
        false
    }

    /// Whether `:1` and `:name` are bind parameters.
    ///
    /// Example: `select * from t where id = :1` (Snowflake).
    fn supports_colon_parameters(&self) -> bool {
        false
    }

    /// Whether `{*}` and `{t.*}` build an object of a row's columns.
    ///
    /// Example: `select {* exclude (secret)} from t` (Snowflake).
    fn supports_star_object(&self) -> bool {
        false
    }

    /// Whether a table name may contain dashes (a project id), with the
    /// parts after a dot allowed to start with digits.
    ///
    /// Example: `select * from my-project.dataset.2024_sales` (BigQuery).
    fn supports_dashed_table_names(&self) -> bool {
        false
    }

    /// Whether `x IN UNNEST(array)` tests membership in an array.
    ///
    /// Example: `select * from t where id in unnest([1, 2])` (BigQuery).
    fn supports_in_unnest(&self) -> bool {
        false
    }

    /// Whether a table function's arguments may be named with `=`.
    ///
    /// Example: `select * from read_csv('orders.csv', header = true, delim = ';')`
    /// (DuckDB); elsewhere `header = true` is a comparison.
    fn supports_equals_named_table_arguments(&self) -> bool {
        false
    }

    /// Whether `TABLE t` and `MODEL m` pass a relation or a model by name as
    /// a call argument.
    ///
    /// Example: `select * from ml.predict(model d.m, table d.t)` (BigQuery).
    fn supports_relation_arguments(&self) -> bool {
        false
    }

    /// Whether `VARIADIC array` passes an array's elements as the arguments.
    ///
    /// Example: `select concat_ws(',', variadic array['a', 'b'])` (Postgres).
    fn supports_variadic_arguments(&self) -> bool {
        false
    }

    /// Whether the arguments of `function` (lower case) may carry aliases;
    /// by default every function where
    /// [`SyntaxHooks::supports_aliased_call_arguments`] holds.
    ///
    /// Example: `select struct(1 as a)`, `xmlattributes(x as id)` (Postgres).
    fn allows_aliased_arguments(&self, lower_case_function: &str) -> bool {
        let _ = lower_case_function;
        self.supports_aliased_call_arguments()
    }

    /// Whether the SQL/XML forms `XMLELEMENT(NAME n, ...)` are read.
    ///
    /// Example: `select xmlelement(name item, xmlattributes(id as id))`.
    fn supports_sql_xml(&self) -> bool {
        false
    }

    /// Whether `function` (lower case) separates its arguments with
    /// keywords (`FROM`, `FOR`, `IN`, `PLACING`) as well as commas.
    ///
    /// Example: `select substring(s from 2 for 3)`, `extract(year from d)`.
    fn has_keyword_separated_arguments(&self, lower_case_function: &str) -> bool {
        matches!(
            lower_case_function,
            "extract" | "substring" | "trim" | "overlay" | "position"
        )
    }

    /// Whether a string type may carry a collation in a type name.
    ///
    /// Example: `cast(x as string collate utf8_lcase)` (Databricks).
    fn supports_type_collation(&self) -> bool {
        false
    }

    /// Whether `CLUSTER BY`, `DISTRIBUTE BY` and `SORT BY` end a query (Spark).
    ///
    /// Example: `select * from t distribute by a sort by b`.
    fn supports_distribution_clauses(&self) -> bool {
        false
    }

    /// Whether an inner join may omit `ON`, reading as a cross join.
    ///
    /// Example: `select * from a inner join b where a.x = b.x` (Snowflake).
    fn inner_join_may_omit_constraint(&self) -> bool {
        false
    }

    /// Whether an inner or left join to `UNNEST(...)` may omit `ON`: the
    /// unnested array is read from the left side's row (a correlated join),
    /// which is the join's condition.
    ///
    /// Example: `select * from orders left join unnest(orders.items) as item` (BigQuery).
    fn unnest_join_may_omit_constraint(&self) -> bool {
        false
    }

    /// Whether a select may be a hierarchical query: `START WITH p CONNECT BY
    /// q` after its FROM, `PRIOR x` and `CONNECT_BY_ROOT x` in expressions.
    ///
    /// Example: `select name from staff start with boss_id is null connect by
    /// boss_id = prior id` (Snowflake).
    fn supports_connect_by(&self) -> bool {
        false
    }

    /// Whether an interval's value may be any expression, not only a
    /// literal or a parenthesized expression.
    ///
    /// Example: `date_add(order_date, interval days_late day)` (BigQuery).
    fn interval_value_is_expression(&self) -> bool {
        false
    }

    /// Whether `EXCLUDE (a, b)` may end a select list (Redshift).
    ///
    /// Example: `select *, 1 as one exclude (secret) from t`.
    fn supports_select_list_exclude(&self) -> bool {
        false
    }

    /// Whether `expr:[key]` reads a key written in brackets.
    ///
    /// Example: `select raw:['price'] from t` (Databricks).
    fn supports_colon_bracket_path(&self) -> bool {
        false
    }

    /// Whether an interval literal may have several parts, each with its unit.
    ///
    /// Example: `select interval 5 hours 30 minutes` (Spark).
    fn supports_multi_unit_intervals(&self) -> bool {
        false
    }

    /// Whether `x IS JSON [VALUE | SCALAR | OBJECT | ARRAY] [WITH UNIQUE
    /// KEYS]` tests that a text is JSON (SQL:2016).
    ///
    /// Example: `select js is json object from t` (Postgres 16).
    fn supports_is_json(&self) -> bool {
        false
    }

    /// Whether a table function's alias may define its columns with types,
    /// and `ROWS FROM (...)` and `WITH ORDINALITY` apply to table functions.
    ///
    /// Example: `select * from json_to_record(j) as r(a int, b text)` (Postgres).
    fn supports_column_definition_lists(&self) -> bool {
        false
    }

    /// Whether an ASOF join states its inequality in `MATCH_CONDITION (...)`.
    ///
    /// Example: `from a asof join b match_condition (a.t >= b.t) on a.k = b.k`.
    fn supports_match_condition(&self) -> bool {
        false
    }

    /// Whether `word` (any case), called like `CAST`, is a cast that yields
    /// NULL when the value does not convert, like `TRY_CAST`.
    ///
    /// Example: `select safe_cast(x as int64)` (BigQuery).
    fn is_try_cast_word(&self, word: &str) -> bool {
        let _ = word;
        false
    }

    /// Whether a `VALUES` query may carry a table alias naming its columns.
    ///
    /// Example: `with t as (values (1, 'a') as t(id, name)) select id from t` (Spark).
    fn values_query_takes_alias(&self) -> bool {
        false
    }

    /// The function a prefix operator spelled `spelling` stands for, if it
    /// is one here.
    ///
    /// Example: `select |/ 16` is `sqrt(16)` and `||/ 27` is `cbrt(27)` (Postgres).
    fn prefix_operator_function(&self, spelling: &str) -> Option<&'static str> {
        let _ = spelling;
        None
    }

    /// The IR type of a type name as written.
    ///
    /// Example: `cast(x as decimal(10, 2))` lowers to `SqlType::Decimal`.
    fn lower_type(&self, type_name: &TypeName, source: &str) -> SqlType;
}

/// Which star modifiers a dialect has (see [`SyntaxHooks::star_modifiers`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct StarModifiers {
    /// `* EXCLUDE (a)` (DuckDB, Snowflake).
    pub exclude: bool,
    /// `* EXCEPT (a)` (BigQuery).
    pub except: bool,
    /// `* REPLACE (expr AS a)`.
    pub replace: bool,
    /// `* RENAME (a AS b)` (Snowflake, DuckDB).
    pub rename: bool,
    /// `* EXCLUDE a` without parentheses (DuckDB).
    pub unparenthesized_list: bool,
    /// `* ILIKE 'a%'` (Snowflake).
    pub ilike: bool,
    /// `* RENAME a AS b`: one column renamed without parentheses (Snowflake).
    pub unparenthesized_rename: bool,
}

/// Which time-travel clauses a dialect has (see [`SyntaxHooks::time_travel`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeTravelSyntax {
    /// `AT (TIMESTAMP => x)`, `BEFORE (STATEMENT => id)`,
    /// `CHANGES (INFORMATION => DEFAULT) AT (...) END (...)` (Snowflake).
    pub at_before: bool,
    /// `FOR SYSTEM_TIME AS OF x` (BigQuery).
    pub for_system_time: bool,
    /// `TIMESTAMP AS OF x`, `VERSION AS OF n` (Delta Lake).
    pub as_of: bool,
}
