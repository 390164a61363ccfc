//! YAML reading for project files: text to `serde_json::Value` with YAML 1.1
//! booleans (`yes`, `on`) as dbt users write them, and FC0002 diagnostics that
//! point at the offending line and column.

use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{FileId, Span};
use serde_json::Value;

/// Parses one YAML document. An empty document is `null`.
#[expect(
    clippy::result_large_err,
    reason = "YAML errors are rare and become diagnostics at once"
)]
pub fn parse_yaml(text: &str, file: FileId) -> Result<Value, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    if let Some(value) = crate::yaml_fast::parse_fast(text) {
        return Ok(value);
    }
    serde_saphyr::from_str::<Value>(text).map_err(|error| {
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
    })
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
        let value = parse_yaml("a: yes\nb: on\nc: 'yes'\n", FileId(0)).unwrap_or_default();
        assert_eq!(value["a"], Value::Bool(true));
        assert_eq!(value["b"], Value::Bool(true));
        assert_eq!(value["c"], Value::String("yes".into()));
        let text = "models:\n  - name: orders\n    columns: [unclosed\n";
        let error = parse_yaml(text, FileId(0)).err();
        assert!(
            error.is_some_and(|error| error.code == Code::YamlSyntax && error.primary.is_some())
        );
    }

    #[test]
    fn errors_after_multibyte_text_point_at_the_right_character() {
        let text = "a: 'ąę’🦆' x\n";
        let span = parse_yaml(text, FileId(0))
            .err()
            .and_then(|error| error.primary)
            .map(|label| label.location.span)
            .unwrap_or_default();
        assert!(text.is_char_boundary(span.start as usize));
        assert_eq!(&text[span.start as usize..], "x\n", "{span:?}");
    }

    #[test]
    fn line_column_offsets() {
        let text = "ab\ncde\n";
        assert_eq!(offset_of_line_column(text, 2, 2), 4);
        assert_eq!(offset_of_line_column(text, 9, 1), text.len());
    }
}
