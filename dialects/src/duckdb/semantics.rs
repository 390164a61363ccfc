//! DuckDB's semantics: identifier folding, type names, coercions, operator
//! result types and the function catalog.
//!
//! DuckDB compares identifiers case-insensitively whether quoted or not, and
//! keeps the case as first written. The typing rules follow DuckDB's
//! documentation (typecasting, numeric and date/time operators, aggregate
//! functions); each rule says which behaviour it reproduces.

#[path = "catalog.rs"]
mod catalog;

use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef, TableFunctionColumn};
use fusion_ir::types::{SqlType, StructField, TimeZoneKind};

pub(super) struct DuckDbSemantics;

pub(super) static DUCKDB_SEMANTICS: DuckDbSemantics = DuckDbSemantics;

/// DuckDB's widest decimal precision.
const MAX_DECIMAL_PRECISION: u8 = 38;

/// DuckDB's `DECIMAL` without modifiers is `DECIMAL(18,3)`.
const DEFAULT_DECIMAL: (u8, u8) = (18, 3);

/// The precision and scale of a decimal type, with DuckDB's defaults.
fn decimal_parts(precision: Option<u8>, scale: Option<u8>) -> (u8, u8) {
    match (precision, scale) {
        (None, _) => DEFAULT_DECIMAL,
        (Some(precision), scale) => (precision, scale.unwrap_or(0)),
    }
}

/// The decimal an integer type converts to without loss (DuckDB: TINYINT is
/// DECIMAL(3,0), SMALLINT (5,0), INTEGER (10,0), BIGINT (19,0), HUGEINT (38,0)).
fn integer_as_decimal(ty: &SqlType) -> Option<(u8, u8)> {
    let digits = match ty {
        SqlType::Int { bits: 8 } | SqlType::UInt { bits: 8 } => 3,
        SqlType::Int { bits: 16 } | SqlType::UInt { bits: 16 } => 5,
        SqlType::Int { bits: 32 } | SqlType::UInt { bits: 32 } => 10,
        SqlType::Int { bits: 64 } => 19,
        SqlType::UInt { bits: 64 } => 20,
        SqlType::Int { .. } | SqlType::UInt { .. } => 38,
        _ => return None,
    };
    Some((digits, 0))
}

fn decimal_of(ty: &SqlType) -> Option<(u8, u8)> {
    match ty {
        SqlType::Decimal { precision, scale } => Some(decimal_parts(*precision, *scale)),
        other => integer_as_decimal(other),
    }
}

fn make_decimal(precision: u8, scale: u8) -> SqlType {
    SqlType::Decimal {
        precision: Some(precision),
        scale: Some(scale),
    }
}

/// The decimal holding both: the larger integer part plus the larger scale,
/// capped at 38 digits (the scale gives way first, as in DuckDB).
fn merge_decimals(left: (u8, u8), right: (u8, u8)) -> SqlType {
    let integer_digits = (left.0 - left.1.min(left.0)).max(right.0 - right.1.min(right.0));
    let scale = left.1.max(right.1);
    let precision = (integer_digits + scale).min(MAX_DECIMAL_PRECISION);
    let scale = scale.min(precision.saturating_sub(integer_digits.min(precision)));
    make_decimal(precision, scale)
}

/// The integer type holding both (DuckDB: a signed and an unsigned type of
/// the same width go to the next wider signed type, up to HUGEINT).
fn merge_integers(left: &SqlType, right: &SqlType) -> SqlType {
    match (left, right) {
        (SqlType::Int { bits: left_bits }, SqlType::Int { bits: right_bits }) => SqlType::Int {
            bits: *left_bits.max(right_bits),
        },
        (SqlType::UInt { bits: left_bits }, SqlType::UInt { bits: right_bits }) => SqlType::UInt {
            bits: *left_bits.max(right_bits),
        },
        (SqlType::Int { bits: signed }, SqlType::UInt { bits: unsigned })
        | (SqlType::UInt { bits: unsigned }, SqlType::Int { bits: signed }) => {
            if signed > unsigned {
                SqlType::Int { bits: *signed }
            } else {
                SqlType::Int {
                    bits: unsigned.saturating_mul(2).min(128),
                }
            }
        }
        _ => SqlType::INT64,
    }
}

/// Numeric promotion: integers < decimals < FLOAT < DOUBLE.
fn numeric_supertype(left: &SqlType, right: &SqlType) -> Option<SqlType> {
    if !left.is_numeric() || !right.is_numeric() {
        return None;
    }
    if matches!(left, SqlType::Float64) || matches!(right, SqlType::Float64) {
        return Some(SqlType::Float64);
    }
    if matches!(left, SqlType::Float32) || matches!(right, SqlType::Float32) {
        return Some(SqlType::Float32);
    }
    if left.is_integer() && right.is_integer() {
        return Some(merge_integers(left, right));
    }
    Some(merge_decimals(decimal_of(left)?, decimal_of(right)?))
}

impl DuckDbSemantics {
    fn arithmetic_numeric(&self, op: BinaryOp, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        let common = numeric_supertype(left, right)?;
        Some(match op {
            // DuckDB: `/` on integers and decimals is floating-point division.
            BinaryOp::Divide => match common {
                SqlType::Float32 => SqlType::Float32,
                _ => SqlType::Float64,
            },
            BinaryOp::Power => SqlType::Float64,
            BinaryOp::IntegerDivide => match common {
                SqlType::Decimal { .. } | SqlType::Float32 | SqlType::Float64 => SqlType::Float64,
                integer => integer,
            },
            BinaryOp::Add | BinaryOp::Subtract => {
                match (&common, decimal_of(left), decimal_of(right)) {
                    (SqlType::Decimal { .. }, Some(left_parts), Some(right_parts)) => {
                        // One more integer digit for the carry.
                        let scale = left_parts.1.max(right_parts.1);
                        let integer_digits = left_parts
                            .0
                            .saturating_sub(left_parts.1)
                            .max(right_parts.0.saturating_sub(right_parts.1))
                            + 1;
                        make_decimal((integer_digits + scale).min(MAX_DECIMAL_PRECISION), scale)
                    }
                    _ => common,
                }
            }
            BinaryOp::Multiply => match (&common, decimal_of(left), decimal_of(right)) {
                (SqlType::Decimal { .. }, Some(left_parts), Some(right_parts)) => {
                    let scale = (left_parts.1 + right_parts.1).min(MAX_DECIMAL_PRECISION);
                    make_decimal(
                        (left_parts.0 + right_parts.0).min(MAX_DECIMAL_PRECISION),
                        scale,
                    )
                }
                _ => common,
            },
            _ => common,
        })
    }

    fn parse_type_inner(&self, text: &str) -> Option<SqlType> {
        let text = text.trim();
        // Array suffixes: `INTEGER[]`, `INTEGER[3]`, `INTEGER[][]`.
        if let Some(stripped) = text.strip_suffix(']') {
            let open = stripped.rfind('[')?;
            let size = stripped[open + 1..].trim();
            if !size.is_empty() && size.parse::<u32>().is_err() {
                return None;
            }
            return Some(SqlType::Array(Box::new(
                self.parse_type_inner(&stripped[..open])?,
            )));
        }
        let lower = text.to_ascii_lowercase();
        let (base, modifiers) = match lower.find('(') {
            Some(open) => {
                let inner = lower[open + 1..].strip_suffix(')')?;
                (
                    lower[..open].trim().to_owned(),
                    Some((open, inner.to_owned())),
                )
            }
            None => (lower.split_whitespace().collect::<Vec<_>>().join(" "), None),
        };
        let numbers = |inner: &str| -> Option<Vec<u32>> {
            inner
                .split(',')
                .map(|part| part.trim().parse::<u32>().ok())
                .collect()
        };
        match (base.as_str(), modifiers) {
            ("decimal" | "numeric" | "dec", Some((_, inner))) => {
                let parts = numbers(&inner)?;
                let precision = u8::try_from(*parts.first()?).ok()?;
                let scale = u8::try_from(parts.get(1).copied().unwrap_or(0)).ok()?;
                if precision == 0
                    || precision > MAX_DECIMAL_PRECISION
                    || scale > precision
                    || parts.len() > 2
                {
                    return None;
                }
                Some(make_decimal(precision, scale))
            }
            (
                "varchar" | "char" | "bpchar" | "text" | "string" | "nvarchar"
                | "character varying" | "character",
                Some((_, inner)),
            ) => {
                let parts = numbers(&inner)?;
                Some(SqlType::String {
                    max_len: parts.first().copied(),
                })
            }
            ("list", Some((_, inner))) => {
                Some(SqlType::Array(Box::new(self.parse_type_inner(&inner)?)))
            }
            ("map", Some((open, _))) => {
                let inner = text[open + 1..text.len() - 1].to_owned();
                let parts = split_top_level(&inner);
                if parts.len() != 2 {
                    return None;
                }
                Some(SqlType::Map(Box::new((
                    self.parse_type_inner(&parts[0])?,
                    self.parse_type_inner(&parts[1])?,
                ))))
            }
            ("struct" | "row", Some((open, _))) => {
                let inner = text[open + 1..text.len() - 1].to_owned();
                let mut fields = Vec::new();
                for part in split_top_level(&inner) {
                    let part = part.trim();
                    let (name, rest) = split_field_name(part)?;
                    fields.push(StructField {
                        name: Name::new(&name),
                        ty: self.parse_type_inner(rest)?,
                    });
                }
                Some(SqlType::Struct(fields))
            }
            (
                "timestamp" | "datetime" | "time" | "float" | "double" | "integer" | "int"
                | "bigint" | "smallint" | "tinyint" | "blob" | "bytea" | "varbinary" | "binary",
                Some(_),
            ) => self.parse_type_inner(&base),
            (name, None) => simple_type(name),
            _ => None,
        }
    }
}

/// Splits `a INTEGER, b STRUCT(c INT, d INT)` at the commas not nested in parentheses.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for character in text.chars() {
        match character {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if character == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(character);
        }
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts
}

/// Splits a struct field `name TYPE` (the name possibly double-quoted).
fn split_field_name(text: &str) -> Option<(String, &str)> {
    if let Some(rest) = text.strip_prefix('"') {
        let close = rest.find('"')?;
        return Some((rest[..close].to_owned(), &rest[close + 1..]));
    }
    let space = text.find(char::is_whitespace)?;
    Some((text[..space].to_owned(), &text[space..]))
}

/// Type names without modifiers, lower-cased, whitespace collapsed.
fn simple_type(name: &str) -> Option<SqlType> {
    Some(match name {
        "boolean" | "bool" | "logical" => SqlType::Boolean,
        "tinyint" | "int1" => SqlType::Int { bits: 8 },
        "smallint" | "int2" | "short" => SqlType::Int { bits: 16 },
        "integer" | "int" | "int4" | "signed" | "int32" => SqlType::INT32,
        "bigint" | "int8" | "long" | "int64" => SqlType::INT64,
        "hugeint" | "int128" => SqlType::Int { bits: 128 },
        "utinyint" => SqlType::UInt { bits: 8 },
        "usmallint" => SqlType::UInt { bits: 16 },
        "uinteger" => SqlType::UInt { bits: 32 },
        "ubigint" => SqlType::UInt { bits: 64 },
        "uhugeint" => SqlType::UInt { bits: 128 },
        "double" | "float8" | "double precision" => SqlType::Float64,
        "float" | "float4" | "real" => SqlType::Float32,
        "decimal" | "numeric" | "dec" => make_decimal(DEFAULT_DECIMAL.0, DEFAULT_DECIMAL.1),
        "varchar" | "text" | "string" | "char" | "bpchar" | "nvarchar" | "character varying"
        | "character" => SqlType::STRING,
        "blob" | "bytea" | "binary" | "varbinary" => SqlType::Binary { max_len: None },
        "date" => SqlType::Date,
        "time" | "time without time zone" => SqlType::Time,
        "timestamp"
        | "datetime"
        | "timestamp without time zone"
        | "timestamp_us"
        | "timestamp_ms"
        | "timestamp_s"
        | "timestamp_ns" => SqlType::TIMESTAMP,
        "timestamptz" | "timestamp with time zone" => SqlType::Timestamp {
            zone: TimeZoneKind::Local,
        },
        "interval" => SqlType::Interval,
        "uuid" => SqlType::Uuid,
        "json" => SqlType::Json,
        "geometry" => SqlType::Geography,
        "null" => SqlType::Null,
        _ => return None,
    })
}

impl DialectSemantics for DuckDbSemantics {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
        // Quoted or not, DuckDB matches identifiers case-insensitively.
        ident.name.to_ascii_lowercase()
    }

    fn names_match(&self, left: Name, right: Name) -> bool {
        left.eq_ignore_ascii_case(right)
    }

    fn type_name(&self, ty: &SqlType) -> String {
        match ty {
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Int { bits: 8 } => "TINYINT".into(),
            SqlType::Int { bits: 16 } => "SMALLINT".into(),
            SqlType::Int { bits: 32 } => "INTEGER".into(),
            SqlType::Int { bits: 64 } => "BIGINT".into(),
            SqlType::Int { .. } => "HUGEINT".into(),
            SqlType::UInt { bits: 8 } => "UTINYINT".into(),
            SqlType::UInt { bits: 16 } => "USMALLINT".into(),
            SqlType::UInt { bits: 32 } => "UINTEGER".into(),
            SqlType::UInt { bits: 64 } => "UBIGINT".into(),
            SqlType::UInt { .. } => "UHUGEINT".into(),
            SqlType::Decimal { precision, scale } => {
                let (precision, scale) = decimal_parts(*precision, *scale);
                format!("DECIMAL({precision},{scale})")
            }
            SqlType::Float32 => "FLOAT".into(),
            SqlType::Float64 => "DOUBLE".into(),
            // DuckDB ignores VARCHAR lengths and prints plain VARCHAR.
            SqlType::String { .. } => "VARCHAR".into(),
            SqlType::Binary { .. } => "BLOB".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME".into(),
            SqlType::Timestamp {
                zone: TimeZoneKind::Without,
            } => "TIMESTAMP".into(),
            SqlType::Timestamp { .. } => "TIMESTAMP WITH TIME ZONE".into(),
            SqlType::Interval => "INTERVAL".into(),
            SqlType::Uuid => "UUID".into(),
            SqlType::Json | SqlType::Variant => "JSON".into(),
            SqlType::Array(element) => format!("{}[]", self.type_name(element)),
            SqlType::Struct(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|field| format!("{} {}", field.name, self.type_name(&field.ty)))
                    .collect();
                format!("STRUCT({})", fields.join(", "))
            }
            SqlType::Map(key_value) => format!(
                "MAP({}, {})",
                self.type_name(&key_value.0),
                self.type_name(&key_value.1)
            ),
            SqlType::Geography => "GEOMETRY".into(),
            SqlType::Null => "NULL".into(),
            SqlType::Other(name) => name.as_str().to_ascii_uppercase(),
            SqlType::Unknown => "UNKNOWN".into(),
            // A type a newer ir adds: ir's neutral spelling.
            other => other.to_string(),
        }
    }

    fn parse_type_name(&self, text: &str) -> Option<SqlType> {
        self.parse_type_inner(text)
    }

    fn function(&self, name: &str) -> Option<&FunctionDef> {
        catalog::lookup(name)
    }

    fn is_file_reference(&self, name: &str) -> bool {
        // DuckDB's replacement scans: a name with a file extension it reads,
        // or a URL, possibly with a glob.
        const EXTENSIONS: &[&str] = &[
            ".csv", ".tsv", ".txt", ".parquet", ".json", ".jsonl", ".ndjson", ".gz", ".zst",
            ".xlsx", ".arrow", ".avro",
        ];
        let lowered = name.to_ascii_lowercase();
        lowered.contains("://")
            || EXTENSIONS.iter().any(|extension| {
                lowered.ends_with(extension) || lowered.contains(&format!("{extension}."))
            })
    }

    fn function_names(&self) -> Vec<&str> {
        catalog::names()
    }

    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        if from == to || matches!(from, SqlType::Null | SqlType::Unknown) || to.is_unknown() {
            return true;
        }
        match (from, to) {
            (SqlType::Int { bits: from_bits }, SqlType::Int { bits: to_bits }) => {
                from_bits <= to_bits
            }
            (SqlType::UInt { bits: from_bits }, SqlType::UInt { bits: to_bits }) => {
                from_bits <= to_bits
            }
            (SqlType::UInt { bits: from_bits }, SqlType::Int { bits: to_bits }) => {
                from_bits < to_bits
            }
            (from, SqlType::Decimal { precision, scale })
                if from.is_integer() || matches!(from, SqlType::Decimal { .. }) =>
            {
                let (Some(from_parts), (to_precision, to_scale)) =
                    (decimal_of(from), decimal_parts(*precision, *scale))
                else {
                    return false;
                };
                from_parts.0.saturating_sub(from_parts.1) <= to_precision.saturating_sub(to_scale)
                    && from_parts.1 <= to_scale
            }
            (from, SqlType::Float32 | SqlType::Float64) if from.is_numeric() => {
                !matches!((from, to), (SqlType::Float64, SqlType::Float32))
            }
            (SqlType::String { .. }, SqlType::String { .. }) => true,
            (SqlType::Binary { .. }, SqlType::Binary { .. }) => true,
            (SqlType::Date, SqlType::Timestamp { .. }) => true,
            (
                SqlType::Timestamp {
                    zone: TimeZoneKind::Without,
                },
                SqlType::Timestamp { .. },
            ) => true,
            (SqlType::Json, SqlType::String { .. }) | (SqlType::String { .. }, SqlType::Json) => {
                true
            }
            (SqlType::Array(from_element), SqlType::Array(to_element)) => {
                self.can_coerce(from_element, to_element)
            }
            (SqlType::Struct(from_fields), SqlType::Struct(to_fields)) => {
                from_fields.len() == to_fields.len()
                    && from_fields
                        .iter()
                        .zip(to_fields)
                        .all(|(from_field, to_field)| {
                            from_field.name.eq_ignore_ascii_case(to_field.name)
                                && self.can_coerce(&from_field.ty, &to_field.ty)
                        })
            }
            (SqlType::Map(from_pair), SqlType::Map(to_pair)) => {
                self.can_coerce(&from_pair.0, &to_pair.0)
                    && self.can_coerce(&from_pair.1, &to_pair.1)
            }
            _ => false,
        }
    }

    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        use SqlType as T;
        let opaque = |ty: &SqlType| {
            matches!(
                ty,
                T::Null | T::Unknown | T::Other(_) | T::Json | T::Variant
            )
        };
        if from == to || opaque(from) || opaque(to) || from.is_string() || to.is_string() {
            return true;
        }
        match (from, to) {
            (from, to) if from.is_numeric() && to.is_numeric() => true,
            (T::Boolean, to) | (to, T::Boolean) if to.is_numeric() => true,
            (T::Date, T::Timestamp { .. })
            | (T::Timestamp { .. }, T::Date | T::Time | T::Timestamp { .. }) => true,
            (T::Time, T::Timestamp { .. }) => false,
            (T::Binary { .. }, T::Uuid) | (T::Uuid, T::Binary { .. }) => true,
            (T::Array(from_element), T::Array(to_element)) => {
                self.can_cast(from_element, to_element)
            }
            (T::Struct(from_fields), T::Struct(to_fields)) => {
                from_fields.len() == to_fields.len()
                    && from_fields
                        .iter()
                        .zip(to_fields)
                        .all(|(from_field, to_field)| self.can_cast(&from_field.ty, &to_field.ty))
            }
            (T::Map(from_pair), T::Map(to_pair)) => {
                self.can_cast(&from_pair.0, &to_pair.0) && self.can_cast(&from_pair.1, &to_pair.1)
            }
            // `{'a': 1}::MAP(VARCHAR, INTEGER)`: each field becomes an entry.
            (T::Struct(from_fields), T::Map(to_pair)) => from_fields
                .iter()
                .all(|field| self.can_cast(&field.ty, &to_pair.1)),
            // Everything else DuckDB refuses at bind time: DATE to BOOLEAN,
            // INTEGER to DATE, INTERVAL to numbers, lists to scalars.
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
            (T::Json, T::String { .. }) | (T::String { .. }, T::Json) => Some(T::Json),
            (T::Array(left_element), T::Array(right_element)) => Some(T::Array(Box::new(
                self.common_supertype(left_element, right_element)?,
            ))),
            (T::Struct(left_fields), T::Struct(right_fields))
                if left_fields.len() == right_fields.len() =>
            {
                let mut fields = Vec::with_capacity(left_fields.len());
                for (left_field, right_field) in left_fields.iter().zip(right_fields) {
                    if !left_field.name.eq_ignore_ascii_case(right_field.name) {
                        return None;
                    }
                    fields.push(StructField {
                        name: left_field.name,
                        ty: self.common_supertype(&left_field.ty, &right_field.ty)?,
                    });
                }
                Some(T::Struct(fields))
            }
            (T::Map(left_pair), T::Map(right_pair)) => Some(T::Map(Box::new((
                self.common_supertype(&left_pair.0, &right_pair.0)?,
                self.common_supertype(&left_pair.1, &right_pair.1)?,
            )))),
            _ => numeric_supertype(left, right),
        }
    }

    fn comparison_type(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        if let Some(common) = self.common_supertype(left, right) {
            return Some(common);
        }
        // DuckDB compares a VARCHAR with a scalar of another type by
        // converting the string to that type.
        let scalar =
            |ty: &SqlType| !matches!(ty, SqlType::Array(_) | SqlType::Struct(_) | SqlType::Map(_));
        match (left, right) {
            (SqlType::String { .. }, other) | (other, SqlType::String { .. }) if scalar(other) => {
                Some(other.clone())
            }
            (SqlType::Boolean, other) | (other, SqlType::Boolean) if other.is_numeric() => {
                Some(SqlType::Boolean)
            }
            _ => None,
        }
    }

    fn string_literal_coerces_to(&self, to: &SqlType) -> bool {
        // DuckDB types a string literal as STRING_LITERAL, which converts
        // implicitly to any type; the text is parsed when the query runs.
        !matches!(to, SqlType::Array(_) | SqlType::Struct(_) | SqlType::Map(_))
    }

    fn binary_result(&self, op: BinaryOp, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        use BinaryOp as Op;
        use SqlType as T;
        if left.is_unknown() || right.is_unknown() || left.is_dynamic() || right.is_dynamic() {
            return Some(if matches!(op, Op::Concat) {
                T::STRING
            } else {
                T::Unknown
            });
        }
        match op {
            Op::Eq | Op::NotEq | Op::Lt | Op::LtEq | Op::Gt | Op::GtEq | Op::And | Op::Or => {
                return Some(T::Boolean)
            }
            Op::Other(spelling) => {
                return Some(match spelling.as_str().to_ascii_uppercase().as_str() {
                    "<->" | "<=>" | "<#>" => T::Float64,
                    "~" | "!~" | "~~" | "!~~" | "~~*" | "!~~*" | "~~~" | "&&" | "@>" | "<@"
                    | "^@" | "~*" | "!~*" | "GLOB" | "SIMILAR TO" => T::Boolean,
                    // `x COLLATE nocase` keeps the type of `x`.
                    "COLLATE" => left.clone(),
                    "->>" => T::STRING,
                    "->" => T::Json,
                    _ => T::Unknown,
                });
            }
            _ => {}
        }
        // NULL takes the type of the other operand.
        let (left, right) = match (left, right) {
            (T::Null, T::Null) => {
                return Some(if matches!(op, Op::Concat) {
                    T::STRING
                } else {
                    T::INT32
                })
            }
            (T::Null, other) => (other, other),
            (other, T::Null) => (other, other),
            pair => pair,
        };
        match op {
            Op::Concat => match (left, right) {
                (T::Array(_), T::Array(_)) => self.common_supertype(left, right),
                (T::Binary { .. }, T::Binary { .. }) => Some(T::Binary { max_len: None }),
                // `||` converts any scalar operand to text.
                _ => Some(T::STRING),
            },
            Op::Add => match (left, right) {
                (T::Date, integer) | (integer, T::Date) if integer.is_integer() => Some(T::Date),
                (T::Date, T::Interval) | (T::Interval, T::Date) => Some(T::TIMESTAMP),
                (T::Date, T::Time) | (T::Time, T::Date) => Some(T::TIMESTAMP),
                (T::Timestamp { zone }, T::Interval) | (T::Interval, T::Timestamp { zone }) => {
                    Some(T::Timestamp { zone: *zone })
                }
                (T::Time, T::Interval) | (T::Interval, T::Time) => Some(T::Time),
                (T::Interval, T::Interval) => Some(T::Interval),
                _ => self.arithmetic_numeric(op, left, right),
            },
            Op::Subtract => match (left, right) {
                (T::Date, T::Date) => Some(T::INT64),
                (T::Date, integer) if integer.is_integer() => Some(T::Date),
                (T::Date, T::Interval) => Some(T::TIMESTAMP),
                (T::Timestamp { zone }, T::Interval) => Some(T::Timestamp { zone: *zone }),
                (T::Timestamp { .. } | T::Date, T::Timestamp { .. })
                | (T::Timestamp { .. }, T::Date) => Some(T::Interval),
                (T::Time, T::Interval) => Some(T::Time),
                (T::Time, T::Time) => Some(T::Interval),
                (T::Interval, T::Interval) => Some(T::Interval),
                _ => self.arithmetic_numeric(op, left, right),
            },
            Op::Multiply => match (left, right) {
                (T::Interval, number) | (number, T::Interval) if number.is_numeric() => {
                    Some(T::Interval)
                }
                _ => self.arithmetic_numeric(op, left, right),
            },
            Op::Divide => match (left, right) {
                (T::Interval, number) if number.is_numeric() => Some(T::Interval),
                _ => self.arithmetic_numeric(op, left, right),
            },
            Op::IntegerDivide | Op::Modulo | Op::Power => self.arithmetic_numeric(op, left, right),
            Op::BitwiseAnd | Op::BitwiseOr | Op::BitwiseXor => match (left, right) {
                (left, right) if left.is_integer() && right.is_integer() => {
                    Some(merge_integers(left, right))
                }
                (T::Binary { .. }, T::Binary { .. }) => Some(T::Binary { max_len: None }),
                _ => None,
            },
            Op::ShiftLeft | Op::ShiftRight => {
                (left.is_integer() && right.is_integer()).then(|| left.clone())
            }
            _ => None,
        }
    }

    fn integer_literal_type(&self, text: &str) -> SqlType {
        let digits: String = text.chars().filter(|character| *character != '_').collect();
        match digits.parse::<i128>() {
            Ok(value) if i32::try_from(value).is_ok() => SqlType::INT32,
            Ok(value) if i64::try_from(value).is_ok() => SqlType::INT64,
            Ok(_) => SqlType::Int { bits: 128 },
            // Beyond HUGEINT DuckDB reads the literal as a DOUBLE.
            Err(_) => SqlType::Float64,
        }
    }

    fn decimal_literal_type(&self, text: &str) -> SqlType {
        let digits: String = text.chars().filter(|character| *character != '_').collect();
        if digits.contains(['e', 'E']) {
            return SqlType::Float64;
        }
        // `1.50` is DECIMAL(3,2): every written digit counts, leading zeros
        // of the integer part excepted.
        let (integer_part, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
        let integer_digits = integer_part.trim_start_matches('0').len();
        let scale = fraction.len();
        let precision = (integer_digits + scale).max(1).max(scale);
        match (u8::try_from(precision), u8::try_from(scale)) {
            (Ok(precision), Ok(scale)) if precision <= MAX_DECIMAL_PRECISION => {
                make_decimal(precision, scale)
            }
            _ => SqlType::Float64,
        }
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        match input {
            // DuckDB sums every integer type into a HUGEINT (INT128).
            SqlType::Int { .. } | SqlType::UInt { .. } | SqlType::Boolean => {
                SqlType::Int { bits: 128 }
            }
            SqlType::Decimal { precision, scale } => {
                make_decimal(MAX_DECIMAL_PRECISION, decimal_parts(*precision, *scale).1)
            }
            SqlType::Float32 | SqlType::Float64 => SqlType::Float64,
            SqlType::Interval => SqlType::Interval,
            SqlType::Null => SqlType::Int { bits: 128 },
            _ => SqlType::Unknown,
        }
    }

    fn average_type(&self, input: &SqlType) -> SqlType {
        match input {
            SqlType::Date | SqlType::Timestamp { .. } | SqlType::Time | SqlType::Interval => {
                input.clone()
            }
            // DuckDB averages integers, decimals and floats as DOUBLE.
            _ => SqlType::Float64,
        }
    }

    fn aliases_visible_in_where(&self) -> bool {
        true
    }

    fn distinct_order_by_must_be_selected(&self) -> bool {
        true
    }

    fn date_part_result(&self, function: &str, part: &str, input: &SqlType) -> Option<SqlType> {
        let function = function.to_ascii_lowercase();
        let part = part.to_ascii_lowercase();
        match function.as_str() {
            // DuckDB: the epoch and julian parts are fractional.
            "date_part" | "datepart" | "extract" if matches!(part.as_str(), "epoch" | "julian") => {
                Some(SqlType::Float64)
            }
            // Truncating a DATE below a day gives a TIMESTAMP.
            "date_trunc" | "datetrunc"
                if matches!(input, SqlType::Date)
                    && matches!(
                        part.as_str(),
                        "hour"
                            | "hours"
                            | "minute"
                            | "minutes"
                            | "second"
                            | "seconds"
                            | "millisecond"
                            | "milliseconds"
                            | "microsecond"
                            | "microseconds"
                    ) =>
            {
                Some(SqlType::TIMESTAMP)
            }
            _ => None,
        }
    }

    fn table_function_columns(
        &self,
        name: &str,
        argument_types: &[SqlType],
    ) -> Option<Vec<TableFunctionColumn>> {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "range" | "generate_series" => {
                // Over timestamps the series holds timestamps, otherwise BIGINTs.
                let ty = if argument_types
                    .iter()
                    .any(|ty| matches!(ty, SqlType::Timestamp { .. } | SqlType::Date))
                {
                    SqlType::TIMESTAMP
                } else {
                    SqlType::INT64
                };
                Some(vec![TableFunctionColumn {
                    name: Name::new(&name),
                    ty,
                }])
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SqlType {
        DUCKDB_SEMANTICS
            .parse_type_name(text)
            .unwrap_or(SqlType::Unknown)
    }

    fn print(ty: &SqlType) -> String {
        DUCKDB_SEMANTICS.type_name(ty)
    }

    #[test]
    fn type_names_round_trip() {
        for text in [
            "DECIMAL(10,2)",
            "VARCHAR",
            "BIGINT",
            "TIMESTAMP WITH TIME ZONE",
            "INTEGER[]",
            "STRUCT(a INTEGER)",
            "MAP(VARCHAR, INTEGER)",
            "STRUCT(a INTEGER, b STRUCT(c VARCHAR[]))",
            "HUGEINT",
            "UBIGINT",
            "DATE",
            "INTERVAL",
        ] {
            assert_eq!(print(&parse(text)), text, "round trip of {text}");
        }
        assert_eq!(print(&parse("numeric")), "DECIMAL(18,3)");
        assert_eq!(print(&parse("varchar(20)")), "VARCHAR");
        assert_eq!(print(&parse("int[3]")), "INTEGER[]");
        assert_eq!(print(&parse("timestamptz")), "TIMESTAMP WITH TIME ZONE");
        assert_eq!(print(&parse("list(double)")), "DOUBLE[]");
        assert_eq!(DUCKDB_SEMANTICS.parse_type_name("decimal(50,2)"), None);
        assert_eq!(DUCKDB_SEMANTICS.parse_type_name("frobnicate"), None);
    }

    #[test]
    fn identifiers_fold_case_insensitively() {
        assert!(DUCKDB_SEMANTICS.names_match(Name::new("Amount"), Name::new("AMOUNT")));
    }

    #[test]
    fn literals() {
        let semantics = &DUCKDB_SEMANTICS;
        assert_eq!(semantics.integer_literal_type("42"), SqlType::INT32);
        assert_eq!(semantics.integer_literal_type("3000000000"), SqlType::INT64);
        assert_eq!(
            semantics.integer_literal_type("30000000000000000000"),
            SqlType::Int { bits: 128 }
        );
        assert_eq!(
            print(&semantics.decimal_literal_type("1.50")),
            "DECIMAL(3,2)"
        );
        assert_eq!(
            print(&semantics.decimal_literal_type("0.5")),
            "DECIMAL(1,1)"
        );
        assert_eq!(semantics.decimal_literal_type("1e3"), SqlType::Float64);
    }

    #[test]
    fn arithmetic() {
        let semantics = &DUCKDB_SEMANTICS;
        let result = |op, left: &str, right: &str| {
            semantics
                .binary_result(op, &parse(left), &parse(right))
                .map(|ty| print(&ty))
        };
        assert_eq!(
            result(BinaryOp::Add, "INTEGER", "INTEGER").as_deref(),
            Some("INTEGER")
        );
        assert_eq!(
            result(BinaryOp::Add, "INTEGER", "BIGINT").as_deref(),
            Some("BIGINT")
        );
        assert_eq!(
            result(BinaryOp::Divide, "INTEGER", "INTEGER").as_deref(),
            Some("DOUBLE")
        );
        assert_eq!(
            result(BinaryOp::IntegerDivide, "INTEGER", "BIGINT").as_deref(),
            Some("BIGINT")
        );
        assert_eq!(
            result(BinaryOp::Subtract, "DATE", "DATE").as_deref(),
            Some("BIGINT")
        );
        assert_eq!(
            result(BinaryOp::Add, "DATE", "INTEGER").as_deref(),
            Some("DATE")
        );
        assert_eq!(
            result(BinaryOp::Add, "DATE", "INTERVAL").as_deref(),
            Some("TIMESTAMP")
        );
        assert_eq!(
            result(BinaryOp::Subtract, "TIMESTAMP", "INTERVAL").as_deref(),
            Some("TIMESTAMP")
        );
        assert_eq!(
            result(BinaryOp::Concat, "VARCHAR", "INTEGER").as_deref(),
            Some("VARCHAR")
        );
        assert_eq!(
            result(BinaryOp::Add, "DECIMAL(10,2)", "DECIMAL(5,3)").as_deref(),
            Some("DECIMAL(12,3)")
        );
        assert_eq!(
            result(BinaryOp::Multiply, "DECIMAL(10,2)", "DECIMAL(5,3)").as_deref(),
            Some("DECIMAL(15,5)")
        );
        assert_eq!(
            result(BinaryOp::Add, "INTEGER", "DECIMAL(5,2)").as_deref(),
            Some("DECIMAL(13,2)")
        );
        assert_eq!(
            result(BinaryOp::Add, "DECIMAL(5,2)", "DOUBLE").as_deref(),
            Some("DOUBLE")
        );
        assert_eq!(result(BinaryOp::Add, "VARCHAR", "INTEGER"), None);
        assert_eq!(result(BinaryOp::Add, "DATE", "DATE"), None);
    }

    #[test]
    fn coercion_casts_and_supertypes() {
        let semantics = &DUCKDB_SEMANTICS;
        assert!(semantics.can_coerce(&parse("INTEGER"), &parse("DOUBLE")));
        assert!(semantics.can_coerce(&parse("INTEGER"), &parse("DECIMAL(18,3)")));
        assert!(!semantics.can_coerce(&parse("BIGINT"), &parse("DECIMAL(10,2)")));
        assert!(!semantics.can_coerce(&parse("VARCHAR"), &parse("INTEGER")));
        assert!(!semantics.can_coerce(&parse("DOUBLE"), &parse("INTEGER")));
        assert!(semantics.can_coerce(&parse("DATE"), &parse("TIMESTAMP")));
        assert!(semantics.can_coerce(&SqlType::Null, &parse("DATE")));
        assert!(!semantics.can_cast(&parse("DATE"), &parse("BOOLEAN")));
        assert!(!semantics.can_cast(&parse("INTEGER"), &parse("DATE")));
        assert!(semantics.can_cast(&parse("VARCHAR"), &parse("DATE")));
        assert!(semantics.can_cast(&parse("TIMESTAMP"), &parse("DATE")));
        let supertype = |left: &str, right: &str| {
            semantics
                .common_supertype(&parse(left), &parse(right))
                .map(|ty| print(&ty))
        };
        assert_eq!(supertype("INTEGER", "BIGINT").as_deref(), Some("BIGINT"));
        assert_eq!(supertype("BIGINT", "UBIGINT").as_deref(), Some("HUGEINT"));
        assert_eq!(
            supertype("DECIMAL(10,2)", "DECIMAL(5,4)").as_deref(),
            Some("DECIMAL(12,4)")
        );
        assert_eq!(
            supertype("INTEGER", "DECIMAL(5,2)").as_deref(),
            Some("DECIMAL(12,2)")
        );
        assert_eq!(supertype("INTEGER", "DOUBLE").as_deref(), Some("DOUBLE"));
        assert_eq!(supertype("DATE", "TIMESTAMP").as_deref(), Some("TIMESTAMP"));
        assert_eq!(
            supertype("INTEGER[]", "BIGINT[]").as_deref(),
            Some("BIGINT[]")
        );
        assert_eq!(supertype("NULL", "DATE").as_deref(), Some("DATE"));
        assert_eq!(supertype("DATE", "INTEGER"), None);
        assert_eq!(supertype("VARCHAR", "INTEGER"), None);
        assert_eq!(
            semantics.comparison_type(&parse("VARCHAR"), &parse("DATE")),
            Some(SqlType::Date)
        );
        assert_eq!(
            semantics.comparison_type(&parse("DATE"), &parse("INTEGER")),
            None
        );
    }

    #[test]
    fn aggregates() {
        let semantics = &DUCKDB_SEMANTICS;
        assert_eq!(print(&semantics.sum_type(&parse("INTEGER"))), "HUGEINT");
        assert_eq!(
            print(&semantics.sum_type(&parse("DECIMAL(10,2)"))),
            "DECIMAL(38,2)"
        );
        assert_eq!(print(&semantics.sum_type(&parse("DOUBLE"))), "DOUBLE");
        assert_eq!(
            print(&semantics.average_type(&parse("DECIMAL(10,2)"))),
            "DOUBLE"
        );
        assert!(semantics.aliases_visible_in_where());
    }

    #[test]
    fn catalog_lookup_is_case_insensitive() {
        let semantics = &DUCKDB_SEMANTICS;
        assert!(semantics.function("COUNT").is_some());
        assert!(semantics.function("Date_Trunc").is_some());
        assert!(semantics.function("frobnicate").is_none());
        assert!(semantics.function_names().len() > 150);
    }
}
