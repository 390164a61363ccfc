//! Redshift's answers to the shared parser's questions ([`SyntaxHooks`]):
//! the Postgres base (keyword classes, operators, statements) plus
//! `QUALIFY`, `SELECT TOP n`, `MINUS`, `EXCLUDE` after the select list,
//! `ARRAY(...)`, and Redshift's own type names
//! (`SUPER`, `VARBYTE`, `GEOMETRY`...) onto `SqlType`. `SUPER` navigation
//! (`c.orders[0].id`) is the shared field and index syntax.

use crate::postgres::syntax::{
    postgres_base_type, postgres_keyword_category, postgres_statement_keyword,
};
use crate::syntax::ast::TypeName;
use crate::syntax::hooks::{KeywordCategory, SyntaxHooks};
use crate::syntax::parser::precedence;
use crate::syntax::token::{Keyword, TokenKind};
use crate::syntax::type_lowering::{two_modifiers, with_array_dimensions};
use fusion_ir::query::BinaryOp;
use fusion_ir::types::{SqlType, TimeZoneKind};

/// The Redshift syntax hooks.
pub struct RedshiftSyntax;

impl SyntaxHooks for RedshiftSyntax {
    fn keyword_category(&self, keyword: Keyword) -> KeywordCategory {
        match keyword {
            Keyword::Qualify => KeywordCategory::Reserved,
            // `array(1, 2)` builds a SUPER array.
            Keyword::Array => KeywordCategory::TypeOrFunctionName,
            other => postgres_keyword_category(other),
        }
    }

    fn supports_qualify(&self) -> bool {
        true
    }

    fn supports_select_top(&self) -> bool {
        true
    }

    fn supports_select_list_exclude(&self) -> bool {
        true
    }

    fn is_except_synonym(&self, upper_case_word: &str) -> bool {
        upper_case_word == "MINUS"
    }

    fn extra_binary_operator(&self, kind: TokenKind, _spelling: &str) -> Option<(BinaryOp, u8)> {
        match kind {
            TokenKind::Caret => Some((BinaryOp::Power, precedence::POWER)),
            _ => None,
        }
    }

    fn is_typed_literal_prefix(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "DATE" | "TIME" | "TIMETZ" | "TIMESTAMP" | "TIMESTAMPTZ" | "INTERVAL"
        )
    }

    fn is_statement_keyword(&self, upper_case_word: &str) -> bool {
        postgres_statement_keyword(upper_case_word)
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
                | "SESSION_USER"
                | "CURRENT_SCHEMA"
                | "SYSDATE"
        )
    }

    fn lower_type(&self, type_name: &TypeName, source: &str) -> SqlType {
        let (first, _) = two_modifiers(type_name, source);
        let base = match type_name.name.as_str() {
            "SUPER" => SqlType::Variant,
            "VARBYTE" | "VARBINARY" | "BINARY VARYING" => SqlType::Binary { max_len: first },
            "GEOMETRY" => SqlType::Geography,
            "BPCHAR" | "CHAR" | "CHARACTER" | "NCHAR" => SqlType::String {
                max_len: first.or(Some(1)),
            },
            "NVARCHAR" | "TEXT" => SqlType::String {
                max_len: first.or(Some(256)),
            },
            "FLOAT" => SqlType::Float64,
            "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => SqlType::Timestamp {
                zone: TimeZoneKind::Local,
            },
            _ => postgres_base_type(type_name, source),
        };
        with_array_dimensions(type_name, base)
    }
}
