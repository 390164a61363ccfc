//! BigQuery's semantics (GoogleSQL): type names (`INT64`, `NUMERIC`,
//! `BIGNUMERIC`, `FLOAT64`, `STRUCT<a INT64>`, `ARRAY<STRING>`), its
//! coercions and supertypes, and the function catalog in
//! `dialects/catalogs/bigquery.sigs`.
//!
//! Facts from BigQuery's documentation ("Data types", "Conversion rules",
//! "Operators", "Aggregate functions").

use crate::signature::type_text::{split_field, split_type_text};
use crate::signature::BuiltinCatalog;
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef};
use fusion_ir::types::{SqlType, StructField, TimeZoneKind};

/// BigQuery's semantics.
pub(super) struct BigQuerySemantics;

pub(super) static SEMANTICS: BigQuerySemantics = BigQuerySemantics;

static CATALOG: BuiltinCatalog =
    BuiltinCatalog::new(include_str!("../../catalogs/bigquery.sigs"), |text| {
        SEMANTICS.parse_type_name(text)
    });

/// NUMERIC is a decimal with 38 digits, 9 after the point.
const NUMERIC: SqlType = SqlType::Decimal {
    precision: Some(38),
    scale: Some(9),
};

/// BIGNUMERIC holds 76 digits (76.76), 38 after the point.
const BIGNUMERIC: SqlType = SqlType::Decimal {
    precision: Some(76),
    scale: Some(38),
};

/// DATETIME: a civil date and time, no zone.
const DATETIME: SqlType = SqlType::Timestamp {
    zone: TimeZoneKind::Without,
};

/// TIMESTAMP: an instant, shown in UTC.
const TIMESTAMP: SqlType = SqlType::Timestamp {
    zone: TimeZoneKind::Local,
};

/// Where a numeric type stands in BigQuery's promotion order
/// INT64 < NUMERIC < BIGNUMERIC < FLOAT64.
fn numeric_rank(ty: &SqlType) -> Option<u8> {
    match ty {
        SqlType::Int { .. } | SqlType::UInt { .. } => Some(0),
        SqlType::Decimal { precision, scale } => {
            let big = precision.is_some_and(|precision| precision > 38)
                || scale.is_some_and(|scale| scale > 9);
            Some(if big { 2 } else { 1 })
        }
        SqlType::Float32 | SqlType::Float64 => Some(3),
        _ => None,
    }
}

fn numeric_of_rank(rank: u8) -> SqlType {
    match rank {
        0 => SqlType::INT64,
        1 => NUMERIC,
        2 => BIGNUMERIC,
        _ => SqlType::Float64,
    }
}

fn numeric_supertype(left: &SqlType, right: &SqlType) -> Option<SqlType> {
    let rank = numeric_rank(left)?.max(numeric_rank(right)?);
    // Two decimals of one rank keep their declared type when equal.
    if left == right {
        return Some(left.clone());
    }
    Some(numeric_of_rank(rank))
}

impl BigQuerySemantics {
    fn parse_inner(&self, text: &str) -> Option<SqlType> {
        let parsed = split_type_text(text)?;
        if let Some(element) = &parsed.array_of {
            return Some(SqlType::Array(Box::new(self.parse_inner(element)?)));
        }
        let arguments = parsed.arguments.clone().unwrap_or_default();
        let numbers = if parsed.arguments.is_some() {
            parsed.numbers()
        } else {
            Some(Vec::new())
        };
        let decimal = |default: SqlType, max_precision: u32| -> Option<SqlType> {
            let numbers = numbers.clone()?;
            match numbers.as_slice() {
                [] => Some(default),
                [precision] if *precision <= max_precision => Some(SqlType::Decimal {
                    precision: Some(u8::try_from(*precision).ok()?),
                    scale: Some(0),
                }),
                [precision, scale] if *precision <= max_precision && scale <= precision => {
                    Some(SqlType::Decimal {
                        precision: Some(u8::try_from(*precision).ok()?),
                        scale: Some(u8::try_from(*scale).ok()?),
                    })
                }
                _ => None,
            }
        };
        let first = numbers
            .as_ref()
            .and_then(|numbers| numbers.first().copied());
        Some(match parsed.base.as_str() {
            "INT64" | "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "BYTEINT" => {
                SqlType::INT64
            }
            "NUMERIC" | "DECIMAL" => decimal(NUMERIC, 38)?,
            "BIGNUMERIC" | "BIGDECIMAL" => decimal(BIGNUMERIC, 76)?,
            "FLOAT64" | "FLOAT" | "DOUBLE" => SqlType::Float64,
            "BOOL" | "BOOLEAN" => SqlType::Boolean,
            "STRING" => SqlType::String { max_len: first },
            "BYTES" => SqlType::Binary { max_len: first },
            "DATE" => SqlType::Date,
            "TIME" => SqlType::Time,
            "DATETIME" => DATETIME,
            "TIMESTAMP" => TIMESTAMP,
            "INTERVAL" => SqlType::Interval,
            "JSON" => SqlType::Json,
            "GEOGRAPHY" => SqlType::Geography,
            "ARRAY" => match arguments.as_slice() {
                [element] => SqlType::Array(Box::new(self.parse_inner(element)?)),
                _ => return None,
            },
            "STRUCT" => {
                let mut fields = Vec::new();
                for argument in &arguments {
                    // `STRUCT<INT64, STRING>` has anonymous fields.
                    let (name, ty) = match split_field(argument) {
                        Some((name, ty)) if self.parse_inner(ty).is_some() => (name, ty),
                        _ => (String::new(), argument.as_str()),
                    };
                    fields.push(StructField {
                        name: Name::new(&name),
                        ty: self.parse_inner(ty)?,
                    });
                }
                SqlType::Struct(fields)
            }
            "RANGE" => SqlType::Other(Name::new(text.trim())),
            "NULL" => SqlType::Null,
            _ => return None,
        })
    }
}

impl DialectSemantics for BigQuerySemantics {
    fn name(&self) -> &'static str {
        "bigquery"
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
        // Column names are case-insensitive, quoted or not.
        ident.name.to_ascii_lowercase()
    }

    fn names_match(&self, left: Name, right: Name) -> bool {
        left.eq_ignore_ascii_case(right)
    }

    fn type_name(&self, ty: &SqlType) -> String {
        match ty {
            SqlType::Boolean => "BOOL".to_owned(),
            SqlType::Int { .. } | SqlType::UInt { .. } => "INT64".to_owned(),
            SqlType::Decimal { .. } if *ty == NUMERIC => "NUMERIC".to_owned(),
            SqlType::Decimal { .. } if *ty == BIGNUMERIC => "BIGNUMERIC".to_owned(),
            SqlType::Decimal { precision, scale } => {
                let precision = precision.unwrap_or(38);
                let scale = scale.unwrap_or(0);
                let name = if precision > 38 || scale > 9 {
                    "BIGNUMERIC"
                } else {
                    "NUMERIC"
                };
                format!("{name}({precision}, {scale})")
            }
            SqlType::Float32 | SqlType::Float64 => "FLOAT64".to_owned(),
            SqlType::String { max_len: None } | SqlType::Uuid => "STRING".to_owned(),
            SqlType::String {
                max_len: Some(length),
            } => format!("STRING({length})"),
            SqlType::Binary { max_len: None } => "BYTES".to_owned(),
            SqlType::Binary {
                max_len: Some(length),
            } => format!("BYTES({length})"),
            SqlType::Date => "DATE".to_owned(),
            SqlType::Time => "TIME".to_owned(),
            SqlType::Timestamp {
                zone: TimeZoneKind::Without,
            } => "DATETIME".to_owned(),
            SqlType::Timestamp { .. } => "TIMESTAMP".to_owned(),
            SqlType::Interval => "INTERVAL".to_owned(),
            SqlType::Json | SqlType::Variant => "JSON".to_owned(),
            SqlType::Array(element) => format!("ARRAY<{}>", self.type_name(element)),
            SqlType::Struct(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|field| {
                        if field.name.as_str().is_empty() {
                            self.type_name(&field.ty)
                        } else {
                            format!("{} {}", field.name, self.type_name(&field.ty))
                        }
                    })
                    .collect();
                format!("STRUCT<{}>", fields.join(", "))
            }
            // BigQuery has no map type; JSON is the closest.
            SqlType::Map(_) => "JSON".to_owned(),
            SqlType::Geography => "GEOGRAPHY".to_owned(),
            SqlType::Null => "NULL".to_owned(),
            SqlType::Other(name) => name.as_str().to_owned(),
            SqlType::Unknown => "UNKNOWN".to_owned(),
            // A type a newer ir adds: ir's neutral spelling.
            other => other.to_string(),
        }
    }

    fn parse_type_name(&self, text: &str) -> Option<SqlType> {
        self.parse_inner(text)
    }

    fn function(&self, name: &str) -> Option<&FunctionDef> {
        // `SAFE.f(...)` is `f` returning NULL instead of failing.
        let name = match name.get(..5) {
            Some(prefix) if prefix.eq_ignore_ascii_case("safe.") => &name[5..],
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
            // INT64 → NUMERIC → BIGNUMERIC → FLOAT64.
            (from, to) if numeric_rank(from).is_some() && numeric_rank(to).is_some() => {
                numeric_rank(from) <= numeric_rank(to)
            }
            (T::String { .. }, T::String { .. }) | (T::Binary { .. }, T::Binary { .. }) => true,
            (T::Date, T::Timestamp { .. }) => true,
            (T::Timestamp { .. }, T::Timestamp { .. }) => true,
            (T::Array(from_element), T::Array(to_element)) => {
                self.can_coerce(from_element, to_element)
            }
            (T::Struct(from_fields), T::Struct(to_fields)) => {
                from_fields.len() == to_fields.len()
                    && from_fields
                        .iter()
                        .zip(to_fields)
                        .all(|(from_field, to_field)| self.can_coerce(&from_field.ty, &to_field.ty))
            }
            _ => false,
        }
    }

    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if self.can_coerce(from, to) || matches!(from, T::Other(_)) || matches!(to, T::Other(_)) {
            return true;
        }
        match (from, to) {
            (from, to) if numeric_rank(from).is_some() && numeric_rank(to).is_some() => true,
            (T::String { .. }, to) | (to, T::String { .. }) => {
                !matches!(to, T::Array(_) | T::Struct(_) | T::Map(_))
            }
            (T::Boolean, T::Int { .. }) | (T::Int { .. }, T::Boolean) => true,
            (T::Timestamp { .. }, T::Date | T::Time) => true,
            (T::Date, T::Timestamp { .. }) => true,
            (T::Json, to) => matches!(
                to,
                T::Int { .. } | T::Float64 | T::Boolean | T::String { .. } | T::Decimal { .. }
            ),
            (T::Array(_), T::Array(_)) | (T::Struct(_), T::Struct(_)) => true,
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
            (T::Binary { .. }, T::Binary { .. }) => Some(T::Binary { max_len: None }),
            (T::Date, T::Timestamp { zone }) | (T::Timestamp { zone }, T::Date) => {
                Some(T::Timestamp { zone: *zone })
            }
            (T::Timestamp { .. }, T::Timestamp { .. }) => Some(TIMESTAMP),
            (T::Array(left_element), T::Array(right_element)) => Some(T::Array(Box::new(
                self.common_supertype(left_element, right_element)?,
            ))),
            (T::Struct(left_fields), T::Struct(right_fields))
                if left_fields.len() == right_fields.len() =>
            {
                let mut fields = Vec::with_capacity(left_fields.len());
                for (left_field, right_field) in left_fields.iter().zip(right_fields) {
                    fields.push(StructField {
                        name: left_field.name,
                        ty: self.common_supertype(&left_field.ty, &right_field.ty)?,
                    });
                }
                Some(T::Struct(fields))
            }
            _ => numeric_supertype(left, right),
        }
    }

    fn string_literal_coerces_to(&self, to: &SqlType) -> bool {
        // A string literal converts to DATE, TIME, DATETIME, TIMESTAMP and
        // RANGE where one is expected; never to a number.
        matches!(
            to,
            SqlType::String { .. }
                | SqlType::Date
                | SqlType::Time
                | SqlType::Timestamp { .. }
                | SqlType::Other(_)
                | SqlType::Json
                | SqlType::Interval
        )
    }

    fn binary_result(&self, op: BinaryOp, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        use BinaryOp as Op;
        use SqlType as T;
        if left.is_unknown() || right.is_unknown() {
            return Some(T::Unknown);
        }
        match op {
            Op::Eq | Op::NotEq | Op::Lt | Op::LtEq | Op::Gt | Op::GtEq | Op::And | Op::Or => {
                return Some(T::Boolean)
            }
            Op::Concat => {
                return Some(match (left, right) {
                    (T::Binary { .. }, T::Binary { .. }) => T::Binary { max_len: None },
                    (T::Array(_), T::Array(_)) => self.common_supertype(left, right)?,
                    _ => T::STRING,
                })
            }
            Op::Other(spelling) => {
                return Some(match spelling.as_str().to_ascii_uppercase().as_str() {
                    "COLLATE" => left.clone(),
                    // `x IN UNNEST(array)`.
                    "IN" => T::Boolean,
                    _ => T::Unknown,
                });
            }
            _ => {}
        }
        let (left, right) = match (left, right) {
            (T::Null, T::Null) => return Some(T::INT64),
            (T::Null, other) | (other, T::Null) => (other, other),
            pair => pair,
        };
        match (op, left, right) {
            (Op::Add, T::Date, T::Int { .. }) | (Op::Add, T::Int { .. }, T::Date) => Some(T::Date),
            (Op::Subtract, T::Date, T::Int { .. }) => Some(T::Date),
            (Op::Add | Op::Subtract, T::Date, T::Interval) | (Op::Add, T::Interval, T::Date) => {
                Some(DATETIME)
            }
            (Op::Add | Op::Subtract, T::Timestamp { zone }, T::Interval)
            | (Op::Add, T::Interval, T::Timestamp { zone }) => Some(T::Timestamp { zone: *zone }),
            (Op::Subtract, left, right)
                if left.is_temporal() && right.is_temporal() && left == right =>
            {
                Some(T::Interval)
            }
            (Op::Add | Op::Subtract, T::Interval, T::Interval) => Some(T::Interval),
            (Op::Multiply | Op::Divide, T::Interval, T::Int { .. })
            | (Op::Multiply, T::Int { .. }, T::Interval) => Some(T::Interval),
            // Dividing integers gives FLOAT64; NUMERIC stays NUMERIC.
            (Op::Divide, left, right) => {
                let common = numeric_supertype(left, right)?;
                Some(if common.is_integer() {
                    T::Float64
                } else {
                    common
                })
            }
            (
                Op::Add | Op::Subtract | Op::Multiply | Op::Modulo | Op::IntegerDivide,
                left,
                right,
            ) => numeric_supertype(left, right),
            (Op::Power, left, right) => numeric_supertype(left, right).map(|common| match common {
                T::Int { .. } => T::Float64,
                other => other,
            }),
            (Op::BitwiseAnd | Op::BitwiseOr | Op::BitwiseXor, T::Int { .. }, T::Int { .. }) => {
                Some(T::INT64)
            }
            (
                Op::BitwiseAnd | Op::BitwiseOr | Op::BitwiseXor,
                T::Binary { .. },
                T::Binary { .. },
            ) => Some(T::Binary { max_len: None }),
            (Op::ShiftLeft | Op::ShiftRight, T::Int { .. } | T::Binary { .. }, T::Int { .. }) => {
                Some(left.clone())
            }
            _ => None,
        }
    }

    fn integer_literal_type(&self, text: &str) -> SqlType {
        match text.parse::<i64>() {
            Ok(_) => SqlType::INT64,
            // Beyond INT64 an integer literal is read as NUMERIC, then BIGNUMERIC.
            Err(_) if text.len() <= 29 => NUMERIC,
            Err(_) => BIGNUMERIC,
        }
    }

    fn decimal_literal_type(&self, text: &str) -> SqlType {
        // `1.5` and `1e3` are FLOAT64 literals; NUMERIC needs `NUMERIC '1.5'`.
        let _ = text;
        SqlType::Float64
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        match input {
            SqlType::Int { .. } | SqlType::UInt { .. } | SqlType::Null => SqlType::INT64,
            SqlType::Decimal { .. } => match numeric_rank(input) {
                Some(2) => BIGNUMERIC,
                _ => NUMERIC,
            },
            SqlType::Interval => SqlType::Interval,
            SqlType::Unknown => SqlType::Unknown,
            _ => SqlType::Float64,
        }
    }

    fn average_type(&self, input: &SqlType) -> SqlType {
        match input {
            SqlType::Decimal { .. } => match numeric_rank(input) {
                Some(2) => BIGNUMERIC,
                _ => NUMERIC,
            },
            SqlType::Interval => SqlType::Interval,
            SqlType::Unknown => SqlType::Unknown,
            _ => SqlType::Float64,
        }
    }

    fn aliases_visible_in_where(&self) -> bool {
        false
    }

    fn distinct_order_by_must_be_selected(&self) -> bool {
        true
    }

    fn unnest_is_value_table(&self) -> bool {
        // GoogleSQL's UNNEST returns a value table: an array of structs
        // gives a column per field, and the alias is the element.
        true
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
        assert!(report.is_empty(), "bigquery.sigs:\n{}", report.join("\n"));
        assert!(catalog.len() >= 300, "{} functions", catalog.len());
    }

    #[test]
    fn type_names_round_trip() {
        for text in [
            "INT64",
            "NUMERIC",
            "BIGNUMERIC",
            "NUMERIC(10, 2)",
            "FLOAT64",
            "BOOL",
            "STRING",
            "BYTES",
            "DATE",
            "TIME",
            "DATETIME",
            "TIMESTAMP",
            "INTERVAL",
            "JSON",
            "GEOGRAPHY",
            "ARRAY<STRING>",
            "STRUCT<a INT64, b ARRAY<STRING>>",
            "ARRAY<STRUCT<INT64, STRING>>",
        ] {
            assert_eq!(SEMANTICS.type_name(&parse(text)), text);
        }
        assert_eq!(parse("int"), SqlType::INT64);
        assert_eq!(SEMANTICS.parse_type_name("ARRAY<INT64"), None);
    }

    #[test]
    fn promotion_and_division() {
        assert_eq!(
            SEMANTICS.common_supertype(&SqlType::INT64, &NUMERIC),
            Some(NUMERIC)
        );
        assert_eq!(
            SEMANTICS.common_supertype(&NUMERIC, &SqlType::Float64),
            Some(SqlType::Float64)
        );
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Divide, &SqlType::INT64, &SqlType::INT64),
            Some(SqlType::Float64)
        );
        assert!(!SEMANTICS.can_coerce(&SqlType::STRING, &SqlType::INT64));
        assert!(SEMANTICS.can_coerce(&SqlType::Date, &DATETIME));
        assert_eq!(
            SEMANTICS.common_supertype(&SqlType::STRING, &SqlType::INT64),
            None
        );
        assert_eq!(SEMANTICS.average_type(&SqlType::INT64), SqlType::Float64);
        assert!(SEMANTICS.function("SAFE.PARSE_DATE").is_some());
    }
}
