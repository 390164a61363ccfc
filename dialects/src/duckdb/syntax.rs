//! DuckDB's answers to the shared parser's questions ([`SyntaxHooks`]):
//! reserved words, its extensions (`QUALIFY`, `FROM`-first, `* EXCLUDE`,
//! list and struct literals, lambdas, `ASOF`/`POSITIONAL` joins) and the
//! mapping of its type names onto `SqlType`.

use crate::syntax::ast::{TypeArguments, TypeName};
use crate::syntax::hooks::{KeywordCategory, StarModifiers, SyntaxHooks};
use crate::syntax::parser::precedence;
use crate::syntax::token::{Keyword, TokenKind};
use fusion_ir::name::Name;
use fusion_ir::query::BinaryOp;
use fusion_ir::types::{SqlType, StructField, TimeZoneKind};

/// The DuckDB syntax hooks.
pub struct DuckDbSyntax;

impl SyntaxHooks for DuckDbSyntax {
    fn supports_equals_named_table_arguments(&self) -> bool {
        true
    }

    fn keyword_category(&self, keyword: Keyword) -> KeywordCategory {
        use Keyword::*;
        // The classes follow DuckDB's grammar, itself derived from Postgres.
        match keyword {
            All | And | Any | Array | As | Asc | Both | Case | Cast | Collate | Create
            | Default | Desc | Distinct | Else | End | Except | False | Fetch | For | From
            | Grant | Group | Having | In | Intersect | Into | Lateral | Leading | Limit | Not
            | Null | Offset | On | Only | Or | Order | Pivot | Qualify | Returning | Select
            | Some | Table | Then | To | Trailing | True | Union | Unpivot | Using | When
            | Where | Window | With => KeywordCategory::Reserved,
            Anti | Asof | Cross | Full | Glob | Ilike | Inner | Is | Isnull | Join | Lambda
            | Left | Like | Natural | Notnull | Outer | Positional | Right | Semi | Similar
            | TryCast | Tablesample => KeywordCategory::TypeOrFunctionName,
            Between | Exists | Interval | Row | Values | Time | Timestamp | Character
            | Precision => KeywordCategory::ColumnName,
            _ => KeywordCategory::Unreserved,
        }
    }

    fn is_statement_keyword(&self, upper_case_word: &str) -> bool {
        matches!(
            upper_case_word,
            "ABORT"
                | "ALTER"
                | "ANALYZE"
                | "ATTACH"
                | "BEGIN"
                | "CALL"
                | "CHECKPOINT"
                | "COMMENT"
                | "COMMIT"
                | "COPY"
                | "CREATE"
                | "DEALLOCATE"
                | "DELETE"
                | "DESCRIBE"
                | "DETACH"
                | "DROP"
                | "END"
                | "EXECUTE"
                | "EXPLAIN"
                | "EXPORT"
                | "FORCE"
                | "GRANT"
                | "IMPORT"
                | "INSERT"
                | "INSTALL"
                | "LOAD"
                | "MERGE"
                | "PIVOT"
                | "PIVOT_WIDER"
                | "PIVOT_LONGER"
                | "PRAGMA"
                | "PREPARE"
                | "RESET"
                | "REVOKE"
                | "ROLLBACK"
                | "SET"
                | "SHOW"
                | "START"
                | "SUMMARIZE"
                | "TABLE"
                | "TRANSACTION"
                | "TRUNCATE"
                | "UNPIVOT"
                | "UPDATE"
                | "UPSERT"
                | "USE"
                | "VACUUM"
        )
    }

    fn supports_qualify(&self) -> bool {
        true
    }

    fn supports_from_first(&self) -> bool {
        true
    }

    fn star_modifiers(&self) -> StarModifiers {
        StarModifiers {
            exclude: true,
            except: false,
            replace: true,
            rename: true,
            unparenthesized_list: true,
            ilike: false,
            unparenthesized_rename: false,
        }
    }

    fn supports_by_all(&self) -> bool {
        true
    }

    fn supports_bracket_and_brace_literals(&self) -> bool {
        true
    }

    fn supports_arrow_lambda(&self) -> bool {
        true
    }

    fn supports_prefix_alias(&self) -> bool {
        true
    }

    fn supports_file_as_table(&self) -> bool {
        true
    }

    fn supports_join_keyword(&self, keyword: Keyword) -> bool {
        matches!(
            keyword,
            Keyword::Semi | Keyword::Anti | Keyword::Asof | Keyword::Positional
        )
    }

    fn extra_binary_operator(&self, kind: TokenKind, _spelling: &str) -> Option<(BinaryOp, u8)> {
        match kind {
            TokenKind::DoubleStar | TokenKind::Caret => Some((BinaryOp::Power, precedence::POWER)),
            TokenKind::DoubleSlash => Some((BinaryOp::IntegerDivide, precedence::MULTIPLICATIVE)),
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
                | "DATETIME"
                | "TIMESTAMP_S"
                | "TIMESTAMP_MS"
                | "TIMESTAMP_US"
                | "TIMESTAMP_NS"
                | "BLOB"
                | "BYTEA"
                | "UUID"
                | "JSON"
                | "VARCHAR"
                | "TEXT"
                | "INTEGER"
                | "BIGINT"
                | "DOUBLE"
                | "DECIMAL"
                | "NUMERIC"
                | "BOOLEAN"
                | "HUGEINT"
                | "BIT"
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
                | "MILLISECOND"
                | "MICROSECOND"
                | "WEEK"
                | "QUARTER"
                | "DECADE"
                | "CENTURY"
                | "CENTURIES"
                | "MILLENNIUM"
                | "MILLENNIA"
        )
    }

    fn lower_type(&self, type_name: &TypeName, source: &str) -> SqlType {
        let mut ty = base_type(type_name, source, self);
        for _ in 0..type_name.array_dimensions {
            ty = SqlType::Array(Box::new(ty));
        }
        ty
    }
}

/// The numeric modifiers of a type name (`(10, 2)`), when they are numbers.
fn numeric_modifiers(type_name: &TypeName, source: &str) -> Vec<Option<u32>> {
    match &type_name.arguments {
        TypeArguments::Modifiers(modifiers) => modifiers
            .iter()
            .map(|span| {
                source
                    .get(span.range())
                    .and_then(|text| text.parse::<u32>().ok())
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn base_type(type_name: &TypeName, source: &str, hooks: &DuckDbSyntax) -> SqlType {
    let name = type_name.name.as_str();
    let modifiers = numeric_modifiers(type_name, source);
    let first = modifiers.first().copied().flatten();
    let second = modifiers.get(1).copied().flatten();
    let small = |value: Option<u32>| value.and_then(|value| u8::try_from(value).ok());
    match name {
        "BOOLEAN" | "BOOL" | "LOGICAL" => SqlType::Boolean,
        "TINYINT" | "INT1" => SqlType::Int { bits: 8 },
        "SMALLINT" | "INT2" | "SHORT" => SqlType::Int { bits: 16 },
        "INTEGER" | "INT" | "INT4" | "SIGNED" => SqlType::Int { bits: 32 },
        "BIGINT" | "INT8" | "LONG" => SqlType::Int { bits: 64 },
        "HUGEINT" | "INT128" => SqlType::Int { bits: 128 },
        "UTINYINT" => SqlType::UInt { bits: 8 },
        "USMALLINT" => SqlType::UInt { bits: 16 },
        "UINTEGER" => SqlType::UInt { bits: 32 },
        "UBIGINT" => SqlType::UInt { bits: 64 },
        "UHUGEINT" => SqlType::UInt { bits: 128 },
        "DECIMAL" | "NUMERIC" | "DEC" => SqlType::Decimal {
            precision: small(first),
            scale: small(second).or(first.map(|_| 0)),
        },
        "REAL" | "FLOAT4" | "FLOAT" => SqlType::Float32,
        "DOUBLE" | "FLOAT8" | "DOUBLE PRECISION" => SqlType::Float64,
        "VARCHAR" | "CHAR" | "BPCHAR" | "TEXT" | "STRING" | "CHARACTER" | "CHARACTER VARYING"
        | "CHAR VARYING" | "NVARCHAR" | "NCHAR" => SqlType::String { max_len: first },
        "BLOB" | "BYTEA" | "BINARY" | "VARBINARY" => SqlType::Binary { max_len: first },
        "DATE" => SqlType::Date,
        "TIME" | "TIME WITHOUT TIME ZONE" => SqlType::Time,
        "TIMESTAMP"
        | "DATETIME"
        | "TIMESTAMP WITHOUT TIME ZONE"
        | "TIMESTAMP_US"
        | "TIMESTAMP_S"
        | "TIMESTAMP_MS"
        | "TIMESTAMP_NS" => SqlType::Timestamp {
            zone: TimeZoneKind::Without,
        },
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => SqlType::Timestamp {
            zone: TimeZoneKind::Local,
        },
        "INTERVAL" => SqlType::Interval,
        "UUID" => SqlType::Uuid,
        "JSON" => SqlType::Json,
        "STRUCT" | "ROW" => match &type_name.arguments {
            TypeArguments::Fields(fields) => SqlType::Struct(
                fields
                    .iter()
                    .map(|(field, field_type)| {
                        let raw = source.get(field.span.range()).unwrap_or("");
                        let field_name = if field.quoted {
                            raw.trim_matches('"').replace("\"\"", "\"")
                        } else {
                            raw.to_string()
                        };
                        StructField {
                            name: Name::new(&field_name),
                            ty: hooks.lower_type(field_type, source),
                        }
                    })
                    .collect(),
            ),
            _ => SqlType::Struct(Vec::new()),
        },
        "MAP" => match &type_name.arguments {
            TypeArguments::Types(types) if types.len() == 2 => SqlType::Map(Box::new((
                hooks.lower_type(&types[0], source),
                hooks.lower_type(&types[1], source),
            ))),
            _ => SqlType::Other(type_name.name),
        },
        "LIST" => match &type_name.arguments {
            TypeArguments::Types(types) if types.len() == 1 => {
                SqlType::Array(Box::new(hooks.lower_type(&types[0], source)))
            }
            _ => SqlType::Other(type_name.name),
        },
        _ => SqlType::Other(type_name.name),
    }
}
