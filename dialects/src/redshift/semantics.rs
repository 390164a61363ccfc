//! Redshift's semantics: type names (`integer`, `numeric(18,0)`,
//! `character varying(256)`, `super`, `varbyte`), its implicit conversions,
//! the numeric precision rules of its arithmetic and aggregates, and the
//! function catalog in `dialects/catalogs/redshift.sigs`.
//!
//! Facts from the Amazon Redshift Database Developer Guide ("Data types",
//! "Type compatibility and conversion", "Computations with numeric values",
//! "SQL functions reference").

use crate::signature::type_text::split_type_text;
use crate::signature::BuiltinCatalog;
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef};
use fusion_ir::types::{SqlType, TimeZoneKind};

/// Redshift's semantics.
pub(super) struct RedshiftSemantics;

pub(super) static SEMANTICS: RedshiftSemantics = RedshiftSemantics;

static CATALOG: BuiltinCatalog =
    BuiltinCatalog::new(include_str!("../../catalogs/redshift.sigs"), |text| {
        SEMANTICS.parse_type_name(text)
    });

const MAX_PRECISION: u32 = 38;

/// `DECIMAL` without modifiers is DECIMAL(18,0).
const DEFAULT_DECIMAL: (u8, u8) = (18, 0);

/// `VARCHAR` without a length holds 256 bytes.
const DEFAULT_VARCHAR_LENGTH: u32 = 256;

const TIMESTAMPTZ: SqlType = SqlType::Timestamp {
    zone: TimeZoneKind::Local,
};

fn decimal(precision: u32, scale: u32) -> SqlType {
    let precision = precision.min(MAX_PRECISION);
    SqlType::Decimal {
        precision: Some(precision as u8),
        scale: Some(scale.min(precision) as u8),
    }
}

fn decimal_parts(ty: &SqlType) -> Option<(u32, u32)> {
    Some(match ty {
        SqlType::Decimal { precision, scale } => (
            u32::from(precision.unwrap_or(DEFAULT_DECIMAL.0)),
            u32::from(scale.unwrap_or(DEFAULT_DECIMAL.1)),
        ),
        SqlType::Int { bits: 8 | 16 } => (5, 0),
        SqlType::Int { bits: 32 } => (10, 0),
        SqlType::Int { .. } | SqlType::UInt { .. } => (19, 0),
        _ => return None,
    })
}

/// smallint < integer < bigint < decimal < real < double precision.
fn numeric_rank(ty: &SqlType) -> Option<u8> {
    Some(match ty {
        SqlType::Int { bits: 8 | 16 } => 0,
        SqlType::Int { bits: 32 } => 1,
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
        3 => {
            let (left_precision, left_scale) = decimal_parts(left)?;
            let (right_precision, right_scale) = decimal_parts(right)?;
            let scale = left_scale.max(right_scale);
            decimal(
                (left_precision - left_scale).max(right_precision - right_scale) + scale,
                scale,
            )
        }
        4 => SqlType::Float32,
        _ => SqlType::Float64,
    })
}

fn is_text(ty: &SqlType) -> bool {
    ty.is_string()
}

impl RedshiftSemantics {
    fn parse_inner(&self, text: &str) -> Option<SqlType> {
        let parsed = split_type_text(text)?;
        if parsed.array_of.is_some() {
            return None;
        }
        let numbers = if parsed.arguments.is_some() {
            // `varchar(max)` is the longest varchar.
            match parsed.arguments.as_deref() {
                Some([only]) if only.eq_ignore_ascii_case("max") => vec![65535],
                _ => parsed.numbers()?,
            }
        } else {
            Vec::new()
        };
        let first = numbers.first().copied();
        Some(match parsed.base.as_str() {
            "SMALLINT" | "INT2" => SqlType::Int { bits: 16 },
            "INTEGER" | "INT" | "INT4" => SqlType::INT32,
            "BIGINT" | "INT8" => SqlType::INT64,
            "DECIMAL" | "NUMERIC" => match numbers.as_slice() {
                [] => decimal(u32::from(DEFAULT_DECIMAL.0), u32::from(DEFAULT_DECIMAL.1)),
                [precision] if *precision <= MAX_PRECISION => decimal(*precision, 0),
                [precision, scale] if *precision <= MAX_PRECISION && scale <= precision => {
                    decimal(*precision, *scale)
                }
                _ => return None,
            },
            "REAL" | "FLOAT4" => SqlType::Float32,
            "DOUBLE PRECISION" | "DOUBLE" | "FLOAT8" | "FLOAT" => SqlType::Float64,
            "BOOLEAN" | "BOOL" => SqlType::Boolean,
            "CHAR" | "CHARACTER" | "NCHAR" | "BPCHAR" => SqlType::String {
                max_len: first.or(Some(1)),
            },
            "VARCHAR" | "CHARACTER VARYING" | "NVARCHAR" => SqlType::String {
                max_len: first.or(Some(DEFAULT_VARCHAR_LENGTH)),
            },
            // TEXT is VARCHAR(256).
            "TEXT" => SqlType::String {
                max_len: Some(DEFAULT_VARCHAR_LENGTH),
            },
            "DATE" => SqlType::Date,
            "TIME" | "TIME WITHOUT TIME ZONE" | "TIMETZ" | "TIME WITH TIME ZONE" => SqlType::Time,
            "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => SqlType::TIMESTAMP,
            "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => TIMESTAMPTZ,
            "INTERVAL" => SqlType::Interval,
            "SUPER" => SqlType::Variant,
            "VARBYTE" | "VARBINARY" | "BINARY VARYING" => SqlType::Binary { max_len: first },
            "GEOMETRY" | "GEOGRAPHY" => SqlType::Geography,
            "HLLSKETCH" => SqlType::Other(Name::new("hllsketch")),
            "NULL" | "UNKNOWN" | "VOID" => SqlType::Null,
            _ => return None,
        })
    }
}

impl DialectSemantics for RedshiftSemantics {
    fn name(&self) -> &'static str {
        "redshift"
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
        // Identifiers are lower-cased, quoted or not, unless the cluster
        // sets `enable_case_sensitive_identifier`.
        ident.name.to_ascii_lowercase()
    }

    fn names_match(&self, left: Name, right: Name) -> bool {
        left.eq_ignore_ascii_case(right)
    }

    fn type_name(&self, ty: &SqlType) -> String {
        match ty {
            SqlType::Boolean => "boolean".to_owned(),
            SqlType::Int { bits: 8 | 16 } => "smallint".to_owned(),
            SqlType::Int { bits: 32 } => "integer".to_owned(),
            SqlType::Int { .. } | SqlType::UInt { .. } => "bigint".to_owned(),
            SqlType::Decimal { precision, scale } => format!(
                "numeric({},{})",
                precision.unwrap_or(DEFAULT_DECIMAL.0),
                scale.unwrap_or(DEFAULT_DECIMAL.1)
            ),
            SqlType::Float32 => "real".to_owned(),
            SqlType::Float64 => "double precision".to_owned(),
            SqlType::String { max_len } => format!(
                "character varying({})",
                max_len.unwrap_or(DEFAULT_VARCHAR_LENGTH)
            ),
            SqlType::Uuid => "character varying(36)".to_owned(),
            SqlType::Binary { max_len: None } => "varbyte".to_owned(),
            SqlType::Binary {
                max_len: Some(length),
            } => format!("varbyte({length})"),
            SqlType::Date => "date".to_owned(),
            SqlType::Time => "time without time zone".to_owned(),
            SqlType::Timestamp {
                zone: TimeZoneKind::Without,
            } => "timestamp without time zone".to_owned(),
            SqlType::Timestamp { .. } => "timestamp with time zone".to_owned(),
            SqlType::Interval => "interval".to_owned(),
            SqlType::Json
            | SqlType::Variant
            | SqlType::Array(_)
            | SqlType::Struct(_)
            | SqlType::Map(_) => "super".to_owned(),
            SqlType::Geography => "geometry".to_owned(),
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
        CATALOG.get().lookup(name)
    }

    fn function_names(&self) -> Vec<&str> {
        CATALOG.get().names()
    }

    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if from == to
            || matches!(from, T::Null | T::Unknown | T::Variant)
            || to.is_unknown()
            || matches!(to, T::Variant)
        {
            return true;
        }
        match (from, to) {
            (from, to) if numeric_rank(from).is_some() && numeric_rank(to).is_some() => true,
            (T::String { .. }, T::String { .. }) => true,
            // Numbers, dates and timestamps convert to character types
            // implicitly; character strings to dates and timestamps.
            (from, T::String { .. }) => {
                numeric_rank(from).is_some()
                    || matches!(from, T::Date | T::Timestamp { .. } | T::Boolean | T::Time)
            }
            (T::String { .. }, T::Date | T::Timestamp { .. } | T::Time) => true,
            (T::Date, T::Timestamp { .. }) | (T::Timestamp { .. }, T::Timestamp { .. }) => true,
            (T::Timestamp { .. }, T::Date) => true,
            _ => false,
        }
    }

    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        if self.can_coerce(from, to)
            || matches!(from, T::Other(_))
            || matches!(to, T::Other(_))
            || is_text(from)
        {
            return true;
        }
        matches!(
            (from, to),
            (T::Boolean, T::Int { .. })
                | (T::Int { .. }, T::Boolean)
                | (T::Timestamp { .. }, T::Time)
                | (T::Binary { .. }, T::String { .. })
        )
    }

    fn common_supertype(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        use SqlType as T;
        match (left, right) {
            (T::Unknown, _) | (_, T::Unknown) => Some(T::Unknown),
            (T::Null, other) | (other, T::Null) => Some(other.clone()),
            _ if left == right => Some(left.clone()),
            (T::String { max_len: left_len }, T::String { max_len: right_len }) => {
                Some(T::String {
                    max_len: match (left_len, right_len) {
                        (Some(left_len), Some(right_len)) => Some(*left_len.max(right_len)),
                        _ => None,
                    },
                })
            }
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
            (T::Variant, _) | (_, T::Variant) => Some(T::Variant),
            _ => numeric_supertype(left, right),
        }
    }

    fn comparison_type(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        use SqlType as T;
        match (left, right) {
            // A character string compared with a date or timestamp is read as one.
            (T::String { .. }, other) | (other, T::String { .. })
                if matches!(other, T::Date | T::Timestamp { .. } | T::Time) =>
            {
                Some(other.clone())
            }
            _ => self.common_supertype(left, right),
        }
    }

    fn string_literal_coerces_to(&self, to: &SqlType) -> bool {
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
                    _ => T::STRING,
                })
            }
            Op::Other(spelling) => {
                return Some(match spelling.as_str().to_ascii_uppercase().as_str() {
                    "~" | "!~" | "~*" | "!~*" | "ILIKE" | "SIMILAR TO" => T::Boolean,
                    "COLLATE" => left.clone(),
                    _ => T::Unknown,
                })
            }
            _ => {}
        }
        if left.is_unknown() || right.is_unknown() || left.is_dynamic() || right.is_dynamic() {
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
            (Op::Subtract, T::Date, T::Date) => Some(T::INT64),
            (Op::Add | Op::Subtract, T::Date, T::Interval) | (Op::Add, T::Interval, T::Date) => {
                Some(T::TIMESTAMP)
            }
            (Op::Add | Op::Subtract, T::Timestamp { zone }, T::Interval)
            | (Op::Add, T::Interval, T::Timestamp { zone }) => Some(T::Timestamp { zone: *zone }),
            (Op::Subtract, T::Timestamp { .. }, T::Timestamp { .. }) => Some(T::Interval),
            (Op::Add | Op::Subtract, T::Interval, T::Interval) => Some(T::Interval),
            (op, left, right) if left.is_numeric() && right.is_numeric() => {
                let common = numeric_supertype(left, right)?;
                let (
                    Some((left_precision, left_scale)),
                    Some((right_precision, right_scale)),
                    T::Decimal { .. },
                ) = (decimal_parts(left), decimal_parts(right), &common)
                else {
                    // Integer `/` truncates and stays an integer.
                    return Some(common);
                };
                Some(match op {
                    Op::Add | Op::Subtract => {
                        let scale = left_scale.max(right_scale);
                        decimal(
                            (left_precision - left_scale).max(right_precision - right_scale)
                                + 1
                                + scale,
                            scale,
                        )
                    }
                    Op::Multiply => decimal(
                        left_precision + right_precision + 1,
                        left_scale + right_scale,
                    ),
                    Op::Divide => {
                        let scale = 4.max(left_scale + right_precision - right_scale + 1);
                        decimal(left_precision - left_scale + right_scale + scale, scale)
                    }
                    _ => common,
                })
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
        let (integer_part, fraction) = text.split_once('.').unwrap_or((text, ""));
        let integer_digits = integer_part.trim_start_matches('0').len() as u32;
        let scale = fraction.len() as u32;
        decimal((integer_digits + scale).max(1), scale)
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        match input {
            SqlType::Int { .. } | SqlType::UInt { .. } | SqlType::Null => SqlType::INT64,
            // SUM of DECIMAL(p,s) is DECIMAL(38,s).
            SqlType::Decimal { .. } => match decimal_parts(input) {
                Some((_, scale)) => decimal(MAX_PRECISION, scale),
                None => SqlType::Unknown,
            },
            SqlType::Float32 | SqlType::Float64 => SqlType::Float64,
            SqlType::Interval => SqlType::Interval,
            _ => SqlType::Unknown,
        }
    }

    fn average_type(&self, input: &SqlType) -> SqlType {
        match input {
            // AVG of integers is an integer (BIGINT), truncated.
            SqlType::Int { .. } | SqlType::UInt { .. } | SqlType::Null => SqlType::INT64,
            SqlType::Decimal { .. } => match decimal_parts(input) {
                Some((_, scale)) => decimal(MAX_PRECISION, scale),
                None => SqlType::Unknown,
            },
            SqlType::Float32 | SqlType::Float64 => SqlType::Float64,
            SqlType::Interval => SqlType::Interval,
            _ => SqlType::Unknown,
        }
    }

    fn aliases_visible_in_where(&self) -> bool {
        // Redshift resolves a select-list alias referenced later in the
        // same query block (lateral column alias), WHERE included.
        true
    }

    fn distinct_order_by_must_be_selected(&self) -> bool {
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
        assert!(report.is_empty(), "redshift.sigs:\n{}", report.join("\n"));
        assert!(catalog.len() >= 200, "{} functions", catalog.len());
    }

    #[test]
    fn type_names_round_trip() {
        for text in [
            "smallint",
            "integer",
            "bigint",
            "numeric(18,0)",
            "numeric(10,2)",
            "real",
            "double precision",
            "character varying(20)",
            "character varying(256)",
            "boolean",
            "date",
            "timestamp without time zone",
            "timestamp with time zone",
            "super",
            "varbyte",
        ] {
            assert_eq!(SEMANTICS.type_name(&parse(text)), text);
        }
        assert_eq!(parse("decimal"), decimal(18, 0));
        assert_eq!(parse("varchar"), parse("character varying(256)"));
        assert_eq!(parse("varchar(max)"), parse("varchar(65535)"));
    }

    #[test]
    fn numeric_rules() {
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Divide, &SqlType::INT32, &SqlType::INT32),
            Some(SqlType::INT32)
        );
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Add, &decimal(10, 2), &decimal(5, 0)),
            Some(decimal(11, 2))
        );
        assert_eq!(
            SEMANTICS.binary_result(BinaryOp::Multiply, &decimal(10, 2), &decimal(5, 1)),
            Some(decimal(16, 3))
        );
        assert_eq!(SEMANTICS.average_type(&SqlType::INT32), SqlType::INT64);
        assert_eq!(SEMANTICS.sum_type(&decimal(10, 2)), decimal(38, 2));
        assert!(SEMANTICS.can_coerce(&SqlType::INT32, &SqlType::STRING));
    }
}
