//! Snowflake's answers to the shared parser's questions ([`SyntaxHooks`]):
//! reserved words, `QUALIFY`, `:` paths into VARIANT, `SAMPLE`,
//! `PIVOT`/`UNPIVOT`, `MINUS`, `* EXCLUDE`/`RENAME`/`REPLACE`/`ILIKE`,
//! `{*}`, lambdas, `AT`/`BEFORE`/`CHANGES` time travel, `TABLE('name')`,
//! `:1` parameters, `GROUP BY ALL`, `MATCH_CONDITION`, and the mapping of
//! its type names onto `SqlType`.

use crate::syntax::ast::TypeName;
use crate::syntax::hooks::{KeywordCategory, StarModifiers, SyntaxHooks, TimeTravelSyntax};
use crate::syntax::parser::precedence;
use crate::syntax::token::{Keyword, TokenKind};
use crate::syntax::type_lowering::{lower_container, small, two_modifiers, with_array_dimensions};
use fusion_ir::name::Name;
use fusion_ir::query::BinaryOp;
use fusion_ir::types::{SqlType, TimeZoneKind};

/// The Snowflake syntax hooks.
pub struct SnowflakeSyntax;

impl SyntaxHooks for SnowflakeSyntax {
    fn keyword_category(&self, keyword: Keyword) -> KeywordCategory {
        use Keyword::*;
        // Snowflake's reserved words (its "Reserved & limited keywords" list),
        // as far as the shared grammar knows them.
        match keyword {
            All | And | Any | As | Between | Case | Cast | Create | Cross | Distinct | Else
            | Exists | False | For | From | Full | Grant | Group | Having | In | Inner
            | Intersect | Into | Is | Join | Lateral | Natural | Not | Null | On | Or | Order
            | Sample | Select | Some | Table | Tablesample | Then | To | True | TryCast | Union
            | Using | Values | When | Where | With => KeywordCategory::Reserved,
            // Reserved, but also functions: `like(s, 'a%')`, `right(s, 2)`.
            Ilike | Left | Like | Right => KeywordCategory::TypeOrFunctionName,
            Current | Rows | Row => KeywordCategory::ColumnName,
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
            exclude: true,
            except: false,
            replace: true,
            rename: true,
            unparenthesized_list: true,
            ilike: true,
            unparenthesized_rename: true,
        }
    }

    fn supports_bracket_and_brace_literals(&self) -> bool {
        true
    }

    fn supports_arrow_lambda(&self) -> bool {
        true
    }

    fn supports_colon_path(&self) -> bool {
        true
    }

    fn supports_select_top(&self) -> bool {
        true
    }

    fn supports_pivot(&self) -> bool {
        true
    }

    fn supports_sample_clause(&self) -> bool {
        true
    }

    fn supports_join_keyword(&self, keyword: Keyword) -> bool {
        matches!(keyword, Keyword::Asof)
    }

    fn supports_group_by_all(&self) -> bool {
        true
    }

    fn supports_match_condition(&self) -> bool {
        true
    }

    fn time_travel(&self) -> TimeTravelSyntax {
        TimeTravelSyntax {
            at_before: true,
            ..TimeTravelSyntax::default()
        }
    }

    fn supports_table_literal(&self) -> bool {
        true
    }

    fn supports_colon_parameters(&self) -> bool {
        true
    }

    fn supports_star_object(&self) -> bool {
        true
    }

    fn inner_join_may_omit_constraint(&self) -> bool {
        true
    }

    fn supports_connect_by(&self) -> bool {
        true
    }

    fn prefix_operator_function(&self, spelling: &str) -> Option<&'static str> {
        // Hierarchical queries' operators, read as calls of the catalog's
        // `prior` and `connect_by_root` (the operand's type and value).
        if spelling.eq_ignore_ascii_case("PRIOR") {
            Some("prior")
        } else if spelling.eq_ignore_ascii_case("CONNECT_BY_ROOT") {
            Some("connect_by_root")
        } else {
            None
        }
    }

    fn extra_binary_operator(&self, kind: TokenKind, spelling: &str) -> Option<(BinaryOp, u8)> {
        // `a rlike 'x.*'`, `a regexp 'x.*'`: a regular expression match.
        let is_regexp = kind == TokenKind::Word
            && (spelling.eq_ignore_ascii_case("RLIKE") || spelling.eq_ignore_ascii_case("REGEXP"));
        is_regexp.then(|| (BinaryOp::Other(Name::new("RLIKE")), precedence::PATTERN))
    }

    fn is_except_synonym(&self, upper_case_word: &str) -> bool {
        upper_case_word == "MINUS"
    }

    fn is_typed_literal_prefix(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "DATE"
                | "TIME"
                | "TIMESTAMP"
                | "TIMESTAMP_NTZ"
                | "TIMESTAMP_LTZ"
                | "TIMESTAMP_TZ"
                | "DATETIME"
        )
    }

    fn is_statement_keyword(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "ALTER"
                | "BEGIN"
                | "CALL"
                | "COMMENT"
                | "COMMIT"
                | "COPY"
                | "CREATE"
                | "DECLARE"
                | "DELETE"
                | "DESC"
                | "DESCRIBE"
                | "DROP"
                | "EXECUTE"
                | "EXPLAIN"
                | "GET"
                | "GRANT"
                | "INSERT"
                | "LIST"
                | "LS"
                | "MERGE"
                | "PUT"
                | "REMOVE"
                | "RM"
                | "REVOKE"
                | "ROLLBACK"
                | "SET"
                | "SHOW"
                | "START"
                | "TRUNCATE"
                | "UNDROP"
                | "UNSET"
                | "UPDATE"
                | "USE"
        )
    }

    fn is_niladic_function(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "CURRENT_DATE"
                | "CURRENT_TIME"
                | "CURRENT_TIMESTAMP"
                | "LOCALTIME"
                | "LOCALTIMESTAMP"
                | "CURRENT_USER"
                | "CURRENT_ROLE"
                | "CURRENT_DATABASE"
                | "CURRENT_SCHEMA"
                | "CURRENT_WAREHOUSE"
                | "SYSDATE"
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
                | "NANOSECOND"
        )
    }

    fn lower_type(&self, type_name: &TypeName, source: &str) -> SqlType {
        with_array_dimensions(type_name, base_type(type_name, source, self))
    }
}

fn base_type(type_name: &TypeName, source: &str, hooks: &SnowflakeSyntax) -> SqlType {
    let (first, second) = two_modifiers(type_name, source);
    // Integers are NUMBER(38, 0) in Snowflake, whatever their spelling.
    let integer = SqlType::Decimal {
        precision: Some(38),
        scale: Some(0),
    };
    match type_name.name.as_str() {
        "NUMBER" | "DECIMAL" | "NUMERIC" | "DEC" => SqlType::Decimal {
            precision: small(first).or(Some(38)),
            scale: small(second).or(Some(0)),
        },
        "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "BYTEINT" => integer,
        "FLOAT" | "FLOAT4" | "FLOAT8" | "DOUBLE" | "DOUBLE PRECISION" | "REAL" => SqlType::Float64,
        "VARCHAR" | "STRING" | "TEXT" | "CHAR" | "CHARACTER" | "NCHAR" | "NVARCHAR"
        | "NVARCHAR2" | "CHAR VARYING" | "CHARACTER VARYING" | "NCHAR VARYING" => {
            let max_len = match type_name.name.as_str() {
                "CHAR" | "CHARACTER" | "NCHAR" => first.or(Some(1)),
                _ => first,
            };
            SqlType::String { max_len }
        }
        "BINARY" | "VARBINARY" => SqlType::Binary { max_len: first },
        "BOOLEAN" | "BOOL" => SqlType::Boolean,
        "DATE" => SqlType::Date,
        "TIME" => SqlType::Time,
        "DATETIME"
        | "TIMESTAMP"
        | "TIMESTAMP_NTZ"
        | "TIMESTAMPNTZ"
        | "TIMESTAMP WITHOUT TIME ZONE" => SqlType::Timestamp {
            zone: TimeZoneKind::Without,
        },
        "TIMESTAMP_LTZ" | "TIMESTAMPLTZ" | "TIMESTAMP WITH LOCAL TIME ZONE" => SqlType::Timestamp {
            zone: TimeZoneKind::Local,
        },
        "TIMESTAMP_TZ" | "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => SqlType::Timestamp {
            zone: TimeZoneKind::WithOffset,
        },
        "VARIANT" => SqlType::Variant,
        "OBJECT" => match lower_container(type_name, source, hooks, SqlType::Variant) {
            Some(SqlType::Struct(fields)) if !fields.is_empty() => SqlType::Struct(fields),
            _ => SqlType::Map(Box::new((SqlType::STRING, SqlType::Variant))),
        },
        "ARRAY" => lower_container(type_name, source, hooks, SqlType::Variant)
            .unwrap_or(SqlType::Array(Box::new(SqlType::Variant))),
        "MAP" => lower_container(type_name, source, hooks, SqlType::Variant)
            .unwrap_or(SqlType::Other(type_name.name)),
        "GEOGRAPHY" | "GEOMETRY" => SqlType::Geography,
        _ => SqlType::Other(type_name.name),
    }
}
