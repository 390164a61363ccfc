//! Postgres' semantics: type names as `format_type` prints them (`integer`,
//! `character varying(20)`, `timestamp with time zone`, `numeric(10,2)`,
//! `integer[]`), implicit casts, operator result types, and the function
//! catalog in `dialects/catalogs/postgres.sigs`.
//!
//! Facts from the PostgreSQL documentation ("Data Types", "Type Conversion",
//! "Functions and Operators", "Aggregate Functions").

use crate::signature::type_text::split_type_text;
use crate::signature::BuiltinCatalog;
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef};
use fusion_ir::types::{SqlType, TimeZoneKind};

/// Postgres' semantics.
pub(super) struct PostgresSemantics;

pub(super) static SEMANTICS: PostgresSemantics = PostgresSemantics;

static CATALOG: BuiltinCatalog =
    BuiltinCatalog::new(include_str!("../../catalogs/postgres.sigs"), |text| {
        SEMANTICS.parse_type_name(text)
    });

/// `numeric` without a typmod: any precision and scale.
const NUMERIC: SqlType = SqlType::Decimal {
    precision: None,
    scale: None,
};

const TIMESTAMPTZ: SqlType = SqlType::Timestamp {
    zone: TimeZoneKind::Local,
};

/// The numeric category's implicit-cast order: smallint < integer < bigint
/// < numeric < real < double precision.
fn numeric_rank(ty: &SqlType) -> Option<u8> {
    Some(match ty {
        SqlType::Int { bits: 8 | 16 } | SqlType::UInt { bits: 8 } => 0,
        SqlType::Int { bits: 32 } | SqlType::UInt { bits: 16 } => 1,
        SqlType::Int { .. } | SqlType::UInt { .. } => 2,
        SqlType::Decimal { .. } => 3,
        SqlType::Float32 => 4,
        SqlType::Float64 => 5,
        _ => return None,
    })
}

fn numeric_supertype(left: &SqlType, right: &SqlType) -> Option<SqlType> {
    let (left_rank, right_rank) = (numeric_rank(left)?, numeric_rank(right)?);
    if left == right {
        return Some(left.clone());
    }
    Some(match left_rank.max(right_rank) {
        0 => SqlType::Int { bits: 16 },
        1 => SqlType::INT32,
        2 => SqlType::INT64,
        // Mixed numerics lose their typmod.
        3 => NUMERIC,
        4 => SqlType::Float32,
        _ => SqlType::Float64,
    })
}

impl PostgresSemantics {
    fn parse_inner(&self, text: &str) -> Option<SqlType> {
        let parsed = split_type_text(text)?;
        if let Some(element) = &parsed.array_of {
            return Some(SqlType::Array(Box::new(self.parse_inner(element)?)));
        }
        let numbers = if parsed.arguments.is_some() {
            parsed.numbers()?
        } else {
            Vec::new()
        };
        let first = numbers.first().copied();
        Some(match parsed.base.as_str() {
            "SMALLINT" | "INT2" | "SMALLSERIAL" | "SERIAL2" => SqlType::Int { bits: 16 },
            "INTEGER" | "INT" | "INT4" | "SERIAL" | "SERIAL4" => SqlType::INT32,
            "BIGINT" | "INT8" | "BIGSERIAL" | "SERIAL8" => SqlType::INT64,
            "NUMERIC" | "DECIMAL" | "DEC" => match numbers.as_slice() {
                [] => NUMERIC,
                [precision] => SqlType::Decimal {
                    precision: Some(u8::try_from(*precision).ok()?),
                    scale: Some(0),
                },
                [precision, scale] => SqlType::Decimal {
                    precision: Some(u8::try_from(*precision).ok()?),
                    scale: Some(u8::try_from(*scale).ok()?),
                },
                _ => return None,
            },
            "REAL" | "FLOAT4" => SqlType::Float32,
            "DOUBLE PRECISION" | "FLOAT8" | "DOUBLE" => SqlType::Float64,
            // `float(p)`: up to 24 bits of mantissa is real.
            "FLOAT" => match first {
                Some(bits) if bits <= 24 => SqlType::Float32,
                _ => SqlType::Float64,
            },
            "TEXT" | "NAME" | "CITEXT" => SqlType::STRING,
            "VARCHAR" | "CHARACTER VARYING" => SqlType::String { max_len: first },
            "CHAR" | "CHARACTER" | "BPCHAR" => SqlType::String {
                max_len: first.or(Some(1)),
            },
            "BYTEA" => SqlType::Binary { max_len: None },
            "BOOLEAN" | "BOOL" => SqlType::Boolean,
            "DATE" => SqlType::Date,
            "TIME" | "TIME WITHOUT TIME ZONE" | "TIMETZ" | "TIME WITH TIME ZONE" => SqlType::Time,
            "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => SqlType::TIMESTAMP,
            "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => TIMESTAMPTZ,
            "INTERVAL" => SqlType::Interval,
            "UUID" => SqlType::Uuid,
            "JSON" | "JSONB" => SqlType::Json,
            "GEOGRAPHY" | "GEOMETRY" => SqlType::Geography,
            "MONEY" | "INET" | "CIDR" | "MACADDR" | "XML" | "TSVECTOR" | "TSQUERY" | "OID"
            | "REGCLASS" | "POINT" | "INT4RANGE" | "INT8RANGE" | "NUMRANGE" | "TSRANGE"
            | "TSTZRANGE" | "DATERANGE" | "BIT" | "BIT VARYING" | "VARBIT" => {
                SqlType::Other(Name::new(&parsed.base.to_ascii_lowercase()))
            }
            "UNKNOWN" | "NULL" | "VOID" => SqlType::Null,
            _ => return None,
        })
    }
}

impl DialectSemantics for PostgresSemantics {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
        // Unquoted identifiers are lower-cased; quoted ones kept as written.
        if ident.quoted {
            ident.name
        } else {
            ident.name.to_ascii_lowercase()
        }
    }

    fn names_match(&self, left: Name, right: Name) -> bool {
        // Strictly "ID" and id differ; schema YAML often writes names in
        // another case than the warehouse stores, and a false "unknown
        // column" costs more than a missed case clash.
        left.eq_ignore_ascii_case(right)
    }

    fn type_name(&self, ty: &SqlType) -> String {
        match ty {
            SqlType::Boolean => "boolean".to_owned(),
            SqlType::Int { bits: 8 | 16 } | SqlType::UInt { bits: 8 } => "smallint".to_owned(),
            SqlType::Int { bits: 32 } | SqlType::UInt { bits: 16 } => "integer".to_owned(),
            SqlType::Int { .. } | SqlType::UInt { .. } => "bigint".to_owned(),
            SqlType::Decimal {
                precision: Some(precision),
                scale,
            } => format!("numeric({precision},{})", scale.unwrap_or(0)),
            SqlType::Decimal { .. } => "numeric".to_owned(),
            SqlType::Float32 => "real".to_owned(),
            SqlType::Float64 => "double precision".to_owned(),
            SqlType::String { max_len: None } => "text".to_owned(),
            SqlType::String {
                max_len: Some(length),
            } => format!("character varying({length})"),
            SqlType::Binary { .. } => "bytea".to_owned(),
            SqlType::Date => "date".to_owned(),
            SqlType::Time => "time without time zone".to_owned(),
            SqlType::Timestamp {
                zone: TimeZoneKind::Without,
            } => "timestamp without time zone".to_owned(),
            SqlType::Timestamp { .. } => "timestamp with time zone".to_owned(),
            SqlType::Interval => "interval".to_owned(),
            SqlType::Uuid => "uuid".to_owned(),
            SqlType::Json | SqlType::Variant => "jsonb".to_owned(),
            SqlType::Array(element) => format!("{}[]", self.type_name(element)),
            // Postgres has no struct or map columns; rows and hstore aside,
            // jsonb is what such values become.
            SqlType::Struct(_) | SqlType::Map(_) => "jsonb".to_owned(),
            SqlType::Geography => "geography".to_owned(),
            SqlType::Null => "unknown".to_owned(),
            SqlType::Other(name) => name.as_str().to_owned(),
            SqlType::Unknown => "unknown".to_owned(),
            // A type a newer ir adds: ir's neutral spelling.
            other => other.to_string(),
        }
    }

    fn parse_type_name(&self, text: &str) -> Option<SqlType> {
        self.parse_inner(text)
    }

    fn function(&self, name: &str) -> Option<&FunctionDef> {
        // `pg_catalog.lower(...)` is the built-in `lower`.
        let name = match name.get(..11) {
            Some(prefix) if prefix.eq_ignore_ascii_case("pg_catalog.") => &name[11..],
            _ => name,
        };
        CATALOG.get().lookup(name)
    }

    fn function_names(&self) -> Vec<&str> {
        CATALOG.get().names()
    }

    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if from == to || matches!(from, T::Null | T::Unknown) || to.is_unknown() {
            return true;
        }
        match (from, to) {
            (from, to) if numeric_rank(from).is_some() && numeric_rank(to).is_some() => {
                numeric_rank(from) <= numeric_rank(to)
            }
            (T::String { .. }, T::String { .. }) => true,
            (T::Date, T::Timestamp { .. }) => true,
            (
                T::Timestamp {
                    zone: TimeZoneKind::Without,
                },
                T::Timestamp { .. },
            ) => true,
            (T::Time, T::Interval) => true,
            (T::Json, T::Json) => true,
            (T::Array(from_element), T::Array(to_element)) => {
                self.can_coerce(from_element, to_element)
            }
            _ => false,
        }
    }

    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if self.can_coerce(from, to)
            || matches!(from, T::Other(_))
            || matches!(to, T::Other(_))
            || from.is_string()
            || to.is_string()
        {
            return true;
        }
        match (from, to) {
            (from, to) if numeric_rank(from).is_some() && numeric_rank(to).is_some() => true,
            (T::Boolean, T::Int { bits: 32 }) | (T::Int { bits: 32 }, T::Boolean) => true,
            (T::Timestamp { .. }, T::Date | T::Time | T::Timestamp { .. }) => true,
            (T::Interval, T::Time) => true,
            (T::Json, to) => matches!(
                to,
                T::Boolean | T::Decimal { .. } | T::Int { .. } | T::Float32 | T::Float64
            ),
            (T::Array(from_element), T::Array(to_element)) => {
                self.can_cast(from_element, to_element)
            }
            _ => false,
        }
    }

    fn common_supertype(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        use SqlType as T;
        match (left, right) {
            (T::Unknown, _) | (_, T::Unknown) => Some(T::Unknown),
            (T::Null, other) | (other, T::Null) => Some(other.clone()),
            _ if left == right => Some(left.clone()),
            (T::String { .. }, T::String { .. }) => Some(T::STRING),
            (T::Date, T::Timestamp { zone }) | (T::Timestamp { zone }, T::Date) => {
                Some(T::Timestamp { zone: *zone })
            }
            (T::Timestamp { .. }, T::Timestamp { .. }) => Some(TIMESTAMPTZ),
            // Row values (`(a, b) in ((1, 2), (3, 4))`) unify field by field.
            (T::Struct(left_fields), T::Struct(right_fields))
                if left_fields.len() == right_fields.len() =>
            {
                let mut fields = Vec::with_capacity(left_fields.len());
                for (left_field, right_field) in left_fields.iter().zip(right_fields) {
                    fields.push(fusion_ir::types::StructField {
                        name: left_field.name,
                        ty: self.common_supertype(&left_field.ty, &right_field.ty)?,
                    });
                }
                Some(T::Struct(fields))
            }
            (T::Array(left_element), T::Array(right_element)) => Some(T::Array(Box::new(
                self.common_supertype(left_element, right_element)?,
            ))),
            _ => numeric_supertype(left, right),
        }
    }

    fn string_literal_coerces_to(&self, to: &SqlType) -> bool {
        // A quoted literal is of type `unknown` and takes any type.
        let _ = to;
        true
    }

    fn binary_result(&self, op: BinaryOp, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        use BinaryOp as Op;
        use SqlType as T;
        match op {
            Op::Eq | Op::NotEq | Op::Lt | Op::LtEq | Op::Gt | Op::GtEq | Op::And | Op::Or => {
                return Some(T::Boolean)
            }
            Op::Concat => {
                return Some(match (left, right) {
                    (T::Binary { .. }, T::Binary { .. }) => T::Binary { max_len: None },
                    (T::Array(_), _) => left.clone(),
                    (_, T::Array(_)) => right.clone(),
                    (T::Json, T::Json) => T::Json,
                    _ => T::STRING,
                })
            }
            Op::Other(spelling) => {
                return Some(match spelling.as_str().to_ascii_uppercase().as_str() {
                    "~" | "!~" | "~*" | "!~*" | "~~" | "!~~" | "~~*" | "!~~*" | "@>" | "<@"
                    | "&&" | "?" | "?|" | "?&" | "ILIKE" | "SIMILAR TO" | "^@" | "-|-" | "&<"
                    | "&>" | "OVERLAPS" | "IS JSON" => T::Boolean,
                    "->" | "#>" | "-" if left.is_dynamic() => T::Json,
                    "->>" | "#>>" => T::STRING,
                    "COLLATE" => left.clone(),
                    _ => T::Unknown,
                })
            }
            _ => {}
        }
        if left.is_unknown() || right.is_unknown() {
            return Some(T::Unknown);
        }
        let (left, right) = match (left, right) {
            (T::Null, T::Null) => return Some(T::INT32),
            (T::Null, other) | (other, T::Null) => (other, other),
            pair => pair,
        };
        match (op, left, right) {
            (Op::Add, T::Date, integer) | (Op::Add, integer, T::Date) if integer.is_integer() => {
                Some(T::Date)
            }
            (Op::Subtract, T::Date, integer) if integer.is_integer() => Some(T::Date),
            (Op::Subtract, T::Date, T::Date) => Some(T::INT32),
            (Op::Add | Op::Subtract, T::Date, T::Interval) | (Op::Add, T::Interval, T::Date) => {
                Some(T::TIMESTAMP)
            }
            (Op::Add, T::Date, T::Time) | (Op::Add, T::Time, T::Date) => Some(T::TIMESTAMP),
            (Op::Add | Op::Subtract, T::Timestamp { zone }, T::Interval)
            | (Op::Add, T::Interval, T::Timestamp { zone }) => Some(T::Timestamp { zone: *zone }),
            (Op::Add | Op::Subtract, T::Time, T::Interval) => Some(T::Time),
            (Op::Subtract, T::Time, T::Time) => Some(T::Interval),
            (Op::Subtract, T::Timestamp { .. }, T::Timestamp { .. }) => Some(T::Interval),
            (Op::Add | Op::Subtract, T::Interval, T::Interval) => Some(T::Interval),
            (Op::Multiply | Op::Divide, T::Interval, number)
            | (Op::Multiply, number, T::Interval)
                if number.is_numeric() =>
            {
                Some(T::Interval)
            }
            // Integer division truncates: `7 / 2` is 3, an integer.
            (Op::Add | Op::Subtract | Op::Multiply | Op::Divide | Op::Modulo, left, right) => {
                numeric_supertype(left, right)
            }
            (Op::Power, left, right) => numeric_supertype(left, right).map(|common| match common {
                T::Decimal { .. } => NUMERIC,
                _ => T::Float64,
            }),
            (Op::BitwiseAnd | Op::BitwiseOr | Op::BitwiseXor, left, right)
                if left.is_integer() && right.is_integer() =>
            {
                numeric_supertype(left, right)
            }
            (Op::ShiftLeft | Op::ShiftRight, left, right)
                if left.is_integer() && right.is_integer() =>
            {
                Some(left.clone())
            }
            _ => None,
        }
    }

    fn integer_literal_type(&self, text: &str) -> SqlType {
        match text.parse::<i64>() {
            Ok(value) if i32::try_from(value).is_ok() => SqlType::INT32,
            Ok(_) => SqlType::INT64,
            Err(_) => NUMERIC,
        }
    }

    fn decimal_literal_type(&self, text: &str) -> SqlType {
        // A constant with a point or an exponent is `numeric`.
        let _ = text;
        NUMERIC
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        match input {
            SqlType::Int { bits: 8 | 16 | 32 } | SqlType::UInt { bits: 8 | 16 } => SqlType::INT64,
            SqlType::Int { .. } | SqlType::UInt { .. } | SqlType::Decimal { .. } => NUMERIC,
            SqlType::Float32 => SqlType::Float32,
            SqlType::Float64 => SqlType::Float64,
            SqlType::Interval => SqlType::Interval,
            SqlType::Null => SqlType::INT64,
            _ => SqlType::Unknown,
        }
    }

    fn average_type(&self, input: &SqlType) -> SqlType {
        match input {
            SqlType::Int { .. } | SqlType::UInt { .. } | SqlType::Decimal { .. } => NUMERIC,
            SqlType::Float32 | SqlType::Float64 => SqlType::Float64,
            SqlType::Interval => SqlType::Interval,
            SqlType::Null => NUMERIC,
            _ => SqlType::Unknown,
        }
    }

    fn aliases_visible_in_where(&self) -> bool {
        false
    }

    fn distinct_order_by_must_be_selected(&self) -> bool {
        true
    }

    fn date_part_result(&self, function: &str, part: &str, input: &SqlType) -> Option<SqlType> {
        let _ = (part, input);
        match function.to_ascii_lowercase().as_str() {
            // `extract` returns numeric; `date_part` double precision.
            "extract" => Some(NUMERIC),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SqlType {
        SEMANTICS.parse_type_name(text).unwrap_or(SqlType::Unknown)
    }

    #[test]
    fn catalog_parses_cleanly() {
        let (catalog, errors) = CATALOG.parse_with_errors();
        let report: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(report.is_empty(), "postgres.sigs:\n{}", report.join("\n"));
        assert!(catalog.len() >= 300, "{} functions", catalog.len());
    }

    #[test]
    fn type_names_round_trip() {
        for text in [
            "smallint",
            "integer",
            "bigint",
            "numeric",
            "numeric(10,2)",
            "real",
            "double precision",
            "text",
            "character varying(20)",
            "bytea",
            "boolean",
            "date",
            "time without time zone",
            "timestamp without time zone",
            "timestamp with time zone",
            "interval",
            "uuid",
            "jsonb",
            "integer[]",
        ] {
            assert_eq!(SEMANTICS.type_name(&parse(text)), text);
        }
        assert_eq!(parse("int4"), SqlType::INT32);
        assert_eq!(parse("varchar(20)"), parse("character varying(20)"));
        assert_eq!(parse("timestamptz"), TIMESTAMPTZ);
    }

    #[test]
    fn operators_and_aggregates() {
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Divide, &SqlType::INT32, &SqlType::INT32),
            Some(SqlType::INT32)
        );
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Subtract, &SqlType::Date, &SqlType::Date),
            Some(SqlType::INT32)
        );
        assert_eq!(SEMANTICS.sum_type(&SqlType::INT32), SqlType::INT64);
        assert_eq!(SEMANTICS.sum_type(&SqlType::INT64), NUMERIC);
        assert_eq!(SEMANTICS.average_type(&SqlType::INT32), NUMERIC);
        assert!(!SEMANTICS.can_coerce(&SqlType::INT32, &SqlType::STRING));
        assert_eq!(
            SEMANTICS.common_supertype(&SqlType::STRING, &SqlType::INT32),
            None
        );
    }
}
