//! BigQuery's answers to the shared parser's questions ([`SyntaxHooks`]):
//! reserved words, `QUALIFY`, `* EXCEPT`/`REPLACE`, `[...]` array literals,
//! angle-bracket types and typed constructors, `STRUCT(x AS a)`,
//! `SELECT AS STRUCT`, `FOR SYSTEM_TIME AS OF`, dashed project ids in table
//! names, `IN UNNEST(...)`, `TABLE t`/`MODEL m` arguments, and the mapping
//! of its type names onto `SqlType`.

use crate::syntax::ast::TypeName;
use crate::syntax::hooks::{KeywordCategory, StarModifiers, SyntaxHooks, TimeTravelSyntax};
use crate::syntax::token::Keyword;
use crate::syntax::type_lowering::{lower_container, small, two_modifiers, with_array_dimensions};
use fusion_ir::types::{SqlType, TimeZoneKind};

/// The BigQuery syntax hooks.
pub struct BigQuerySyntax;

impl SyntaxHooks for BigQuerySyntax {
    fn keyword_category(&self, keyword: Keyword) -> KeywordCategory {
        use Keyword::*;
        // BigQuery's reserved keywords, as far as the shared grammar knows them.
        match keyword {
            All | And | Any | Array | As | Asc | Between | By | Case | Cast | Collate | Create
            | Cross | Cube | Current | Default | Desc | Distinct | Else | End | Escape | Except
            | Exclude | Exists | False | Fetch | Following | For | From | Full | Group
            | Grouping | Groups | Having | Ignore | In | Inner | Intersect | Interval | Into
            | Is | Join | Lateral | Left | Like | Limit | Natural | Not | Null | Nulls | On
            | Or | Order | Outer | Over | Partition | Preceding | Recursive | Respect | Right
            | Rollup | Rows | Select | Some | Tablesample | Then | To | True | Unbounded
            | Union | Unnest | Using | When | Where | Window | With | Within => {
                KeywordCategory::Reserved
            }
            // Not names where a table's alias could stand: `t pivot (...)`.
            Pivot | Unpivot | Qualify | Struct => KeywordCategory::TypeOrFunctionName,
            // Reserved, but also the `RANGE(start, end)` constructor.
            Range => KeywordCategory::TypeOrFunctionName,
            _ => KeywordCategory::Unreserved,
        }
    }

    fn supports_qualify(&self) -> bool {
        true
    }

    fn strings_have_backslash_escapes(&self) -> bool {
        true
    }

    fn star_modifiers(&self) -> StarModifiers {
        StarModifiers {
            exclude: false,
            except: true,
            replace: true,
            rename: false,
            unparenthesized_list: false,
            ilike: false,
            unparenthesized_rename: false,
        }
    }

    fn supports_bracket_and_brace_literals(&self) -> bool {
        true
    }

    fn supports_angle_bracket_types(&self) -> bool {
        true
    }

    fn supports_pivot(&self) -> bool {
        true
    }

    fn supports_select_as_value(&self) -> bool {
        true
    }

    fn supports_aliased_call_arguments(&self) -> bool {
        true
    }

    fn time_travel(&self) -> TimeTravelSyntax {
        TimeTravelSyntax {
            for_system_time: true,
            ..TimeTravelSyntax::default()
        }
    }

    fn supports_dashed_table_names(&self) -> bool {
        true
    }

    fn supports_in_unnest(&self) -> bool {
        true
    }

    fn supports_relation_arguments(&self) -> bool {
        true
    }

    fn is_try_cast_word(&self, word: &str) -> bool {
        word.eq_ignore_ascii_case("SAFE_CAST")
    }

    fn unnest_join_may_omit_constraint(&self) -> bool {
        true
    }

    fn interval_value_is_expression(&self) -> bool {
        // GoogleSQL: `INTERVAL int64_expression datetime_part`.
        true
    }

    fn is_typed_literal_prefix(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "DATE"
                | "TIME"
                | "DATETIME"
                | "TIMESTAMP"
                | "NUMERIC"
                | "BIGNUMERIC"
                | "JSON"
                | "RANGE"
        )
    }

    fn is_statement_keyword(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "ALTER"
                | "ASSERT"
                | "BEGIN"
                | "CALL"
                | "COMMIT"
                | "CREATE"
                | "DECLARE"
                | "DELETE"
                | "DROP"
                | "EXECUTE"
                | "EXPORT"
                | "GRANT"
                | "IF"
                | "INSERT"
                | "LOAD"
                | "MERGE"
                | "RAISE"
                | "RETURN"
                | "REVOKE"
                | "ROLLBACK"
                | "SET"
                | "TRUNCATE"
                | "UPDATE"
                | "UNDROP"
                | "WHILE"
                | "LOOP"
                | "REPEAT"
                | "FOR"
                | "DESCRIBE"
                | "SHOW"
        )
    }

    fn is_niladic_function(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "CURRENT_DATE" | "CURRENT_TIME" | "CURRENT_TIMESTAMP" | "CURRENT_DATETIME"
        )
    }

    fn is_interval_unit(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "YEAR"
                | "MONTH"
                | "DAY"
                | "HOUR"
                | "MINUTE"
                | "SECOND"
                | "WEEK"
                | "QUARTER"
                | "MILLISECOND"
                | "MICROSECOND"
                | "DAYOFWEEK"
                | "DAYOFYEAR"
                | "ISOWEEK"
                | "ISOYEAR"
        )
    }

    fn lower_type(&self, type_name: &TypeName, source: &str) -> SqlType {
        with_array_dimensions(type_name, base_type(type_name, source, self))
    }
}

fn base_type(type_name: &TypeName, source: &str, hooks: &BigQuerySyntax) -> SqlType {
    let (first, second) = two_modifiers(type_name, source);
    match type_name.name.as_str() {
        "INT64" | "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "BYTEINT" => {
            SqlType::INT64
        }
        "NUMERIC" | "DECIMAL" => SqlType::Decimal {
            precision: small(first).or(Some(38)),
            scale: small(second).or(if first.is_some() { Some(0) } else { Some(9) }),
        },
        "BIGNUMERIC" | "BIGDECIMAL" => SqlType::Decimal {
            precision: small(first).or(Some(76)),
            scale: small(second).or(if first.is_some() { Some(0) } else { Some(38) }),
        },
        "FLOAT64" | "FLOAT" => SqlType::Float64,
        "BOOL" | "BOOLEAN" => SqlType::Boolean,
        "STRING" => SqlType::String { max_len: first },
        "BYTES" => SqlType::Binary { max_len: first },
        "DATE" => SqlType::Date,
        "TIME" => SqlType::Time,
        "DATETIME" => SqlType::Timestamp {
            zone: TimeZoneKind::Without,
        },
        // A point in time, shown in UTC: like `timestamptz`.
        "TIMESTAMP" => SqlType::Timestamp {
            zone: TimeZoneKind::Local,
        },
        "INTERVAL" => SqlType::Interval,
        "JSON" => SqlType::Json,
        "GEOGRAPHY" => SqlType::Geography,
        _ => lower_container(type_name, source, hooks, SqlType::Unknown)
            .unwrap_or(SqlType::Other(type_name.name)),
    }
}
