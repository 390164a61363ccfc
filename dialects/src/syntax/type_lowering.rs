//! Helpers for the dialects' type-name lowering: the parts of a parsed
//! [`TypeName`] that read the same everywhere (numeric modifiers, struct
//! fields, element types, `[]` suffixes). Which spelling means which
//! [`SqlType`] stays in each dialect's `syntax.rs`.

use crate::syntax::ast::{TypeArguments, TypeName};
use crate::syntax::hooks::SyntaxHooks;
use fusion_ir::name::Name;
use fusion_ir::types::{SqlType, StructField};

/// The numeric modifiers of a type name (`(10, 2)`), `None` where one is
/// not a number (`varchar(max)`).
pub fn numeric_modifiers(type_name: &TypeName, source: &str) -> Vec<Option<u32>> {
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

/// The first and second numeric modifiers.
pub fn two_modifiers(type_name: &TypeName, source: &str) -> (Option<u32>, Option<u32>) {
    let modifiers = numeric_modifiers(type_name, source);
    (
        modifiers.first().copied().flatten(),
        modifiers.get(1).copied().flatten(),
    )
}

/// A precision or scale that fits the IR's `u8`.
pub fn small(value: Option<u32>) -> Option<u8> {
    value.and_then(|value| u8::try_from(value).ok())
}

/// The fields of `STRUCT<a T, ...>` / `STRUCT(a T)`, their names unquoted.
pub fn struct_fields(
    type_name: &TypeName,
    source: &str,
    hooks: &dyn SyntaxHooks,
) -> Vec<StructField> {
    let TypeArguments::Fields(fields) = &type_name.arguments else {
        return Vec::new();
    };
    fields
        .iter()
        .map(|(field, field_type)| {
            let raw = source.get(field.span.range()).unwrap_or("");
            // An unterminated quoted name has no closing quote, and may end
            // in the middle of the text's last character.
            let field_name = match raw.chars().next() {
                Some(quote) if field.quoted => {
                    let inner = &raw[quote.len_utf8()..];
                    let inner = inner.strip_suffix(quote).unwrap_or(inner);
                    inner.replace(&quote.to_string().repeat(2), &quote.to_string())
                }
                _ => raw.to_string(),
            };
            StructField {
                name: Name::new(&field_name),
                ty: hooks.lower_type(field_type, source),
            }
        })
        .collect()
}

/// The element types of `ARRAY<T>` or `MAP<K, V>`, lowered.
pub fn element_types(type_name: &TypeName, source: &str, hooks: &dyn SyntaxHooks) -> Vec<SqlType> {
    match &type_name.arguments {
        TypeArguments::Types(types) => types
            .iter()
            .map(|element| hooks.lower_type(element, source))
            .collect(),
        _ => Vec::new(),
    }
}

/// `base` wrapped in one array per `[]` suffix (`int[][]`).
pub fn with_array_dimensions(type_name: &TypeName, base: SqlType) -> SqlType {
    let mut ty = base;
    for _ in 0..type_name.array_dimensions {
        ty = SqlType::Array(Box::new(ty));
    }
    ty
}

/// `ARRAY<T>` / `MAP<K, V>` / `STRUCT<...>` for the dialects that write
/// them with angle brackets, `None` for any other name.
pub fn lower_container(
    type_name: &TypeName,
    source: &str,
    hooks: &dyn SyntaxHooks,
    untyped_element: SqlType,
) -> Option<SqlType> {
    match type_name.name.as_str() {
        "ARRAY" => {
            let element = element_types(type_name, source, hooks)
                .into_iter()
                .next()
                .unwrap_or(untyped_element);
            Some(SqlType::Array(Box::new(element)))
        }
        "MAP" => {
            let mut types = element_types(type_name, source, hooks).into_iter();
            match (types.next(), types.next()) {
                (Some(key), Some(value)) => Some(SqlType::Map(Box::new((key, value)))),
                _ => Some(SqlType::Map(Box::new((SqlType::STRING, untyped_element)))),
            }
        }
        "STRUCT" | "ROW" => Some(SqlType::Struct(struct_fields(type_name, source, hooks))),
        _ => None,
    }
}
