//! `SqlType`: one type representation for every warehouse. Dialects map their
//! own spellings onto it (`NUMBER(38,0)`, `INT64`, `BIGINT`) and back; passes
//! only ever see this enum. Nullability is a property of a column or an
//! expression, not of the type, and is tracked beside it.

use crate::name::Name;
use serde::Serialize;
use std::fmt;

/// How a timestamp relates to time zones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TimeZoneKind {
    /// Wall-clock time with no zone (`TIMESTAMP`, Snowflake `TIMESTAMP_NTZ`).
    Without,
    /// An instant, shown in the session's zone (`TIMESTAMPTZ`, Snowflake `TIMESTAMP_LTZ`).
    Local,
    /// An instant stored with its own offset (Snowflake `TIMESTAMP_TZ`).
    WithOffset,
}

/// A field of a struct type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StructField {
    /// The field's name, as written.
    pub name: Name,
    /// The field's type.
    pub ty: SqlType,
}

/// A SQL type, independent of any dialect's spelling.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum SqlType {
    /// `TRUE`, `FALSE` (and NULL, as every type).
    Boolean,
    /// A signed integer of `bits` (8, 16, 32, 64 or 128).
    Int {
        /// The width: 8, 16, 32, 64 or 128.
        bits: u8,
    },
    /// An unsigned integer of `bits`.
    UInt {
        /// The width: 8, 16, 32, 64 or 128.
        bits: u8,
    },
    /// Exact numeric. `None` precision means the dialect's default/unbounded.
    Decimal {
        /// Total number of digits, when given.
        precision: Option<u8>,
        /// Digits after the decimal point, when given.
        scale: Option<u8>,
    },
    /// A 4-byte IEEE float (`REAL`, `FLOAT4`).
    Float32,
    /// An 8-byte IEEE float (`DOUBLE`, `FLOAT8`, BigQuery `FLOAT64`).
    Float64,
    /// Character data, with an optional maximum length.
    String {
        /// The declared maximum length in characters (`VARCHAR(20)`).
        max_len: Option<u32>,
    },
    /// Byte strings (`BLOB`, `BYTEA`, `BYTES`, `VARBINARY`).
    Binary {
        /// The declared maximum length in bytes.
        max_len: Option<u32>,
    },
    /// A calendar date.
    Date,
    /// A time of day without a date.
    Time,
    /// A date and time; how it relates to time zones is `zone`.
    Timestamp {
        /// Wall-clock time, or an instant.
        zone: TimeZoneKind,
    },
    /// A duration (`INTERVAL '1' DAY`).
    Interval,
    /// A 128-bit UUID.
    Uuid,
    /// JSON text or a parsed JSON value: any operation on it is accepted.
    Json,
    /// Semi-structured value (Snowflake VARIANT, Redshift SUPER).
    Variant,
    /// A list of values of the element type (`INT[]`, `ARRAY<INT64>`).
    Array(Box<SqlType>),
    /// A record of named fields, in order (`STRUCT(a INT)`, `ROW(a INT)`).
    Struct(Vec<StructField>),
    /// Keys of the first type to values of the second (`MAP(VARCHAR, INT)`).
    Map(Box<(SqlType, SqlType)>),
    /// A geospatial value (`GEOGRAPHY`, `GEOMETRY`).
    Geography,
    /// The type of the literal `NULL`: coerces to anything.
    Null,
    /// A type fusionc does not model, kept by its spelling so it can be printed back.
    Other(Name),
    /// Not known: checks that need the type are skipped, never failed.
    Unknown,
}

impl SqlType {
    /// `INTEGER` in most dialects.
    pub const INT32: SqlType = SqlType::Int { bits: 32 };
    /// `BIGINT`, BigQuery `INT64`.
    pub const INT64: SqlType = SqlType::Int { bits: 64 };
    /// `VARCHAR`/`TEXT`/`STRING` without a length.
    pub const STRING: SqlType = SqlType::String { max_len: None };
    /// `TIMESTAMP` without a time zone.
    pub const TIMESTAMP: SqlType = SqlType::Timestamp {
        zone: TimeZoneKind::Without,
    };

    /// Whether the type is not known ([`SqlType::Unknown`]).
    pub fn is_unknown(&self) -> bool {
        matches!(self, SqlType::Unknown)
    }

    /// Signed and unsigned integers of any width.
    pub fn is_integer(&self) -> bool {
        matches!(self, SqlType::Int { .. } | SqlType::UInt { .. })
    }

    /// Integers, decimals and floats.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            SqlType::Int { .. }
                | SqlType::UInt { .. }
                | SqlType::Decimal { .. }
                | SqlType::Float32
                | SqlType::Float64
        )
    }

    /// Character types of any length.
    pub fn is_string(&self) -> bool {
        matches!(self, SqlType::String { .. })
    }

    /// Date, time and timestamp (not interval).
    pub fn is_temporal(&self) -> bool {
        matches!(
            self,
            SqlType::Date | SqlType::Time | SqlType::Timestamp { .. }
        )
    }

    /// Types whose content is only known at run time (JSON, VARIANT): any
    /// operation on them is accepted and yields another such value.
    pub fn is_dynamic(&self) -> bool {
        matches!(self, SqlType::Json | SqlType::Variant)
    }
}

/// A dialect-neutral compact spelling, the one printed IR uses: `INT32`,
/// `DECIMAL(10,2)`, `STRING(20)`, `TIMESTAMP_TZ`, `ARRAY<INT32>`,
/// `STRUCT<a INT32, b STRING>`, `MAP<STRING, INT64>`, `OTHER(name)`.
/// A dialect's own spelling comes from `DialectSemantics::type_name`.
impl fmt::Display for SqlType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::Boolean => formatter.write_str("BOOLEAN"),
            SqlType::Int { bits } => write!(formatter, "INT{bits}"),
            SqlType::UInt { bits } => write!(formatter, "UINT{bits}"),
            SqlType::Decimal { precision, scale } => match (precision, scale) {
                (Some(precision), Some(scale)) => {
                    write!(formatter, "DECIMAL({precision},{scale})")
                }
                (Some(precision), None) => write!(formatter, "DECIMAL({precision})"),
                _ => formatter.write_str("DECIMAL"),
            },
            SqlType::Float32 => formatter.write_str("FLOAT32"),
            SqlType::Float64 => formatter.write_str("FLOAT64"),
            SqlType::String {
                max_len: Some(length),
            } => write!(formatter, "STRING({length})"),
            SqlType::String { max_len: None } => formatter.write_str("STRING"),
            SqlType::Binary {
                max_len: Some(length),
            } => write!(formatter, "BINARY({length})"),
            SqlType::Binary { max_len: None } => formatter.write_str("BINARY"),
            SqlType::Date => formatter.write_str("DATE"),
            SqlType::Time => formatter.write_str("TIME"),
            SqlType::Timestamp { zone } => formatter.write_str(match zone {
                TimeZoneKind::Without => "TIMESTAMP",
                TimeZoneKind::Local => "TIMESTAMP_LTZ",
                TimeZoneKind::WithOffset => "TIMESTAMP_TZ",
            }),
            SqlType::Interval => formatter.write_str("INTERVAL"),
            SqlType::Uuid => formatter.write_str("UUID"),
            SqlType::Json => formatter.write_str("JSON"),
            SqlType::Variant => formatter.write_str("VARIANT"),
            SqlType::Array(element) => write!(formatter, "ARRAY<{element}>"),
            SqlType::Struct(fields) => {
                formatter.write_str("STRUCT<")?;
                for (position, field) in fields.iter().enumerate() {
                    if position > 0 {
                        formatter.write_str(", ")?;
                    }
                    write!(formatter, "{} {}", field.name, field.ty)?;
                }
                formatter.write_str(">")
            }
            SqlType::Map(entry) => write!(formatter, "MAP<{}, {}>", entry.0, entry.1),
            SqlType::Geography => formatter.write_str("GEOGRAPHY"),
            SqlType::Null => formatter.write_str("NULL"),
            SqlType::Other(name) => write!(formatter, "OTHER({name})"),
            SqlType::Unknown => formatter.write_str("UNKNOWN"),
        }
    }
}

/// A type together with whether the value may be NULL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct TypedValue {
    /// The value's type.
    pub ty: SqlType,
    /// Whether the value may be NULL.
    pub nullable: bool,
}

#[cfg(test)]
mod tests {
    use super::SqlType;

    /// Hot enum: keep it small. Composite types are boxed or behind a Vec.
    const _: () = assert!(std::mem::size_of::<SqlType>() <= 32);

    #[test]
    fn type_classes() {
        assert!(SqlType::INT64.is_numeric() && SqlType::INT64.is_integer());
        assert!(!SqlType::STRING.is_numeric());
        assert!(SqlType::TIMESTAMP.is_temporal());
    }
}
