//! Postgres' answers to the shared parser's questions ([`SyntaxHooks`]):
//! its keyword classes, its operators (`^` power, JSON and containment
//! operators, `|/` and `||/`, `OVERLAPS`), typed literals, `VARIADIC`,
//! SQL/XML names, `IS JSON`, column definition lists, `ROWS FROM` and
//! `WITH ORDINALITY`, and the mapping of its type names onto `SqlType`. The rest of its syntax (`::`, `ARRAY[...]`, `DISTINCT ON`,
//! `FILTER`, `WITHIN GROUP`, `LATERAL`) is the shared parser's default.

use crate::syntax::ast::TypeName;
use crate::syntax::hooks::{KeywordCategory, SyntaxHooks};
use crate::syntax::parser::precedence;
use crate::syntax::token::{Keyword, TokenKind};
use crate::syntax::type_lowering::{small, two_modifiers, with_array_dimensions};
use fusion_ir::name::Name;
use fusion_ir::query::BinaryOp;
use fusion_ir::types::{SqlType, TimeZoneKind};

/// The Postgres syntax hooks.
pub struct PostgresSyntax;

/// Postgres' keyword classes (its `kwlist.h`), as far as the shared grammar
/// knows the words; Redshift shares them.
pub(crate) fn postgres_keyword_category(keyword: Keyword) -> KeywordCategory {
    use Keyword::*;
    match keyword {
        All | And | Any | Array | As | Asc | Both | Case | Cast | Collate | Create | Default
        | Desc | Distinct | Else | End | Except | False | Fetch | For | From | Grant | Group
        | Having | In | Intersect | Into | Lateral | Leading | Limit | Not | Null | Offset | On
        | Only | Or | Order | Returning | Select | Some | Table | Then | To | Trailing | True
        | Union | Using | When | Where | Window | With => KeywordCategory::Reserved,
        Cross | Full | Ilike | Inner | Is | Isnull | Join | Left | Like | Natural | Notnull
        | Outer | Right | Similar | Tablesample => KeywordCategory::TypeOrFunctionName,
        Between | Exists | Interval | Row | Values | Time | Timestamp | Character | Precision => {
            KeywordCategory::ColumnName
        }
        _ => KeywordCategory::Unreserved,
    }
}

/// The statements Postgres and Redshift accept besides queries.
pub(crate) fn postgres_statement_keyword(upper_case_word: &str) -> bool {
    matches!(
        upper_case_word,
        "ABORT"
            | "ALTER"
            | "ANALYZE"
            | "BEGIN"
            | "CALL"
            | "CHECKPOINT"
            | "CLOSE"
            | "CLUSTER"
            | "COMMENT"
            | "COMMIT"
            | "COPY"
            | "CREATE"
            | "DEALLOCATE"
            | "DECLARE"
            | "DELETE"
            | "DISCARD"
            | "DO"
            | "DROP"
            | "END"
            | "EXECUTE"
            | "EXPLAIN"
            | "FETCH"
            | "GRANT"
            | "IMPORT"
            | "INSERT"
            | "LISTEN"
            | "LOCK"
            | "MERGE"
            | "MOVE"
            | "NOTIFY"
            | "PREPARE"
            | "REFRESH"
            | "REINDEX"
            | "RELEASE"
            | "RESET"
            | "REVOKE"
            | "ROLLBACK"
            | "SAVEPOINT"
            | "SET"
            | "SHOW"
            | "START"
            | "TRUNCATE"
            | "UNLOAD"
            | "UNLISTEN"
            | "UPDATE"
            | "VACUUM"
    )
}

impl SyntaxHooks for PostgresSyntax {
    fn keyword_category(&self, keyword: Keyword) -> KeywordCategory {
        postgres_keyword_category(keyword)
    }

    fn extra_binary_operator(&self, kind: TokenKind, spelling: &str) -> Option<(BinaryOp, u8)> {
        match kind {
            TokenKind::Caret => Some((BinaryOp::Power, precedence::POWER)),
            // `(s1, e1) overlaps (s2, e2)`: whether two periods meet.
            TokenKind::Word if spelling.eq_ignore_ascii_case("OVERLAPS") => Some((
                BinaryOp::Other(Name::new("OVERLAPS")),
                precedence::COMPARISON,
            )),
            _ => None,
        }
    }

    fn supports_variadic_arguments(&self) -> bool {
        true
    }

    fn supports_is_json(&self) -> bool {
        true
    }

    fn supports_column_definition_lists(&self) -> bool {
        true
    }

    fn supports_sql_xml(&self) -> bool {
        true
    }

    fn allows_aliased_arguments(&self, lower_case_function: &str) -> bool {
        // `xmlattributes(v as name)`, `xmlforest(v as name)` name what they build.
        matches!(lower_case_function, "xmlattributes" | "xmlforest")
    }

    fn prefix_operator_function(&self, spelling: &str) -> Option<&'static str> {
        match spelling {
            "|/" => Some("sqrt"),
            "||/" => Some("cbrt"),
            _ => None,
        }
    }

    fn is_typed_literal_prefix(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "DATE"
                | "TIME"
                | "TIMETZ"
                | "TIMESTAMP"
                | "TIMESTAMPTZ"
                | "INTERVAL"
                | "JSON"
                | "JSONB"
                | "UUID"
                | "INET"
                | "POINT"
                | "BYTEA"
                | "TEXT"
                | "VARCHAR"
                | "INTEGER"
                | "INT"
                | "BIGINT"
                | "NUMERIC"
                | "DECIMAL"
                | "BOOLEAN"
                | "REAL"
                | "MONEY"
        )
    }

    fn is_statement_keyword(&self, upper_case_word: &str) -> bool {
        postgres_statement_keyword(upper_case_word)
    }

    fn lower_type(&self, type_name: &TypeName, source: &str) -> SqlType {
        with_array_dimensions(type_name, postgres_base_type(type_name, source))
    }
}

/// Postgres' type names onto `SqlType`; `None`-like names become `Other`.
pub(crate) fn postgres_base_type(type_name: &TypeName, source: &str) -> SqlType {
    let (first, second) = two_modifiers(type_name, source);
    match type_name.name.as_str() {
        "BOOLEAN" | "BOOL" => SqlType::Boolean,
        "SMALLINT" | "INT2" | "SMALLSERIAL" | "SERIAL2" => SqlType::Int { bits: 16 },
        "INTEGER" | "INT" | "INT4" | "SERIAL" | "SERIAL4" => SqlType::INT32,
        "BIGINT" | "INT8" | "BIGSERIAL" | "SERIAL8" => SqlType::INT64,
        "DECIMAL" | "NUMERIC" | "DEC" => SqlType::Decimal {
            precision: small(first),
            scale: small(second).or(first.map(|_| 0)),
        },
        "REAL" | "FLOAT4" => SqlType::Float32,
        "DOUBLE PRECISION" | "FLOAT8" => SqlType::Float64,
        // `float(p)`: single precision up to 24 bits of mantissa.
        "FLOAT" => match first {
            Some(bits) if bits <= 24 => SqlType::Float32,
            _ => SqlType::Float64,
        },
        "VARCHAR" | "CHARACTER VARYING" | "CHAR VARYING" | "TEXT" | "NAME" | "CITEXT" => {
            SqlType::String { max_len: first }
        }
        "CHAR" | "CHARACTER" | "BPCHAR" | "NCHAR" => SqlType::String {
            max_len: first.or(Some(1)),
        },
        "BYTEA" => SqlType::Binary { max_len: None },
        "DATE" => SqlType::Date,
        "TIME" | "TIME WITHOUT TIME ZONE" => SqlType::Time,
        "TIMETZ" | "TIME WITH TIME ZONE" => SqlType::Time,
        "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => SqlType::Timestamp {
            zone: TimeZoneKind::Without,
        },
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => SqlType::Timestamp {
            zone: TimeZoneKind::Local,
        },
        "INTERVAL" => SqlType::Interval,
        "UUID" => SqlType::Uuid,
        "JSON" | "JSONB" => SqlType::Json,
        "GEOGRAPHY" => SqlType::Geography,
        _ => SqlType::Other(type_name.name),
    }
}
