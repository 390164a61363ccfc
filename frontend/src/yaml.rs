//! YAML reading for project files: text to `serde_json::Value` with YAML 1.1
//! booleans (`yes`, `on`) as dbt users write them, FC0002 diagnostics that
//! point at the offending line and column, and FC0024 warnings for keys a
//! mapping holds twice (the last value is kept, as PyYAML keeps it for dbt).

use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{FileId, Span};
use rustc_hash::FxHashMap;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;

/// Parses one YAML document. An empty document is `null`. A key that a
/// mapping holds twice keeps its last value and adds an FC0024 warning to
/// `warnings`, pointing at the second key.
#[expect(
    clippy::result_large_err,
    reason = "YAML errors are rare and become diagnostics at once"
)]
pub fn parse_yaml(
    text: &str,
    file: FileId,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Value, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    // The fast path declines documents with a duplicate key.
    if let Some(value) = crate::yaml_fast::parse_fast(text) {
        return Ok(value);
    }
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::PassThrough,
    };
    let parsed = serde_saphyr::from_str_with_options::<TrackedValue>(text, options);
    let TrackedValue { value, duplicates } = parsed.map_err(|error| {
        let (message, span) = match error.location() {
            Some(location) => {
                let offset = offset_of_line_column(text, location.line(), location.column());
                (
                    first_line(&error.to_string()),
                    Span::from_range(offset..offset),
                )
            }
            None => (first_line(&error.to_string()), Span::EMPTY),
        };
        Diagnostic::new(Code::YamlSyntax, format!("invalid YAML: {message}"))
            .with_primary(file, span, "here")
    })?;
    for duplicate in duplicates {
        warnings.push(duplicate_key_warning(text, file, &duplicate));
    }
    Ok(value)
}

/// A key that a mapping holds again: where it was first written and where
/// again.
struct DuplicateKey {
    key: String,
    first: serde_saphyr::Location,
    again: serde_saphyr::Location,
}

/// The span of a key as written (quotes included) when the parser says how
/// long it is and that falls on characters; else an empty span at its start.
fn key_span(text: &str, location: &serde_saphyr::Location) -> Span {
    let start = offset_of_line_column(text, location.line(), location.column());
    let end = location
        .span()
        .byte_len()
        .and_then(|length| usize::try_from(length).ok())
        .map(|length| start + length)
        .filter(|&end| text.get(start..end).is_some())
        .unwrap_or(start);
    Span::from_range(start..end)
}

fn duplicate_key_warning(text: &str, file: FileId, duplicate: &DuplicateKey) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateYamlKey,
        format!(
            "the key `{}` is written again in the same mapping; the last value is kept",
            duplicate.key
        ),
    )
    .with_primary(file, key_span(text, &duplicate.again), "written again here")
    .with_secondary(file, key_span(text, &duplicate.first), "first written here")
    .with_help("remove one of the two (dbt keeps the last one without a word)")
}

/// A document's value and the keys its mappings hold twice.
struct TrackedValue {
    value: Value,
    duplicates: Vec<DuplicateKey>,
}

impl<'de> serde::Deserialize<'de> for TrackedValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let duplicates = RefCell::new(Vec::new());
        let value = ValueSeed {
            duplicates: &duplicates,
        }
        .deserialize(deserializer)?;
        Ok(TrackedValue {
            value,
            duplicates: duplicates.into_inner(),
        })
    }
}

/// Reads any YAML value into a `serde_json::Value`, as `Value`'s own
/// `Deserialize` does, and notes the keys a mapping holds twice (serde-saphyr
/// passes them through, and the last value wins as in PyYAML).
#[derive(Clone, Copy)]
struct ValueSeed<'a> {
    duplicates: &'a RefCell<Vec<DuplicateKey>>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_i128<E: serde::de::Error>(self, value: i128) -> Result<Value, E> {
        serde::Deserialize::deserialize(serde::de::value::I128Deserializer::<E>::new(value))
            .map(Value::Number)
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u128<E: serde::de::Error>(self, value: u128) -> Result<Value, E> {
        serde::Deserialize::deserialize(serde::de::value::U128Deserializer::<E>::new(value))
            .map(Value::Number)
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(sequence.size_hint().unwrap_or(0));
        while let Some(item) = sequence.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut mapping: A) -> Result<Value, A::Error> {
        let mut values = Map::new();
        let mut first_written: FxHashMap<String, serde_saphyr::Location> = FxHashMap::default();
        while let Some(key) = mapping.next_key::<serde_saphyr::Spanned<String>>()? {
            let value = mapping.next_value_seed(self)?;
            // `insert` keeps the first key's place and takes the last value,
            // as a Python dict does.
            if values.insert(key.value.clone(), value).is_some() {
                let first = first_written
                    .get(&key.value)
                    .copied()
                    .unwrap_or(key.referenced);
                self.duplicates.borrow_mut().push(DuplicateKey {
                    key: key.value,
                    first,
                    again: key.referenced,
                });
            } else {
                first_written.insert(key.value, key.referenced);
            }
        }
        Ok(Value::Object(values))
    }
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The byte offset of a 1-based line and column (columns count characters).
pub fn offset_of_line_column(text: &str, line: u64, column: u64) -> usize {
    let mut offset = 0usize;
    for (index, line_text) in text.split_inclusive('\n').enumerate() {
        if index as u64 + 1 == line {
            let column_offset: usize = line_text
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(char::len_utf8)
                .sum();
            return offset + column_offset.min(line_text.trim_end_matches('\n').len());
        }
        offset += line_text.len();
    }
    text.len()
}

/// The span of the first `key:` in `text` at or after `from`, or an empty
/// span at `from`: used to point FC0003 shape errors near their key.
pub fn find_key_span(text: &str, key: &str, from: usize) -> Span {
    let from = from.min(text.len());
    if key.is_empty() {
        // An empty key is found everywhere and moves the search nowhere.
        return Span::from_range(from..from);
    }
    let mut search_from = from;
    while let Some(found) = text
        .get(search_from..)
        .and_then(|rest| crate::text_search::find(rest, key))
    {
        let start = search_from + found;
        let end = start + key.len();
        let preceded_ok = start == 0
            || matches!(
                text.as_bytes()[start - 1],
                b' ' | b'\n' | b'\t' | b'-' | b'{' | b',' | b'"' | b'\''
            );
        let followed_ok = text[end..]
            .trim_start_matches(['"', '\'', ' '])
            .starts_with(':');
        if preceded_ok && followed_ok {
            return Span::from_range(start..end);
        }
        search_from = end;
    }
    Span::from_range(from..from)
}

/// Mappings with at most this many keys are searched by scanning.
const SCAN_LIMIT: usize = 12;

/// `object.get(key)` for the small mappings of YAML and configs (a column,
/// a test, a node's config hold a handful of keys): comparing a few short
/// keys costs less than hashing one with serde_json's SipHash, which every
/// `get` does.
pub fn field<'a>(object: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    if object.len() <= SCAN_LIMIT {
        object
            .iter()
            .find_map(|(name, value)| (name == key).then_some(value))
    } else {
        object.get(key)
    }
}

/// Renders a JSON value's scalar as dbt users would read it in a message.
pub fn describe_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_finds_what_get_finds_in_small_and_large_mappings() {
        for size in [0usize, 1, 5, SCAN_LIMIT, SCAN_LIMIT + 1, 40] {
            let object: serde_json::Map<String, Value> = (0..size)
                .map(|index| (format!("key_{index}"), Value::from(index)))
                .collect();
            for index in 0..size + 2 {
                let key = format!("key_{index}");
                assert_eq!(field(&object, &key), object.get(&key), "{size} {key}");
            }
            assert_eq!(field(&object, "key_"), None);
        }
    }

    #[test]
    fn yaml_11_booleans_and_errors_with_location() {
        let value =
            parse_yaml("a: yes\nb: on\nc: 'yes'\n", FileId(0), &mut Vec::new()).unwrap_or_default();
        assert_eq!(value["a"], Value::Bool(true));
        assert_eq!(value["b"], Value::Bool(true));
        assert_eq!(value["c"], Value::String("yes".into()));
        let text = "models:\n  - name: orders\n    columns: [unclosed\n";
        let error = parse_yaml(text, FileId(0), &mut Vec::new()).err();
        assert!(
            error.is_some_and(|error| error.code == Code::YamlSyntax && error.primary.is_some())
        );
    }

    #[test]
    fn errors_after_multibyte_text_point_at_the_right_character() {
        let text = "a: 'ąę’🦆' x\n";
        let span = parse_yaml(text, FileId(0), &mut Vec::new())
            .err()
            .and_then(|error| error.primary)
            .map(|label| label.location.span)
            .unwrap_or_default();
        assert!(text.is_char_boundary(span.start as usize));
        assert_eq!(&text[span.start as usize..], "x\n", "{span:?}");
    }

    /// The warnings of `text` as `(code, key as written, message)`, and its value.
    fn duplicates(text: &str) -> (Value, Vec<(Code, String, String)>) {
        let mut warnings = Vec::new();
        let value = parse_yaml(text, FileId(0), &mut warnings).unwrap_or_default();
        let found = warnings
            .into_iter()
            .map(|warning| {
                let written = warning
                    .primary
                    .map(|label| text[label.location.span.range()].to_string())
                    .unwrap_or_default();
                (warning.code, written, warning.message)
            })
            .collect();
        (value, found)
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_warn_at_the_second_key() {
        let (value, found) = duplicates("a: 1\nb: 2\na: 3\n");
        assert_eq!(value, serde_json::json!({"a": 3, "b": 2}));
        // The first key's place, as a Python dict keeps it.
        assert_eq!(
            value
                .as_object()
                .map(|map| map.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Code::DuplicateYamlKey);
        assert_eq!(found[0].1, "a");
        let mut warnings = Vec::new();
        let _ = parse_yaml("a: 1\nb: 2\n'a': 3\n", FileId(0), &mut warnings);
        let labels: Vec<(u32, u32)> = warnings
            .iter()
            .flat_map(|warning| warning.primary.iter().chain(&warning.secondary))
            .map(|label| (label.location.span.start, label.location.span.end))
            .collect();
        assert_eq!(
            labels,
            [(10, 13), (0, 1)],
            "the quoted key again, the first"
        );

        let text = "models:\n  - name: x\n    config:\n      \"é’\": 1\n      é’: {k: 1, k: 2}\n    name: second\n";
        let (value, found) = duplicates(text);
        assert_eq!(value["models"][0]["name"], "second");
        assert_eq!(
            value["models"][0]["config"]["é’"],
            serde_json::json!({"k": 2})
        );
        let written: Vec<&str> = found
            .iter()
            .map(|(_, written, _)| written.as_str())
            .collect();
        assert_eq!(written, ["k", "é’", "name"]);

        // Three times: two warnings, the last value.
        let (value, found) = duplicates("- {a: 1, a: 2, a: 3}\n");
        assert_eq!(value, serde_json::json!([{"a": 3}]));
        assert_eq!(found.len(), 2);
        // No duplicate, no warning (on the fast path and off it).
        assert!(duplicates("a: 1\nb: &x 2\nc: *x\n").1.is_empty());
        assert!(duplicates("a: 1\nb: 2\n").1.is_empty());
    }

    /// Off the fast path, documents without a duplicate key read as
    /// serde-saphyr reads them into a `Value`.
    #[test]
    fn full_parser_agrees_with_serde_saphyr() {
        for text in [
            "a: &x {b: [1, 2.5, -3, .inf, 0x1F, 1e3, 017, ~, yes, 'q']}\nc: *x\n",
            "1: one\ntrue: t\nnull: n\n2.5: f\n",
            "a: |\n  text\n   more\nb: >-\n  folded\n  line\n",
            "- !!str 12\n- 99999999999999999999999\n- -99999999999999999999999\n",
            "a: long\n  plain continued\n",
            "base: &base {x: 1}\nderived:\n  <<: *base\n  y: 2\n",
            "a: \"\\u00e9 \\U0001F986\"\n",
        ] {
            let expected: Result<Value, _> = serde_saphyr::from_str(text);
            let mut warnings = Vec::new();
            let ours = parse_yaml(text, FileId(0), &mut warnings);
            match expected {
                Ok(expected) => assert_eq!(ours.ok(), Some(expected), "{text}"),
                Err(_) => assert!(ours.is_err(), "{text}"),
            }
            assert!(warnings.is_empty(), "{text}");
        }
    }

    #[test]
    fn key_spans() {
        let text = "a: 1\nprofile: x\n";
        assert_eq!(find_key_span(text, "profile", 0), Span::from_range(5..12));
        assert_eq!(find_key_span(text, "missing", 2), Span::from_range(2..2));
        assert_eq!(find_key_span(text, "", 3), Span::from_range(3..3));
    }

    #[test]
    fn line_column_offsets() {
        let text = "ab\ncde\n";
        assert_eq!(offset_of_line_column(text, 2, 2), 4);
        assert_eq!(offset_of_line_column(text, 9, 1), text.len());
    }
}
