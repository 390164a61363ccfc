//! Databricks' (Spark SQL's) answers to the shared parser's questions
//! ([`SyntaxHooks`]): reserved words, `QUALIFY`, `LATERAL VIEW`, lambdas,
//! `:` JSON paths (also `:['key']`), `PIVOT`, angle-bracket types,
//! `COLLATE` in types, `* EXCEPT`, `==` and `<=>`, `CLUSTER`/`DISTRIBUTE`/
//! `SORT BY`, Delta's `TIMESTAMP`/`VERSION AS OF`, multi-part intervals,
//! and the mapping of its type names onto `SqlType`.

use crate::syntax::ast::TypeName;
use crate::syntax::hooks::{KeywordCategory, StarModifiers, SyntaxHooks, TimeTravelSyntax};
use crate::syntax::parser::precedence;
use crate::syntax::token::{Keyword, TokenKind};
use crate::syntax::type_lowering::{lower_container, small, two_modifiers, with_array_dimensions};
use fusion_ir::name::Name;
use fusion_ir::query::BinaryOp;
use fusion_ir::types::{SqlType, TimeZoneKind};

/// The Databricks syntax hooks.
pub struct DatabricksSyntax;

impl SyntaxHooks for DatabricksSyntax {
    fn keyword_category(&self, keyword: Keyword) -> KeywordCategory {
        use Keyword::*;
        // Spark's ANSI-mode reserved words, as far as the shared grammar knows
        // them; Spark accepts most of them as names outside ANSI mode.
        match keyword {
            All | And | Any | As | Both | Case | Cast | Create | Cross | Distinct | Else | End
            | Except | False | Fetch | For | From | Full | Grant | Group | Having | In | Inner
            | Intersect | Into | Is | Join | Lateral | Leading | Not | Null | On | Only | Or
            | Order | Outer | Select | Some | Table | Then | To | Trailing | True | Union
            | Using | When | Where | Window | With => KeywordCategory::Reserved,
            // Reserved, but also functions: `left(s, 2)`.
            Left | Right => KeywordCategory::TypeOrFunctionName,
            Anti | Semi | Natural | Like | Ilike | Between | Tablesample => {
                KeywordCategory::TypeOrFunctionName
            }
            // Not names where a table's alias could stand: `t pivot (...)`.
            Pivot | Unpivot | Qualify => KeywordCategory::TypeOrFunctionName,
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
            replace: false,
            rename: false,
            unparenthesized_list: false,
            ilike: false,
            unparenthesized_rename: false,
        }
    }

    fn supports_arrow_lambda(&self) -> bool {
        true
    }

    fn supports_colon_path(&self) -> bool {
        true
    }

    fn supports_angle_bracket_types(&self) -> bool {
        true
    }

    fn supports_lateral_view(&self) -> bool {
        true
    }

    fn supports_pivot(&self) -> bool {
        true
    }

    fn supports_join_keyword(&self, keyword: Keyword) -> bool {
        matches!(keyword, Keyword::Semi | Keyword::Anti)
    }

    fn time_travel(&self) -> TimeTravelSyntax {
        TimeTravelSyntax {
            as_of: true,
            ..TimeTravelSyntax::default()
        }
    }

    fn allows_aliased_arguments(&self, lower_case_function: &str) -> bool {
        // Spark's `struct(a as x, ...)` names its fields; other calls take
        // plain expressions.
        lower_case_function == "struct"
    }

    fn has_keyword_separated_arguments(&self, lower_case_function: &str) -> bool {
        matches!(
            lower_case_function,
            "extract" | "substring" | "substr" | "trim" | "overlay" | "position"
        )
    }

    fn supports_type_collation(&self) -> bool {
        true
    }

    fn supports_distribution_clauses(&self) -> bool {
        true
    }

    fn supports_colon_bracket_path(&self) -> bool {
        true
    }

    fn supports_multi_unit_intervals(&self) -> bool {
        true
    }

    fn values_query_takes_alias(&self) -> bool {
        true
    }

    fn is_except_synonym(&self, upper_case_word: &str) -> bool {
        upper_case_word == "MINUS"
    }

    fn extra_binary_operator(&self, kind: TokenKind, spelling: &str) -> Option<(BinaryOp, u8)> {
        match (kind, spelling) {
            (TokenKind::Caret, _) => Some((BinaryOp::BitwiseXor, precedence::OTHER)),
            (TokenKind::OtherOperator, "<=>") => {
                Some((BinaryOp::Other(Name::new("<=>")), precedence::COMPARISON))
            }
            (TokenKind::OtherOperator, "&&") => Some((BinaryOp::And, precedence::AND)),
            _ => None,
        }
    }

    fn is_typed_literal_prefix(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "DATE" | "TIMESTAMP" | "TIMESTAMP_NTZ" | "TIMESTAMP_LTZ" | "X" | "BINARY"
        )
    }

    fn is_statement_keyword(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "ADD"
                | "ALTER"
                | "ANALYZE"
                | "CACHE"
                | "CALL"
                | "CLEAR"
                | "COMMENT"
                | "COPY"
                | "CREATE"
                | "DECLARE"
                | "DELETE"
                | "DESC"
                | "DESCRIBE"
                | "DROP"
                | "EXPLAIN"
                | "GRANT"
                | "INSERT"
                | "LIST"
                | "LOAD"
                | "MERGE"
                | "MSCK"
                | "OPTIMIZE"
                | "REFRESH"
                | "REPAIR"
                | "RESET"
                | "RESTORE"
                | "REVOKE"
                | "SET"
                | "SHOW"
                | "TRUNCATE"
                | "UNCACHE"
                | "UPDATE"
                | "USE"
                | "VACUUM"
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
        )
    }

    fn lower_type(&self, type_name: &TypeName, source: &str) -> SqlType {
        with_array_dimensions(type_name, base_type(type_name, source, self))
    }
}

fn base_type(type_name: &TypeName, source: &str, hooks: &DatabricksSyntax) -> SqlType {
    let (first, second) = two_modifiers(type_name, source);
    match type_name.name.as_str() {
        "TINYINT" | "BYTE" => SqlType::Int { bits: 8 },
        "SMALLINT" | "SHORT" => SqlType::Int { bits: 16 },
        "INT" | "INTEGER" => SqlType::INT32,
        "BIGINT" | "LONG" => SqlType::INT64,
        "FLOAT" | "REAL" => SqlType::Float32,
        "DOUBLE" | "DOUBLE PRECISION" => SqlType::Float64,
        "DECIMAL" | "DEC" | "NUMERIC" => SqlType::Decimal {
            precision: small(first).or(Some(10)),
            scale: small(second).or(Some(0)),
        },
        "STRING" | "VARCHAR" | "CHAR" | "CHARACTER" | "TEXT" => SqlType::String { max_len: first },
        "BINARY" => SqlType::Binary { max_len: None },
        "BOOLEAN" | "BOOL" => SqlType::Boolean,
        "DATE" => SqlType::Date,
        // Spark's TIMESTAMP is an instant shown in the session time zone.
        "TIMESTAMP" | "TIMESTAMP_LTZ" => SqlType::Timestamp {
            zone: TimeZoneKind::Local,
        },
        "TIMESTAMP_NTZ" => SqlType::Timestamp {
            zone: TimeZoneKind::Without,
        },
        "INTERVAL" => SqlType::Interval,
        "VARIANT" => SqlType::Variant,
        _ => lower_container(type_name, source, hooks, SqlType::Unknown)
            .unwrap_or(SqlType::Other(type_name.name)),
    }
}
