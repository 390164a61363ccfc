//! Databricks' semantics (Databricks SQL, Spark SQL in ANSI mode): type names
//! (`int`, `decimal(10,2)`, `array<string>`, `struct<a: int>`,
//! `timestamp_ntz`), type precedence and implicit casts, the decimal
//! precision rules, and the function catalog in
//! `dialects/catalogs/databricks.sigs`.
//!
//! Facts from Databricks' documentation ("SQL data type rules", "Data types",
//! "Built-in functions").

use crate::signature::type_text::{split_field, split_type_text};
use crate::signature::BuiltinCatalog;
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef};
use fusion_ir::types::{SqlType, StructField, TimeZoneKind};

/// Databricks' semantics.
pub(super) struct DatabricksSemantics;

pub(super) static SEMANTICS: DatabricksSemantics = DatabricksSemantics;

static CATALOG: BuiltinCatalog =
    BuiltinCatalog::new(include_str!("../../catalogs/databricks.sigs"), |text| {
        SEMANTICS.parse_type_name(text)
    });

const MAX_PRECISION: u8 = 38;

/// The scale a decimal result keeps at least when precision overflows.
const MINIMUM_ADJUSTED_SCALE: u8 = 6;

fn decimal(precision: u8, scale: u8) -> SqlType {
    SqlType::Decimal {
        precision: Some(precision),
        scale: Some(scale),
    }
}

/// A decimal whose precision went past 38: the integer digits are kept and
/// the scale shrinks, to no less than 6 (Spark's `adjustPrecisionScale`).
fn bounded_decimal(precision: u32, scale: u32) -> SqlType {
    if precision <= u32::from(MAX_PRECISION) {
        return decimal(precision as u8, scale as u8);
    }
    let integer_digits = precision - scale;
    let minimum_scale = scale.min(u32::from(MINIMUM_ADJUSTED_SCALE));
    let adjusted_scale = u32::from(MAX_PRECISION)
        .saturating_sub(integer_digits)
        .max(minimum_scale);
    decimal(MAX_PRECISION, adjusted_scale as u8)
}

/// The decimal an integer converts to without loss.
fn decimal_parts(ty: &SqlType) -> Option<(u32, u32)> {
    Some(match ty {
        SqlType::Decimal { precision, scale } => (
            u32::from(precision.unwrap_or(10)),
            u32::from(scale.unwrap_or(0)),
        ),
        SqlType::Int { bits: 8 } => (3, 0),
        SqlType::Int { bits: 16 } => (5, 0),
        SqlType::Int { bits: 32 } => (10, 0),
        SqlType::Int { .. } | SqlType::UInt { .. } => (20, 0),
        _ => return None,
    })
}

/// Type precedence: tinyint < smallint < int < bigint < decimal < float < double.
fn numeric_rank(ty: &SqlType) -> Option<u8> {
    Some(match ty {
        SqlType::Int { bits } | SqlType::UInt { bits } => match bits {
            8 => 0,
            16 => 1,
            32 => 2,
            _ => 3,
        },
        SqlType::Decimal { .. } => 4,
        SqlType::Float32 => 5,
        SqlType::Float64 => 6,
        _ => return None,
    })
}

fn numeric_supertype(left: &SqlType, right: &SqlType) -> Option<SqlType> {
    let (left_rank, right_rank) = (numeric_rank(left)?, numeric_rank(right)?);
    if left == right {
        return Some(left.clone());
    }
    if left_rank.max(right_rank) >= 5 {
        // A decimal or integer meeting FLOAT widens to DOUBLE unless both are FLOAT.
        return Some(
            if left_rank.max(right_rank) == 5 && left_rank.min(right_rank) <= 3 {
                SqlType::Float32
            } else {
                SqlType::Float64
            },
        );
    }
    if left_rank.max(right_rank) <= 3 {
        return Some(if left_rank >= right_rank {
            left.clone()
        } else {
            right.clone()
        });
    }
    let (left_precision, left_scale) = decimal_parts(left)?;
    let (right_precision, right_scale) = decimal_parts(right)?;
    let scale = left_scale.max(right_scale);
    let integer_digits = (left_precision - left_scale).max(right_precision - right_scale);
    Some(bounded_decimal(integer_digits + scale, scale))
}

impl DatabricksSemantics {
    fn parse_inner(&self, text: &str) -> Option<SqlType> {
        let parsed = split_type_text(text)?;
        if parsed.array_of.is_some() {
            return None;
        }
        let arguments = parsed.arguments.clone().unwrap_or_default();
        let numbers = if parsed.arguments.is_some() {
            parsed.numbers()
        } else {
            Some(Vec::new())
        };
        Some(match parsed.base.as_str() {
            "TINYINT" | "BYTE" => SqlType::Int { bits: 8 },
            "SMALLINT" | "SHORT" => SqlType::Int { bits: 16 },
            "INT" | "INTEGER" => SqlType::INT32,
            "BIGINT" | "LONG" => SqlType::INT64,
            "FLOAT" | "REAL" => SqlType::Float32,
            "DOUBLE" | "DOUBLE PRECISION" => SqlType::Float64,
            "DECIMAL" | "DEC" | "NUMERIC" => {
                let numbers = numbers?;
                let precision = u8::try_from(numbers.first().copied().unwrap_or(10)).ok()?;
                let scale = u8::try_from(numbers.get(1).copied().unwrap_or(0)).ok()?;
                if precision == 0 || precision > MAX_PRECISION || scale > precision {
                    return None;
                }
                decimal(precision, scale)
            }
            "STRING" | "TEXT" => SqlType::STRING,
            "VARCHAR" | "CHAR" | "CHARACTER" => SqlType::String {
                max_len: numbers.and_then(|numbers| numbers.first().copied()),
            },
            "BINARY" => SqlType::Binary { max_len: None },
            "BOOLEAN" | "BOOL" => SqlType::Boolean,
            "DATE" => SqlType::Date,
            "TIMESTAMP" | "TIMESTAMP_LTZ" => SqlType::Timestamp {
                zone: TimeZoneKind::Local,
            },
            "TIMESTAMP_NTZ" => SqlType::Timestamp {
                zone: TimeZoneKind::Without,
            },
            "INTERVAL" => SqlType::Interval,
            "VARIANT" => SqlType::Variant,
            "OBJECT" => SqlType::Variant,
            "VOID" | "NULL" => SqlType::Null,
            "ARRAY" => match arguments.as_slice() {
                [element] => SqlType::Array(Box::new(self.parse_inner(element)?)),
                _ => return None,
            },
            "MAP" => match arguments.as_slice() {
                [key, value] => {
                    SqlType::Map(Box::new((self.parse_inner(key)?, self.parse_inner(value)?)))
                }
                _ => return None,
            },
            "STRUCT" => {
                let mut fields = Vec::new();
                for argument in &arguments {
                    let (name, ty) = split_field(argument)?;
                    fields.push(StructField {
                        name: Name::new(&name),
                        ty: self.parse_inner(ty)?,
                    });
                }
                SqlType::Struct(fields)
            }
            "GEOGRAPHY" | "GEOMETRY" => SqlType::Geography,
            _ if parsed.base.starts_with("INTERVAL ") => SqlType::Interval,
            _ => return None,
        })
    }
}

impl DialectSemantics for DatabricksSemantics {
    fn name(&self) -> &'static str {
        "databricks"
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
        // Identifiers are case-insensitive, quoted (backticks) or not.
        ident.name.to_ascii_lowercase()
    }

    fn names_match(&self, left: Name, right: Name) -> bool {
        left.eq_ignore_ascii_case(right)
    }

    fn type_name(&self, ty: &SqlType) -> String {
        match ty {
            SqlType::Boolean => "boolean".to_owned(),
            SqlType::Int { bits: 8 } => "tinyint".to_owned(),
            SqlType::Int { bits: 16 } => "smallint".to_owned(),
            SqlType::Int { bits: 32 } => "int".to_owned(),
            SqlType::Int { .. } | SqlType::UInt { .. } => "bigint".to_owned(),
            SqlType::Decimal { precision, scale } => format!(
                "decimal({},{})",
                precision.unwrap_or(10),
                scale.unwrap_or(0)
            ),
            SqlType::Float32 => "float".to_owned(),
            SqlType::Float64 => "double".to_owned(),
            SqlType::String { max_len: None } | SqlType::Uuid => "string".to_owned(),
            SqlType::String {
                max_len: Some(length),
            } => format!("varchar({length})"),
            SqlType::Binary { .. } => "binary".to_owned(),
            SqlType::Date => "date".to_owned(),
            SqlType::Time => "string".to_owned(),
            SqlType::Timestamp {
                zone: TimeZoneKind::Without,
            } => "timestamp_ntz".to_owned(),
            SqlType::Timestamp { .. } => "timestamp".to_owned(),
            SqlType::Interval => "interval".to_owned(),
            SqlType::Json | SqlType::Variant => "variant".to_owned(),
            SqlType::Array(element) => format!("array<{}>", self.type_name(element)),
            SqlType::Map(pair) => format!(
                "map<{},{}>",
                self.type_name(&pair.0),
                self.type_name(&pair.1)
            ),
            SqlType::Struct(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|field| format!("{}:{}", field.name, self.type_name(&field.ty)))
                    .collect();
                format!("struct<{}>", fields.join(","))
            }
            SqlType::Geography => "geography".to_owned(),
            SqlType::Null => "void".to_owned(),
            SqlType::Other(name) => name.as_str().to_ascii_lowercase(),
            SqlType::Unknown => "unknown".to_owned(),
            // A type a newer ir adds: ir's neutral spelling.
            other => other.to_string(),
        }
    }

    fn parse_type_name(&self, text: &str) -> Option<SqlType> {
        self.parse_inner(text)
    }

    fn function(&self, name: &str) -> Option<&FunctionDef> {
        CATALOG.get().lookup(name)
    }

    fn function_names(&self) -> Vec<&str> {
        CATALOG.get().names()
    }

    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if from == to
            || matches!(from, T::Null | T::Unknown)
            || to.is_unknown()
            || matches!(from, T::Variant)
        {
            return true;
        }
        match (from, to) {
            // Up the precedence list; down only from strings.
            (from, to) if numeric_rank(from).is_some() && numeric_rank(to).is_some() => {
                match (from, to) {
                    (T::Decimal { .. }, T::Decimal { .. }) => true,
                    _ => numeric_rank(from) <= numeric_rank(to),
                }
            }
            (T::Date, T::Timestamp { .. }) | (T::Timestamp { .. }, T::Timestamp { .. }) => true,
            // A timestamp passed where a date is expected is truncated to it.
            (T::Timestamp { .. }, T::Date) => true,
            // Implicit crosscasting: a STRING converts to the simple type a
            // function or operator needs.
            (T::String { .. }, to) => !matches!(to, T::Array(_) | T::Map(_) | T::Struct(_)),
            (from, T::String { .. }) => {
                numeric_rank(from).is_some()
                    || matches!(
                        from,
                        T::Date | T::Timestamp { .. } | T::Boolean | T::Interval | T::Binary { .. }
                    )
            }
            (T::Array(from_element), T::Array(to_element)) => {
                self.can_coerce(from_element, to_element)
            }
            (T::Map(from_pair), T::Map(to_pair)) => {
                self.can_coerce(&from_pair.0, &to_pair.0)
                    && self.can_coerce(&from_pair.1, &to_pair.1)
            }
            _ => false,
        }
    }

    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if self.can_coerce(from, to)
            || matches!(from, T::Other(_))
            || matches!(to, T::Other(_) | T::Variant)
        {
            return true;
        }
        match (from, to) {
            (from, to) if numeric_rank(from).is_some() && numeric_rank(to).is_some() => true,
            (T::Boolean, to) | (to, T::Boolean) => numeric_rank(to).is_some(),
            (T::Timestamp { .. }, T::Date) => true,
            (T::Timestamp { .. }, to) | (to, T::Timestamp { .. }) => numeric_rank(to).is_some(),
            (T::Binary { .. }, T::String { .. }) => true,
            (T::Array(_), T::Array(_)) | (T::Map(_), T::Map(_)) | (T::Struct(_), T::Struct(_)) => {
                true
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
            (T::Timestamp { .. }, T::Timestamp { .. }) => Some(T::Timestamp {
                zone: TimeZoneKind::Local,
            }),
            // In CASE, COALESCE and set operations a STRING against another
            // simple type: the STRING is cast to the other type (the least
            // common type rule of ANSI mode).
            (T::String { .. }, other) | (other, T::String { .. })
                if numeric_rank(other).is_some()
                    || matches!(
                        other,
                        T::Date | T::Timestamp { .. } | T::Boolean | T::Interval | T::Binary { .. }
                    ) =>
            {
                Some(other.clone())
            }
            (T::Array(left_element), T::Array(right_element)) => Some(T::Array(Box::new(
                self.common_supertype(left_element, right_element)?,
            ))),
            (T::Map(left_pair), T::Map(right_pair)) => Some(T::Map(Box::new((
                self.common_supertype(&left_pair.0, &right_pair.0)?,
                self.common_supertype(&left_pair.1, &right_pair.1)?,
            )))),
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

    fn comparison_type(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        use SqlType as T;
        // A STRING compared with a number or a date is converted to that type.
        match (left, right) {
            (T::String { .. }, other) | (other, T::String { .. })
                if numeric_rank(other).is_some()
                    || matches!(other, T::Date | T::Timestamp { .. } | T::Boolean) =>
            {
                Some(other.clone())
            }
            _ => self.common_supertype(left, right),
        }
    }

    fn string_literal_coerces_to(&self, to: &SqlType) -> bool {
        !matches!(to, SqlType::Struct(_))
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
                    (T::Array(_), T::Array(_)) => self.common_supertype(left, right)?,
                    _ => T::STRING,
                })
            }
            Op::Other(spelling) => {
                return Some(match spelling.as_str().to_ascii_uppercase().as_str() {
                    "RLIKE" | "REGEXP" | "ILIKE" | "LIKE" | "<=>" => T::Boolean,
                    "COLLATE" => left.clone(),
                    _ => T::Unknown,
                })
            }
            _ => {}
        }
        if left.is_unknown() || right.is_unknown() || left.is_dynamic() || right.is_dynamic() {
            return Some(T::Unknown);
        }
        // A STRING operand of arithmetic is read as a DOUBLE.
        let left = if left.is_string() { &T::Float64 } else { left };
        let right = if right.is_string() {
            &T::Float64
        } else {
            right
        };
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
            (Op::Subtract, T::Date, T::Date) => Some(T::Interval),
            (Op::Add | Op::Subtract, T::Date, T::Interval) | (Op::Add, T::Interval, T::Date) => {
                Some(T::Timestamp {
                    zone: TimeZoneKind::Local,
                })
            }
            (Op::Add | Op::Subtract, T::Timestamp { zone }, T::Interval)
            | (Op::Add, T::Interval, T::Timestamp { zone }) => Some(T::Timestamp { zone: *zone }),
            (Op::Subtract, T::Timestamp { .. }, T::Timestamp { .. } | T::Date) => Some(T::Interval),
            (Op::Add | Op::Subtract, T::Interval, T::Interval) => Some(T::Interval),
            (Op::Multiply | Op::Divide, T::Interval, number) if number.is_numeric() => {
                Some(T::Interval)
            }
            (Op::Divide, left, right) => {
                let common = numeric_supertype(left, right)?;
                match (decimal_parts(left), decimal_parts(right), &common) {
                    // Integer division with `/` is DOUBLE.
                    (_, _, common) if common.is_integer() => Some(T::Float64),
                    (
                        Some((left_precision, left_scale)),
                        Some((right_precision, right_scale)),
                        T::Decimal { .. },
                    ) => {
                        let scale =
                            u32::from(MINIMUM_ADJUSTED_SCALE).max(left_scale + right_precision + 1);
                        let precision = left_precision - left_scale + right_scale + scale;
                        Some(bounded_decimal(precision, scale))
                    }
                    _ => Some(common),
                }
            }
            (Op::IntegerDivide, left, right) if left.is_numeric() && right.is_numeric() => {
                Some(T::INT64)
            }
            (Op::Add | Op::Subtract | Op::Multiply | Op::Modulo, left, right) => {
                let common = numeric_supertype(left, right)?;
                match (decimal_parts(left), decimal_parts(right), &common) {
                    (
                        Some((left_precision, left_scale)),
                        Some((right_precision, right_scale)),
                        T::Decimal { .. },
                    ) => Some(match op {
                        Op::Multiply => bounded_decimal(
                            left_precision + right_precision + 1,
                            left_scale + right_scale,
                        ),
                        Op::Modulo => {
                            let scale = left_scale.max(right_scale);
                            bounded_decimal(
                                (left_precision - left_scale).min(right_precision - right_scale)
                                    + scale,
                                scale,
                            )
                        }
                        _ => {
                            let scale = left_scale.max(right_scale);
                            bounded_decimal(
                                (left_precision - left_scale).max(right_precision - right_scale)
                                    + scale
                                    + 1,
                                scale,
                            )
                        }
                    }),
                    _ => Some(common),
                }
            }
            (Op::Power, left, right) if left.is_numeric() && right.is_numeric() => Some(T::Float64),
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
            Err(_) => decimal(MAX_PRECISION, 0),
        }
    }

    fn decimal_literal_type(&self, text: &str) -> SqlType {
        if text.contains(['e', 'E']) {
            return SqlType::Float64;
        }
        // `1.50` is decimal(3,2).
        let (integer_part, fraction) = text.split_once('.').unwrap_or((text, ""));
        let integer_digits = integer_part.trim_start_matches('0').len();
        let scale = fraction.len();
        let precision = (integer_digits + scale).max(1);
        match (u8::try_from(precision), u8::try_from(scale)) {
            (Ok(precision), Ok(scale)) if precision <= MAX_PRECISION => decimal(precision, scale),
            _ => SqlType::Float64,
        }
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        match input {
            SqlType::Int { .. } | SqlType::UInt { .. } | SqlType::Null => SqlType::INT64,
            // SUM widens a decimal by ten digits.
            SqlType::Decimal { .. } => match decimal_parts(input) {
                Some((precision, scale)) => bounded_decimal((precision + 10).min(38), scale),
                None => SqlType::Unknown,
            },
            SqlType::Interval => SqlType::Interval,
            SqlType::Unknown => SqlType::Unknown,
            _ => SqlType::Float64,
        }
    }

    fn average_type(&self, input: &SqlType) -> SqlType {
        match input {
            // AVG widens a decimal by four digits of precision and scale.
            SqlType::Decimal { .. } => match decimal_parts(input) {
                Some((precision, scale)) => bounded_decimal(precision + 4, scale + 4),
                None => SqlType::Unknown,
            },
            SqlType::Interval => SqlType::Interval,
            SqlType::Unknown => SqlType::Unknown,
            _ => SqlType::Float64,
        }
    }

    fn aliases_visible_in_where(&self) -> bool {
        false
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
        assert!(report.is_empty(), "databricks.sigs:\n{}", report.join("\n"));
        assert!(catalog.len() >= 200, "{} functions", catalog.len());
    }

    #[test]
    fn type_names_round_trip() {
        for text in [
            "tinyint",
            "smallint",
            "int",
            "bigint",
            "float",
            "double",
            "decimal(10,2)",
            "string",
            "varchar(20)",
            "binary",
            "boolean",
            "date",
            "timestamp",
            "timestamp_ntz",
            "interval",
            "variant",
            "array<string>",
            "map<string,int>",
            "struct<a:int,b:array<string>>",
        ] {
            assert_eq!(SEMANTICS.type_name(&parse(text)), text);
        }
        assert_eq!(parse("STRUCT<a INT>"), parse("struct<a:int>"));
        assert_eq!(parse("decimal"), decimal(10, 0));
    }

    #[test]
    fn precedence_and_decimals() {
        assert_eq!(
            SEMANTICS.common_supertype(&SqlType::INT32, &SqlType::INT64),
            Some(SqlType::INT64)
        );
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Divide, &SqlType::INT32, &SqlType::INT32),
            Some(SqlType::Float64)
        );
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Multiply, &decimal(10, 2), &decimal(5, 1)),
            Some(decimal(16, 3))
        );
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Add, &decimal(38, 10), &decimal(38, 10)),
            Some(decimal(38, 9))
        );
        assert_eq!(SEMANTICS.sum_type(&decimal(10, 2)), decimal(20, 2));
        assert_eq!(SEMANTICS.average_type(&decimal(10, 2)), decimal(14, 6));
        assert_eq!(SEMANTICS.average_type(&SqlType::INT32), SqlType::Float64);
        assert!(SEMANTICS.can_coerce(&SqlType::STRING, &SqlType::INT32));
        assert!(!SEMANTICS.can_coerce(&SqlType::Date, &SqlType::INT32));
    }
}
