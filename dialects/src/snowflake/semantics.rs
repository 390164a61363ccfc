//! Snowflake's semantics: type names (`NUMBER(38,0)`, `TIMESTAMP_NTZ`,
//! `VARIANT`, `ARRAY`, `OBJECT`), implicit coercions, the result types of
//! operators and aggregates, and the function catalog in
//! `dialects/catalogs/snowflake.sigs`.
//!
//! Facts from Snowflake's documentation ("Summary of data types", "Data type
//! conversion", "Arithmetic operators: scale and precision").

use crate::signature::type_text::{split_field, split_type_text};
use crate::signature::BuiltinCatalog;
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef};
use fusion_ir::types::{SqlType, StructField, TimeZoneKind};

/// Snowflake's semantics.
pub(super) struct SnowflakeSemantics;

pub(super) static SEMANTICS: SnowflakeSemantics = SnowflakeSemantics;

static CATALOG: BuiltinCatalog =
    BuiltinCatalog::new(include_str!("../../catalogs/snowflake.sigs"), |text| {
        SEMANTICS.parse_type_name(text)
    });

/// Snowflake's widest NUMBER.
const MAX_PRECISION: u8 = 38;

/// DECFLOAT, Snowflake's decimal floating point, has no `SqlType` of its own;
/// it is kept by name and treated as a number here.
const DECFLOAT: &str = "DECFLOAT";

fn decfloat() -> SqlType {
    SqlType::Other(Name::new(DECFLOAT))
}

fn is_decfloat(ty: &SqlType) -> bool {
    matches!(ty, SqlType::Other(name) if name.as_str() == DECFLOAT)
}

fn number(precision: u8, scale: u8) -> SqlType {
    SqlType::Decimal {
        precision: Some(precision.min(MAX_PRECISION)),
        scale: Some(scale.min(precision.min(MAX_PRECISION))),
    }
}

/// Every integer spelling is NUMBER(38,0) in Snowflake.
fn integer() -> SqlType {
    number(MAX_PRECISION, 0)
}

/// Precision and scale of a fixed-point value (integers from other
/// dialects' schemas count as NUMBER(38,0)).
fn fixed_parts(ty: &SqlType) -> Option<(u8, u8)> {
    match ty {
        SqlType::Decimal { precision, scale } => {
            Some((precision.unwrap_or(MAX_PRECISION), scale.unwrap_or(0)))
        }
        SqlType::Int { .. } | SqlType::UInt { .. } => Some((MAX_PRECISION, 0)),
        _ => None,
    }
}

fn is_number(ty: &SqlType) -> bool {
    ty.is_numeric() || is_decfloat(ty)
}

impl SnowflakeSemantics {
    /// The numeric type both sides widen to: DECFLOAT beats FLOAT beats NUMBER;
    /// two NUMBERs keep the larger integer part and the larger scale.
    fn numeric_supertype(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        if !is_number(left) || !is_number(right) {
            return None;
        }
        if is_decfloat(left) || is_decfloat(right) {
            return Some(decfloat());
        }
        if matches!(left, SqlType::Float32 | SqlType::Float64)
            || matches!(right, SqlType::Float32 | SqlType::Float64)
        {
            return Some(SqlType::Float64);
        }
        let (left_precision, left_scale) = fixed_parts(left)?;
        let (right_precision, right_scale) = fixed_parts(right)?;
        let integer_digits = (left_precision - left_scale.min(left_precision))
            .max(right_precision - right_scale.min(right_precision));
        let scale = left_scale.max(right_scale);
        Some(number((integer_digits + scale).min(MAX_PRECISION), scale))
    }

    /// Snowflake's rules for the precision and scale of arithmetic results
    /// on NUMBERs (L is the number of digits before the point, S the scale).
    fn arithmetic(&self, op: BinaryOp, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        let common = self.numeric_supertype(left, right)?;
        let (Some((left_precision, left_scale)), Some((right_precision, right_scale))) =
            (fixed_parts(left), fixed_parts(right))
        else {
            return Some(common);
        };
        let left_digits = left_precision.saturating_sub(left_scale);
        let right_digits = right_precision.saturating_sub(right_scale);
        Some(match op {
            // L = max(L1, L2) + 1, S = max(S1, S2).
            BinaryOp::Add | BinaryOp::Subtract => {
                let scale = left_scale.max(right_scale);
                number(
                    (left_digits.max(right_digits) + 1 + scale).min(MAX_PRECISION),
                    scale,
                )
            }
            // L = L1 + L2, S = min(S1 + S2, max(S1, S2, 12)).
            BinaryOp::Multiply => {
                let scale = (left_scale + right_scale).min(left_scale.max(right_scale).max(12));
                number(
                    (left_digits.saturating_add(right_digits) + scale).min(MAX_PRECISION),
                    scale,
                )
            }
            // L = L1 + S2, S = max(S1, min(S1 + 6, 12)).
            BinaryOp::Divide => {
                let scale = left_scale.max((left_scale + 6).min(12));
                number(
                    (left_digits.saturating_add(right_scale) + scale).min(MAX_PRECISION),
                    scale,
                )
            }
            BinaryOp::Modulo => {
                let scale = left_scale.max(right_scale);
                number(
                    (left_digits.max(right_digits) + scale).min(MAX_PRECISION),
                    scale,
                )
            }
            _ => common,
        })
    }

    fn parse_inner(&self, text: &str) -> Option<SqlType> {
        let parsed = split_type_text(text)?;
        if let Some(element) = &parsed.array_of {
            return Some(SqlType::Array(Box::new(self.parse_inner(element)?)));
        }
        let numbers = parsed.numbers();
        let first = numbers
            .as_ref()
            .and_then(|numbers| numbers.first().copied());
        let arguments = parsed.arguments.clone().unwrap_or_default();
        Some(match parsed.base.as_str() {
            "NUMBER" | "DECIMAL" | "NUMERIC" | "DEC" => {
                let numbers = if parsed.arguments.is_some() {
                    numbers?
                } else {
                    Vec::new()
                };
                let precision = u8::try_from(numbers.first().copied().unwrap_or(38)).ok()?;
                let scale = u8::try_from(numbers.get(1).copied().unwrap_or(0)).ok()?;
                if precision == 0 || precision > MAX_PRECISION || scale > precision {
                    return None;
                }
                number(precision, scale)
            }
            "INT" | "INTEGER" | "BIGINT" | "SMALLINT" | "TINYINT" | "BYTEINT" => integer(),
            "FLOAT" | "FLOAT4" | "FLOAT8" | "DOUBLE" | "DOUBLE PRECISION" | "REAL" => {
                SqlType::Float64
            }
            "DECFLOAT" => decfloat(),
            "VARCHAR" | "STRING" | "TEXT" | "NVARCHAR" | "NVARCHAR2" | "CHAR VARYING"
            | "NCHAR VARYING" | "CHARACTER VARYING" => SqlType::String { max_len: first },
            "CHAR" | "CHARACTER" | "NCHAR" => SqlType::String {
                max_len: first.or(Some(1)),
            },
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
            "TIMESTAMP_LTZ" | "TIMESTAMPLTZ" | "TIMESTAMP WITH LOCAL TIME ZONE" => {
                SqlType::Timestamp {
                    zone: TimeZoneKind::Local,
                }
            }
            "TIMESTAMP_TZ" | "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => SqlType::Timestamp {
                zone: TimeZoneKind::WithOffset,
            },
            "VARIANT" => SqlType::Variant,
            "JSON" => SqlType::Variant,
            "OBJECT" if arguments.is_empty() => {
                SqlType::Map(Box::new((SqlType::STRING, SqlType::Variant)))
            }
            "OBJECT" => {
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
            "ARRAY" => match arguments.as_slice() {
                [] => SqlType::Array(Box::new(SqlType::Variant)),
                [element] => SqlType::Array(Box::new(self.parse_inner(element)?)),
                _ => return None,
            },
            "MAP" => match arguments.as_slice() {
                [] => SqlType::Map(Box::new((SqlType::Unknown, SqlType::Unknown))),
                [key, value] => {
                    SqlType::Map(Box::new((self.parse_inner(key)?, self.parse_inner(value)?)))
                }
                _ => return None,
            },
            "GEOGRAPHY" | "GEOMETRY" => SqlType::Geography,
            "INTERVAL" => SqlType::Interval,
            "FILE" | "VECTOR" => SqlType::Other(Name::new(&parsed.base)),
            "NULL" => SqlType::Null,
            _ => return None,
        })
    }
}

fn is_semi_structured(ty: &SqlType) -> bool {
    matches!(ty, SqlType::Variant | SqlType::Json)
        || matches!(ty, SqlType::Map(pair) if pair.1 == SqlType::Variant)
        || matches!(ty, SqlType::Array(element) if **element == SqlType::Variant)
}

impl DialectSemantics for SnowflakeSemantics {
    fn name(&self) -> &'static str {
        "snowflake"
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
        // Unquoted identifiers are stored upper-cased; quoted ones as written.
        if ident.quoted {
            ident.name
        } else {
            ident.name.to_ascii_uppercase()
        }
    }

    fn names_match(&self, left: Name, right: Name) -> bool {
        // Strictly a quoted "id" and ID differ; but dbt projects declare
        // columns in lower case that Snowflake stores upper-cased, and a
        // false "unknown column" costs more than a missed case clash.
        left.eq_ignore_ascii_case(right)
    }

    fn type_name(&self, ty: &SqlType) -> String {
        match ty {
            SqlType::Boolean => "BOOLEAN".to_owned(),
            SqlType::Int { .. } | SqlType::UInt { .. } => "NUMBER(38,0)".to_owned(),
            SqlType::Decimal { precision, scale } => format!(
                "NUMBER({},{})",
                precision.unwrap_or(MAX_PRECISION),
                scale.unwrap_or(0)
            ),
            SqlType::Float32 | SqlType::Float64 => "FLOAT".to_owned(),
            SqlType::String { max_len: None } => "VARCHAR".to_owned(),
            SqlType::String {
                max_len: Some(length),
            } => format!("VARCHAR({length})"),
            SqlType::Binary { max_len: None } => "BINARY".to_owned(),
            SqlType::Binary {
                max_len: Some(length),
            } => format!("BINARY({length})"),
            SqlType::Date => "DATE".to_owned(),
            SqlType::Time => "TIME".to_owned(),
            SqlType::Timestamp { zone } => match zone {
                TimeZoneKind::Without => "TIMESTAMP_NTZ".to_owned(),
                TimeZoneKind::Local => "TIMESTAMP_LTZ".to_owned(),
                TimeZoneKind::WithOffset => "TIMESTAMP_TZ".to_owned(),
            },
            SqlType::Interval => "INTERVAL".to_owned(),
            SqlType::Uuid => "VARCHAR".to_owned(),
            SqlType::Json | SqlType::Variant => "VARIANT".to_owned(),
            SqlType::Array(element) if **element == SqlType::Variant => "ARRAY".to_owned(),
            SqlType::Array(element) => format!("ARRAY({})", self.type_name(element)),
            SqlType::Map(pair) if pair.0.is_string() && pair.1 == SqlType::Variant => {
                "OBJECT".to_owned()
            }
            SqlType::Map(pair) if pair.0.is_unknown() => "MAP".to_owned(),
            SqlType::Map(pair) => format!(
                "MAP({}, {})",
                self.type_name(&pair.0),
                self.type_name(&pair.1)
            ),
            SqlType::Struct(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|field| format!("{} {}", field.name, self.type_name(&field.ty)))
                    .collect();
                format!("OBJECT({})", fields.join(", "))
            }
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
        CATALOG.get().lookup(name)
    }

    /// `FLATTEN(input => ...)` gives one row per element, with Snowflake's
    /// documented columns: SEQ, KEY, PATH, INDEX, VALUE and THIS.
    fn table_function_columns(
        &self,
        name: &str,
        _argument_types: &[SqlType],
    ) -> Option<Vec<fusion_ir::semantics::TableFunctionColumn>> {
        if !name.eq_ignore_ascii_case("flatten") {
            return None;
        }
        let column = |name: &str, ty: SqlType| fusion_ir::semantics::TableFunctionColumn {
            name: Name::new(name),
            ty,
        };
        let number = SqlType::Decimal {
            precision: Some(38),
            scale: Some(0),
        };
        Some(vec![
            column("SEQ", number.clone()),
            column("KEY", SqlType::STRING),
            column("PATH", SqlType::STRING),
            column("INDEX", number),
            column("VALUE", SqlType::Variant),
            column("THIS", SqlType::Variant),
        ])
    }

    fn function_names(&self) -> Vec<&str> {
        CATALOG.get().names()
    }

    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if from == to
            || matches!(from, T::Null | T::Unknown)
            || to.is_unknown()
            || is_semi_structured(from)
            || matches!(to, T::Variant | T::Json)
        {
            return true;
        }
        // Snowflake's coercion table: numbers, strings, booleans, dates and
        // timestamps convert into each other implicitly when an operator or
        // function needs it (a VARCHAR is parsed, a NUMBER printed).
        match (from, to) {
            (from, to) if is_number(from) && is_number(to) => true,
            (T::String { .. }, to) => {
                matches!(
                    to,
                    T::String { .. }
                        | T::Boolean
                        | T::Date
                        | T::Time
                        | T::Timestamp { .. }
                        | T::Decimal { .. }
                        | T::Int { .. }
                        | T::Float64
                        | T::Float32
                ) || is_decfloat(to)
            }
            (from, T::String { .. }) => !matches!(from, T::Array(_) | T::Struct(_) | T::Map(_)),
            (T::Boolean, to) | (to, T::Boolean) => is_number(to),
            (T::Date, T::Timestamp { .. }) | (T::Timestamp { .. }, T::Date) => true,
            (T::Timestamp { .. }, T::Timestamp { .. }) => true,
            (T::Binary { .. }, T::Binary { .. }) => true,
            (T::Array(_), T::Array(to_element)) => **to_element == T::Variant,
            (T::Struct(_) | T::Map(_), T::Map(pair)) => pair.1 == T::Variant,
            _ => false,
        }
    }

    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if self.can_coerce(from, to)
            || matches!(from, T::Other(_))
            || matches!(to, T::Other(_))
            || is_semi_structured(to)
        {
            return true;
        }
        match (from, to) {
            (T::Time, T::Timestamp { .. }) => true,
            (T::String { .. }, T::Binary { .. }) | (T::Binary { .. }, T::String { .. }) => true,
            // Structured types convert into each other field by field (an
            // OBJECT(a INT, b INT) casts to MAP(VARCHAR, INT)).
            (T::Array(_), T::Array(_))
            | (T::Map(_), T::Map(_))
            | (T::Struct(_), T::Struct(_))
            | (T::Struct(_), T::Map(_)) => true,
            // Snowflake has no cast from DATE or TIME to numbers or booleans.
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
            (T::Timestamp { .. }, T::Timestamp { .. }) => Some(T::Timestamp {
                zone: TimeZoneKind::Local,
            }),
            (T::Variant | T::Json, _) | (_, T::Variant | T::Json) => Some(T::Variant),
            (T::Array(_), T::Array(_)) => Some(T::Array(Box::new(T::Variant))),
            (T::Map(_) | T::Struct(_), T::Map(_) | T::Struct(_)) => {
                Some(T::Map(Box::new((T::STRING, T::Variant))))
            }
            // A CASE or COALESCE mixing strings and numbers converts the
            // strings to numbers (Snowflake coerces VARCHAR to NUMBER).
            (T::String { .. }, other) | (other, T::String { .. })
                if is_number(other)
                    || matches!(other, T::Date | T::Time | T::Timestamp { .. } | T::Boolean) =>
            {
                Some(other.clone())
            }
            (T::Boolean, other) | (other, T::Boolean) if is_number(other) => Some(other.clone()),
            _ => self.numeric_supertype(left, right),
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
                    _ => T::STRING,
                })
            }
            Op::Other(spelling) => {
                return Some(match spelling.as_str().to_ascii_uppercase().as_str() {
                    "COLLATE" => left.clone(),
                    "ILIKE" | "RLIKE" | "REGEXP" | "LIKE" => T::Boolean,
                    _ => T::Unknown,
                })
            }
            _ => {}
        }
        if left.is_unknown() || right.is_unknown() {
            return Some(T::Unknown);
        }
        // VARIANT operands are converted when the query runs; the result
        // of arithmetic on them is a number Snowflake types as FLOAT.
        let left = if left.is_dynamic() || left.is_string() {
            &T::Float64
        } else {
            left
        };
        let right = if right.is_dynamic() || right.is_string() {
            &T::Float64
        } else {
            right
        };
        let (left, right) = match (left, right) {
            (T::Null, T::Null) => return Some(integer()),
            (T::Null, other) | (other, T::Null) => (other, other),
            pair => pair,
        };
        match (op, left, right) {
            // DATE + n adds days; DATE - DATE is a number of days.
            (Op::Add, T::Date, number) | (Op::Add, number, T::Date) if is_number(number) => {
                Some(T::Date)
            }
            (Op::Subtract, T::Date, number) if is_number(number) => Some(T::Date),
            (Op::Subtract, T::Date, T::Date) => Some(integer()),
            (Op::Add | Op::Subtract, T::Timestamp { zone }, number) if is_number(number) => {
                Some(T::Timestamp { zone: *zone })
            }
            (Op::Add | Op::Subtract, temporal, T::Interval) if temporal.is_temporal() => {
                Some(temporal.clone())
            }
            (Op::Add, T::Interval, temporal) if temporal.is_temporal() => Some(temporal.clone()),
            (Op::Subtract, T::Timestamp { .. }, T::Timestamp { .. }) => Some(integer()),
            (
                Op::Add
                | Op::Subtract
                | Op::Multiply
                | Op::Divide
                | Op::Modulo
                | Op::IntegerDivide
                | Op::Power,
                left,
                right,
            ) => self.arithmetic(op, left, right),
            (Op::BitwiseAnd | Op::BitwiseOr | Op::BitwiseXor, left, right)
                if is_number(left) && is_number(right) =>
            {
                Some(integer())
            }
            _ => None,
        }
    }

    fn integer_literal_type(&self, text: &str) -> SqlType {
        // Integer literals take part in expressions as NUMBER(38,0).
        let _ = text;
        integer()
    }

    fn decimal_literal_type(&self, text: &str) -> SqlType {
        if text.contains(['e', 'E']) {
            return SqlType::Float64;
        }
        // `1.50` is NUMBER(3,2): the digits as written.
        let (integer_part, fraction) = text.split_once('.').unwrap_or((text, ""));
        let integer_digits = integer_part.trim_start_matches('0').len();
        let scale = fraction.len();
        let precision = (integer_digits + scale).max(1);
        match (u8::try_from(precision), u8::try_from(scale)) {
            (Ok(precision), Ok(scale)) if precision <= MAX_PRECISION => number(precision, scale),
            _ => SqlType::Float64,
        }
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        match fixed_parts(input) {
            // SUM keeps the scale and widens to the largest precision.
            Some((_, scale)) => number(MAX_PRECISION, scale),
            None if is_decfloat(input) => decfloat(),
            None if matches!(input, SqlType::Null) => integer(),
            None if input.is_unknown() => SqlType::Unknown,
            None => SqlType::Float64,
        }
    }

    fn average_type(&self, input: &SqlType) -> SqlType {
        match fixed_parts(input) {
            // AVG of a NUMBER(p,s) has scale max(s, min(s + 6, 12)).
            Some((_, scale)) => number(MAX_PRECISION, scale.max((scale + 6).min(12))),
            None if is_decfloat(input) => decfloat(),
            None if input.is_unknown() => SqlType::Unknown,
            None => SqlType::Float64,
        }
    }

    fn aliases_visible_in_where(&self) -> bool {
        // Snowflake resolves select-list aliases in WHERE, GROUP BY and HAVING.
        true
    }

    fn date_part_result(&self, function: &str, part: &str, input: &SqlType) -> Option<SqlType> {
        let function = function.to_ascii_lowercase();
        let part = part.to_ascii_lowercase();
        match function.as_str() {
            // Adding hours to a DATE gives a TIMESTAMP_NTZ.
            "dateadd" | "timeadd" | "timestampadd"
                if matches!(input, SqlType::Date) && is_time_part(&part) =>
            {
                Some(SqlType::TIMESTAMP)
            }
            _ => None,
        }
    }
}

fn is_time_part(part: &str) -> bool {
    matches!(
        part,
        "hour"
            | "hours"
            | "h"
            | "hh"
            | "minute"
            | "minutes"
            | "m"
            | "mi"
            | "second"
            | "seconds"
            | "s"
            | "sec"
            | "millisecond"
            | "ms"
            | "microsecond"
            | "us"
            | "nanosecond"
            | "ns"
    )
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
        assert!(report.is_empty(), "snowflake.sigs:\n{}", report.join("\n"));
        assert!(catalog.len() >= 300, "{} functions", catalog.len());
    }

    #[test]
    fn type_names_round_trip() {
        for text in [
            "NUMBER(38,0)",
            "NUMBER(10,2)",
            "FLOAT",
            "VARCHAR",
            "VARCHAR(20)",
            "BINARY",
            "BOOLEAN",
            "DATE",
            "TIME",
            "TIMESTAMP_NTZ",
            "TIMESTAMP_LTZ",
            "TIMESTAMP_TZ",
            "VARIANT",
            "ARRAY",
            "OBJECT",
            "GEOGRAPHY",
            "ARRAY(NUMBER(38,0))",
            "MAP(VARCHAR, NUMBER(38,0))",
            "OBJECT(a NUMBER(38,0), b VARCHAR)",
            "DECFLOAT",
        ] {
            assert_eq!(SEMANTICS.type_name(&parse(text)), text);
        }
        assert_eq!(parse("int"), parse("NUMBER(38,0)"));
        assert_eq!(parse("double precision"), SqlType::Float64);
        assert_eq!(parse("timestamp"), parse("TIMESTAMP_NTZ"));
        assert_eq!(SEMANTICS.parse_type_name("NUMBER(39,0)"), None);
    }

    #[test]
    fn arithmetic_follows_the_precision_rules() {
        let add = SEMANTICS.binary_result(BinaryOp::Add, &number(10, 2), &number(5, 0));
        assert_eq!(add, Some(number(11, 2)));
        let multiply = SEMANTICS.binary_result(BinaryOp::Multiply, &number(10, 2), &number(5, 3));
        assert_eq!(multiply, Some(number(15, 5)));
        let divide = SEMANTICS.binary_result(BinaryOp::Divide, &number(38, 0), &number(38, 0));
        assert_eq!(divide, Some(number(38, 6)));
        let float = SEMANTICS.binary_result(BinaryOp::Add, &SqlType::Float64, &number(5, 0));
        assert_eq!(float, Some(SqlType::Float64));
        assert_eq!(SEMANTICS.average_type(&integer()), number(38, 6));
        assert_eq!(SEMANTICS.sum_type(&number(10, 2)), number(38, 2));
    }

    #[test]
    fn coercions() {
        assert!(SEMANTICS.can_coerce(&SqlType::STRING, &integer()));
        assert!(SEMANTICS.can_coerce(&SqlType::Date, &SqlType::TIMESTAMP));
        assert!(SEMANTICS.can_coerce(&SqlType::Variant, &SqlType::Date));
        assert!(!SEMANTICS.can_coerce(&SqlType::Date, &integer()));
        assert!(!SEMANTICS.can_cast(&SqlType::Date, &SqlType::Boolean));
        assert_eq!(
            SEMANTICS.common_supertype(&integer(), &SqlType::Float64),
            Some(SqlType::Float64)
        );
        assert_eq!(SEMANTICS.common_supertype(&SqlType::Date, &integer()), None);
    }
}
