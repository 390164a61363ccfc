//! `SqlType`: one type representation for every warehouse. Dialects map their
//! own spellings onto it (`NUMBER(38,0)`, `INT64`, `BIGINT`) and back; passes
//! only ever see this enum. Nullability is a property of a column or an
//! expression, not of the type, and is tracked beside it.

use crate::name::Name;
use serde::Serialize;

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
    pub name: Name,
    pub ty: SqlType,
}

/// A SQL type, independent of any dialect's spelling.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum SqlType {
    Boolean,
    /// A signed integer of `bits` (8, 16, 32, 64 or 128).
    Int {
        bits: u8,
    },
    /// An unsigned integer of `bits`.
    UInt {
        bits: u8,
    },
    /// Exact numeric. `None` precision means the dialect's default/unbounded.
    Decimal {
        precision: Option<u8>,
        scale: Option<u8>,
    },
    Float32,
    Float64,
    /// Character data, with an optional maximum length.
    String {
        max_len: Option<u32>,
    },
    Binary {
        max_len: Option<u32>,
    },
    Date,
    Time,
    Timestamp {
        zone: TimeZoneKind,
    },
    Interval,
    Uuid,
    Json,
    /// Semi-structured value (Snowflake VARIANT, Redshift SUPER).
    Variant,
    Array(Box<SqlType>),
    Struct(Vec<StructField>),
    Map(Box<(SqlType, SqlType)>),
    Geography,
    /// The type of the literal `NULL`: coerces to anything.
    Null,
    /// A type fusionc does not model, kept by its spelling so it can be printed back.
    Other(Name),
    /// Not known: checks that need the type are skipped, never failed.
    Unknown,
}

impl SqlType {
    pub const INT32: SqlType = SqlType::Int { bits: 32 };
    pub const INT64: SqlType = SqlType::Int { bits: 64 };
    pub const STRING: SqlType = SqlType::String { max_len: None };
    pub const TIMESTAMP: SqlType = SqlType::Timestamp {
        zone: TimeZoneKind::Without,
    };

    pub fn is_unknown(&self) -> bool {
        matches!(self, SqlType::Unknown)
    }

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

    pub fn is_string(&self) -> bool {
        matches!(self, SqlType::String { .. })
    }

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

/// A type together with whether the value may be NULL.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct TypedValue {
    pub ty: SqlType,
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
