//! DuckDB's semantics: identifier folding, type names, coercions and the
//! function catalog.
//!
//! DuckDB compares identifiers case-insensitively whether quoted or not, and
//! keeps the case as first written.

use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef};
use fusion_ir::types::{SqlType, TimeZoneKind};

pub struct DuckDbSemantics;

pub static DUCKDB_SEMANTICS: DuckDbSemantics = DuckDbSemantics;

impl DialectSemantics for DuckDbSemantics {
    fn name(&self) -> &'static str {
        "duckdb"
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
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
                format!("DECIMAL({},{})", precision.unwrap_or(18), scale.unwrap_or(3))
            }
            SqlType::Float32 => "FLOAT".into(),
            SqlType::Float64 => "DOUBLE".into(),
            SqlType::String { .. } => "VARCHAR".into(),
            SqlType::Binary { .. } => "BLOB".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME".into(),
            SqlType::Timestamp { zone: TimeZoneKind::Without } => "TIMESTAMP".into(),
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
            SqlType::Map(key_value) => {
                format!("MAP({}, {})", self.type_name(&key_value.0), self.type_name(&key_value.1))
            }
            SqlType::Geography => "GEOMETRY".into(),
            SqlType::Null => "NULL".into(),
            SqlType::Other(name) => name.as_str().to_ascii_uppercase(),
            SqlType::Unknown => "UNKNOWN".into(),
        }
    }

    fn parse_type_name(&self, text: &str) -> Option<SqlType> {
        let normalized = text.trim().to_ascii_lowercase();
        let base = normalized.split('(').next().unwrap_or("").trim();
        Some(match base {
            "boolean" | "bool" | "logical" => SqlType::Boolean,
            "tinyint" | "int1" => SqlType::Int { bits: 8 },
            "smallint" | "int2" | "short" => SqlType::Int { bits: 16 },
            "integer" | "int" | "int4" | "signed" => SqlType::INT32,
            "bigint" | "int8" | "long" => SqlType::INT64,
            "hugeint" | "int128" => SqlType::Int { bits: 128 },
            "double" | "float8" | "double precision" => SqlType::Float64,
            "float" | "float4" | "real" => SqlType::Float32,
            "decimal" | "numeric" => SqlType::Decimal { precision: Some(18), scale: Some(3) },
            "varchar" | "text" | "string" | "char" | "bpchar" => SqlType::STRING,
            "date" => SqlType::Date,
            "timestamp" | "datetime" => SqlType::TIMESTAMP,
            "timestamptz" | "timestamp with time zone" => SqlType::Timestamp { zone: TimeZoneKind::Local },
            _ => return None,
        })
    }

    fn function(&self, _name: &str) -> Option<&FunctionDef> {
        None
    }

    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        from == to || matches!(from, SqlType::Null | SqlType::Unknown) || to.is_unknown()
    }

    fn can_cast(&self, _from: &SqlType, _to: &SqlType) -> bool {
        true
    }

    fn common_supertype(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        match (left, right) {
            (SqlType::Null, other) | (other, SqlType::Null) => Some(other.clone()),
            _ if left == right => Some(left.clone()),
            _ => None,
        }
    }

    fn binary_result(&self, _op: BinaryOp, _left: &SqlType, _right: &SqlType) -> Option<SqlType> {
        None
    }

    fn integer_literal_type(&self, text: &str) -> SqlType {
        match text.parse::<i64>() {
            Ok(value) if i32::try_from(value).is_ok() => SqlType::INT32,
            Ok(_) => SqlType::INT64,
            Err(_) => SqlType::Int { bits: 128 },
        }
    }

    fn decimal_literal_type(&self, _text: &str) -> SqlType {
        SqlType::Float64
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        input.clone()
    }

    fn average_type(&self, _input: &SqlType) -> SqlType {
        SqlType::Float64
    }

    fn aliases_visible_in_where(&self) -> bool {
        true
    }
}
