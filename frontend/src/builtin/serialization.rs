//! dbt's `fromjson`, `tojson`, `fromyaml` and `toyaml`: text as Python's
//! `json.dumps` (`", "` and `": "` separators, non-ASCII escaped) and
//! PyYAML's `safe_dump` (block style, keys in order unless `sort_keys`)
//! would write it. A value that cannot be read or written gives the
//! `default` argument, as in dbt.

use crate::jinja::to_value;
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, Value};
use serde_json::Value as Json;
use std::fmt::Write;

pub(super) fn register(environment: &mut Environment<'static>) {
    environment.add_function(
        "fromjson",
        |text: Value, default: Option<Value>, kwargs: Kwargs| -> Result<Value, Error> {
            let default = default.or(kwargs.get::<Option<Value>>("default")?);
            kwargs.assert_all_used()?;
            let parsed = text
                .as_str()
                .and_then(|text| serde_json::from_str::<Json>(text).ok());
            Ok(parsed.map_or(default.unwrap_or(Value::from(())), to_value))
        },
    );
    environment.add_function(
        "fromyaml",
        |text: Value, default: Option<Value>, kwargs: Kwargs| -> Result<Value, Error> {
            let default = default.or(kwargs.get::<Option<Value>>("default")?);
            kwargs.assert_all_used()?;
            let parsed = text.as_str().and_then(|text| {
                // `fromyaml` keeps the last of duplicated keys, as PyYAML does.
                crate::yaml::parse_yaml(text, fusion_ir::span::FileId(0), &mut Vec::new()).ok()
            });
            Ok(parsed.map_or(default.unwrap_or(Value::from(())), to_value))
        },
    );
    environment.add_function(
        "tojson",
        |value: Value, default: Option<Value>, kwargs: Kwargs| -> Result<Value, Error> {
            let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false);
            let default = default.or(kwargs.get::<Option<Value>>("default")?);
            kwargs.assert_all_used()?;
            Ok(match serde_json::to_value(&value) {
                Ok(json) => {
                    let mut out = String::new();
                    write_python_json(&json, sort_keys, &mut out);
                    Value::from(out)
                }
                Err(_) => default.unwrap_or(Value::from(())),
            })
        },
    );
    environment.add_function(
        "toyaml",
        |value: Value, default: Option<Value>, kwargs: Kwargs| -> Result<Value, Error> {
            let sort_keys = kwargs.get::<Option<bool>>("sort_keys")?.unwrap_or(false);
            let default = default.or(kwargs.get::<Option<Value>>("default")?);
            kwargs.assert_all_used()?;
            Ok(match serde_json::to_value(&value) {
                Ok(json) => Value::from(python_yaml(&json, sort_keys)),
                Err(_) => default.unwrap_or(Value::from(())),
            })
        },
    );
}

fn entries(object: &serde_json::Map<String, Json>, sort_keys: bool) -> Vec<(&String, &Json)> {
    let mut entries: Vec<_> = object.iter().collect();
    if sort_keys {
        entries.sort_by(|left, right| left.0.cmp(right.0));
    }
    entries
}

/// Python's `json.dumps(value, sort_keys=...)`.
fn write_python_json(value: &Json, sort_keys: bool, out: &mut String) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Json::Number(number) => {
            let _ = write!(out, "{number}");
        }
        Json::String(text) => write_json_string(text, out),
        Json::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_python_json(item, sort_keys, out);
            }
            out.push(']');
        }
        Json::Object(object) => {
            out.push('{');
            for (index, (key, item)) in entries(object, sort_keys).into_iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_json_string(key, out);
                out.push_str(": ");
                write_python_json(item, sort_keys, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string with Python's `ensure_ascii`: non-ASCII as `\uXXXX`.
fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(character),
            _ => {
                let mut units = [0u16; 2];
                for unit in character.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// PyYAML's `safe_dump(value, sort_keys=...)`: block style, sequences in
/// mappings not indented, a scalar document ended by `...`.
fn python_yaml(value: &Json, sort_keys: bool) -> String {
    let mut out = String::new();
    match value {
        Json::Array(items) if !items.is_empty() => {
            write_yaml_sequence(items, 0, sort_keys, &mut out)
        }
        Json::Object(object) if !object.is_empty() => {
            write_yaml_mapping(object, 0, sort_keys, &mut out)
        }
        _ => {
            out.push_str(&yaml_scalar(value));
            out.push('\n');
            if !matches!(value, Json::Array(_) | Json::Object(_)) {
                out.push_str("...\n");
            }
        }
    }
    out
}

fn write_yaml_mapping(
    object: &serde_json::Map<String, Json>,
    indent: usize,
    sort_keys: bool,
    out: &mut String,
) {
    for (index, (key, item)) in entries(object, sort_keys).into_iter().enumerate() {
        // The first entry of a mapping inside a sequence follows its `- `.
        if index > 0 || !out.ends_with("- ") {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&yaml_string(key));
        out.push(':');
        match item {
            Json::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                write_yaml_mapping(inner, indent + 2, sort_keys, out);
            }
            Json::Array(items) if !items.is_empty() => {
                out.push('\n');
                write_yaml_sequence(items, indent, sort_keys, out);
            }
            _ => {
                out.push(' ');
                out.push_str(&yaml_scalar(item));
                out.push('\n');
            }
        }
    }
}

fn write_yaml_sequence(items: &[Json], indent: usize, sort_keys: bool, out: &mut String) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 || !out.ends_with("- ") {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str("- ");
        match item {
            Json::Object(inner) if !inner.is_empty() => {
                write_yaml_mapping(inner, indent + 2, sort_keys, out)
            }
            Json::Array(inner) if !inner.is_empty() => {
                write_yaml_sequence(inner, indent + 2, sort_keys, out)
            }
            _ => {
                out.push_str(&yaml_scalar(item));
                out.push('\n');
            }
        }
    }
}

fn yaml_scalar(value: &Json) -> String {
    match value {
        Json::Null => "null".to_string(),
        Json::Bool(flag) => flag.to_string(),
        Json::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() && float.is_infinite() => {
                if float > 0.0 { ".inf" } else { "-.inf" }.to_string()
            }
            Some(float) if number.is_f64() && float.is_nan() => ".nan".to_string(),
            _ => number.to_string(),
        },
        Json::String(text) => yaml_string(text),
        Json::Array(_) => "[]".to_string(),
        Json::Object(_) => "{}".to_string(),
    }
}

/// Whether YAML 1.1 (PyYAML's resolver) would read `text` as something
/// other than a string: a boolean, null, a number or a timestamp.
fn resolves_to_other_type(text: &str) -> bool {
    const WORDS: [&str; 8] = ["yes", "no", "true", "false", "on", "off", "null", "~"];
    // The resolver knows each word in lower case, capitalized and in capitals.
    let lower = text.to_ascii_lowercase();
    let capitalized = lower
        .get(..1)
        .map(|first| first.to_ascii_uppercase() + &lower[1..])
        .unwrap_or_default();
    let one_of_the_cases =
        text == lower || text == capitalized || text == text.to_ascii_uppercase();
    if text.is_empty()
        || (one_of_the_cases && WORDS.contains(&lower.as_str()))
        || [".inf", "-.inf", "+.inf", ".nan"].contains(&lower.as_str())
    {
        return true;
    }
    let unsigned = text.trim_start_matches(['-', '+']);
    let digits_and = |allowed: &str| {
        !unsigned.is_empty()
            && unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
            && unsigned
                .chars()
                .all(|c| c.is_ascii_digit() || allowed.contains(c))
    };
    // Integers (with `_`), floats, sexagesimal numbers and dates.
    digits_and("_") || digits_and("_.eE+-") || digits_and("_:") || digits_and("-:T. Zz")
}

/// A string as PyYAML writes it: plain when it reads back as the same
/// string, else single-quoted (double-quoted with escapes when it has
/// line breaks or control characters).
fn yaml_string(text: &str) -> String {
    if text.chars().any(|c| c.is_control() || !c.is_ascii()) {
        let mut out = String::from("\"");
        for character in text.chars() {
            match character {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x100 && (c.is_control() || !c.is_ascii()) => {
                    let _ = write!(out, "\\x{:02X}", c as u32);
                }
                c if (c as u32) < 0x10000 && !c.is_ascii() => {
                    let _ = write!(out, "\\u{:04X}", c as u32);
                }
                c if !c.is_ascii() => {
                    let _ = write!(out, "\\U{:08X}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
        return out;
    }
    let mut characters = text.chars();
    let first = characters.next().unwrap_or(' ');
    // `-`, `?` and `:` are indicators only before a space (or alone).
    let dash_like = "-?:".contains(first) && characters.next().is_none_or(|next| next == ' ');
    let needs_quotes = resolves_to_other_type(text)
        || dash_like
        || ",[]{}#&*!|>'\"%@`".contains(first)
        || text.starts_with(' ')
        || text.ends_with(' ')
        || text.ends_with(':')
        || text.contains(": ")
        || text.contains(" #");
    if needs_quotes {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_pythons() {
        let mut out = String::new();
        let value = serde_json::json!({"b": [1, 2.5, null], "a": "é\"x"});
        write_python_json(&value, false, &mut out);
        assert_eq!(out, r#"{"b": [1, 2.5, null], "a": "\u00e9\"x"}"#);
        out.clear();
        write_python_json(&value, true, &mut out);
        assert!(out.starts_with(r#"{"a""#));
    }

    #[test]
    fn yaml_is_pyyamls() {
        let value = serde_json::json!({"name": "x", "list": [1, "yes", {"k": "v", "j": "a: b"}], "empty": {}, "nested": {"deep": null}});
        assert_eq!(
            python_yaml(&value, false),
            "name: x\nlist:\n- 1\n- 'yes'\n- k: v\n  j: 'a: b'\nempty: {}\nnested:\n  deep: null\n"
        );
        assert_eq!(
            python_yaml(&serde_json::json!("text"), false),
            "text\n...\n"
        );
        assert_eq!(
            python_yaml(&serde_json::json!([[1, 2], 3]), false),
            "- - 1\n  - 2\n- 3\n"
        );
    }
}
