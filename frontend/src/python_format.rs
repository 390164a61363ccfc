//! Python's three string formatters, over JSON values, for settings that
//! dbt adapters fill in with them (dbt-duckdb's `external_location`):
//! `str.format_map` ("newstyle"), `%`-formatting with a mapping
//! ("oldstyle") and `string.Template.substitute` ("template"). Values print
//! as Python's `str()` would print them. Each error names what Python
//! would raise.

use serde_json::{Map, Value};

/// `template.format_map(values)`: `{name}` (also `{name!s}`, `{name!r}`) is
/// replaced, `{{` and `}}` stand for braces.
///
/// Example: `"data/{name}.csv"` with `name = "orders"` gives `data/orders.csv`.
pub fn format_map(template: &str, values: &Map<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(position) = rest.find(['{', '}']) {
        out.push_str(&rest[..position]);
        let brace = rest.as_bytes()[position];
        let after = &rest[position + 1..];
        if after.as_bytes().first() == Some(&brace) {
            out.push(brace as char);
            rest = &after[1..];
            continue;
        }
        if brace == b'}' {
            return Err("has a single `}` (write `}}` for a brace)".to_string());
        }
        let Some(end) = after.find('}') else {
            return Err("has a `{` that is never closed (write `{{` for a brace)".to_string());
        };
        let field = &after[..end];
        let (name, conversion) = match field.split_once('!') {
            Some((name, conversion)) => (name, Some(conversion)),
            None => (field, None),
        };
        if name.contains([':', '.', '[']) {
            return Err(format!(
                "uses `{{{field}}}`: fusionc fills in plain names only"
            ));
        }
        let value = lookup(values, name)?;
        match conversion {
            None | Some("s") => out.push_str(&python_str(value)),
            Some("r") => out.push_str(&python_repr(value)),
            Some(other) => return Err(format!("uses an unknown conversion `!{other}`")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `template % values`: `%(name)s` (also `r`, `d`) is replaced, `%%`
/// stands for a percent sign.
///
/// Example: `"data/%(name)s.csv"` with `name = "orders"` gives `data/orders.csv`.
pub fn percent_format(template: &str, values: &Map<String, Value>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(position) = rest.find('%') {
        out.push_str(&rest[..position]);
        let after = &rest[position + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
            continue;
        }
        let Some(named) = after.strip_prefix('(') else {
            return Err(
                "has a `%` not followed by `(name)` (write `%%` for a percent sign)".to_string(),
            );
        };
        let Some(close) = named.find(')') else {
            return Err("has a `%(` that is never closed".to_string());
        };
        let value = lookup(values, &named[..close])?;
        let tail = &named[close + 1..];
        match tail.chars().next() {
            Some('s') => out.push_str(&python_str(value)),
            Some('r') => out.push_str(&python_repr(value)),
            Some('d') if value.is_i64() || value.is_u64() => out.push_str(&value.to_string()),
            _ => {
                return Err(format!(
                    "uses a conversion after `%({})` that fusionc does not fill in (s, r and d for integers are)",
                    &named[..close]
                ))
            }
        }
        rest = &tail[1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `string.Template(template).substitute(values)`: `$name` and `${name}`
/// are replaced, `$$` stands for a dollar sign.
///
/// Example: `"data/${name}.csv"` with `name = "orders"` gives `data/orders.csv`.
pub fn template_substitute(template: &str, values: &Map<String, Value>) -> Result<String, String> {
    let is_name_start = |c: char| c.is_ascii_alphabetic() || c == '_';
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(position) = rest.find('$') {
        out.push_str(&rest[..position]);
        let after = &rest[position + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(braced) = after.strip_prefix('{') {
            let Some(close) = braced.find('}') else {
                return Err("has a `${` that is never closed".to_string());
            };
            let name = &braced[..close];
            if !name.starts_with(is_name_start) || !name.chars().all(is_name_char) {
                return Err(format!("uses `${{{name}}}`, which is not a name"));
            }
            out.push_str(&python_str(lookup(values, name)?));
            rest = &braced[close + 1..];
        } else if after.starts_with(is_name_start) {
            let end = after
                .find(|c: char| !is_name_char(c))
                .unwrap_or(after.len());
            out.push_str(&python_str(lookup(values, &after[..end])?));
            rest = &after[end..];
        } else {
            return Err(
                "has a `$` not followed by a name (write `$$` for a dollar sign)".to_string(),
            );
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn lookup<'v>(values: &'v Map<String, Value>, name: &str) -> Result<&'v Value, String> {
    values.get(name).ok_or_else(|| {
        let mut known: Vec<&str> = values.keys().map(String::as_str).collect();
        known.sort_unstable();
        format!(
            "names `{name}`, which is not set (KeyError); known: {}",
            known.join(", ")
        )
    })
}

/// Python's `str()` of a value.
fn python_str(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => python_repr(other),
    }
}

/// Python's `repr()` of a value.
fn python_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_string(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() && float.fract() == 0.0 && float.is_finite() => {
                format!("{float:.1}")
            }
            _ => number.to_string(),
        },
        Value::String(text) => python_repr_str(text),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(python_repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(key, value)| format!("{}: {}", python_repr_str(key), python_repr(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Python's `repr()` of a string: in single quotes, or in double quotes
/// when the text has a single quote and no double one; the quote and `\\`
/// escaped, `\\t`, `\\n`, `\\r` by name, other control characters as `\\xNN`.
/// (Python also escapes the few non-ASCII characters it deems unprintable,
/// such as U+00A0 or U+2028; those are escaped here too, the rest of
/// Unicode is kept as it is.)
pub(crate) fn python_repr_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    write_repr_str(text, &mut out);
    out
}

/// [`python_repr_str`], appended to `out`.
pub(crate) fn write_repr_str(text: &str, out: &mut String) {
    // Most texts (names, SQL snippets) need no escape: one look, one copy.
    if text
        .bytes()
        .all(|byte| (b' '..=b'~').contains(&byte) && byte != b'\\' && byte != b'\'')
    {
        out.push('\'');
        out.push_str(text);
        out.push('\'');
        return;
    }
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if character == quote => {
                out.push('\\');
                out.push(character);
            }
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{a0}' | '\u{ad}' => {
                out.push_str(&format!("\\x{:02x}", u32::from(character)));
            }
            '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200f}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(character)));
            }
            _ => out.push(character),
        }
    }
    out.push(quote);
}

/// Appends the form dbt hashes for a generic test's metadata: every
/// mapping's keys sorted, every other leaf turned into its Python `str()`;
/// written with Python's `repr()`.
pub(crate) fn write_hashable(value: &Value, out: &mut String) {
    match value {
        Value::Object(entries) => write_hashable_mapping(
            entries.iter().map(|(key, value)| (key.as_str(), value)),
            out,
        ),
        Value::Array(items) => {
            out.push('[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push_str(", ");
                }
                write_hashable(item, out);
            }
            out.push(']');
        }
        Value::String(text) => write_repr_str(text, out),
        leaf => write_repr_str(&python_str(leaf), out),
    }
}

/// A mapping of [`write_hashable`] given as its entries, in any order.
pub(crate) fn write_hashable_mapping<'a>(
    entries: impl Iterator<Item = (&'a str, &'a Value)>,
    out: &mut String,
) {
    let mut entries: Vec<(&str, &Value)> = entries.collect();
    entries.sort_unstable_by(|left, right| left.0.cmp(right.0));
    out.push('{');
    for (position, (key, value)) in entries.into_iter().enumerate() {
        if position > 0 {
            out.push_str(", ");
        }
        write_repr_str(key, out);
        out.push_str(": ");
        write_hashable(value, out);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Map<String, Value> {
        serde_json::json!({"name": "orders", "n": 3, "tags": ["a", "b"], "flag": true})
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn newstyle_fills_names_and_keeps_doubled_braces() {
        assert_eq!(
            format_map("data/{name}.csv", &values()).as_deref(),
            Ok("data/orders.csv")
        );
        assert_eq!(
            format_map(
                "read_json('{name}.json', columns = {{'a': 'INT'}})",
                &values()
            )
            .as_deref(),
            Ok("read_json('orders.json', columns = {'a': 'INT'})")
        );
        assert_eq!(
            format_map("{tags} {flag} {n} {name!r}", &values()).as_deref(),
            Ok("['a', 'b'] True 3 'orders'")
        );
        assert!(format_map("{missing}", &values()).is_err());
        assert!(format_map("a } b", &values()).is_err());
        assert!(format_map("{name", &values()).is_err());
    }

    #[test]
    fn oldstyle_fills_named_conversions() {
        assert_eq!(
            percent_format("%(name)s_%(n)d 100%%", &values()).as_deref(),
            Ok("orders_3 100%")
        );
        assert!(percent_format("%s", &values()).is_err());
        assert!(percent_format("%(missing)s", &values()).is_err());
    }

    #[test]
    fn template_fills_dollar_names() {
        assert_eq!(
            template_substitute("$name/${name}_x $$", &values()).as_deref(),
            Ok("orders/orders_x $")
        );
        assert!(template_substitute("$1", &values()).is_err());
        assert!(template_substitute("${missing}", &values()).is_err());
    }

    /// Each pair: a string and what Python 3.11's `repr()` prints for it.
    #[test]
    fn strings_repr_as_python_reprs_them() {
        let cases = [
            ("plain", "'plain'"),
            ("it's", "\"it's\""),
            ("say \"hi\"", "'say \"hi\"'"),
            ("both ' and \"", "'both \\' and \"'"),
            ("back\\slash", "'back\\\\slash'"),
            ("tab\tnew\nret\r", "'tab\\tnew\\nret\\r'"),
            ("\u{1}\u{7f}\u{a0}\u{ad}", "'\\x01\\x7f\\xa0\\xad'"),
            ("caf\u{e9} \u{2028} \u{feff}", "'caf\u{e9} \\u2028 \\ufeff'"),
            ("", "''"),
        ];
        for (text, expected) in cases {
            assert_eq!(python_repr_str(text), expected, "{text:?}");
        }
    }

    /// dbt's hashable form: keys sorted at every level, leaves as `str()`.
    #[test]
    fn hashable_metadata_sorts_keys_and_stringifies_leaves() {
        let value = serde_json::json!({"b": [1, null], "a": {"z": true}});
        let mut out = String::new();
        write_hashable(&value, &mut out);
        assert_eq!(out, "{'a': {'z': 'True'}, 'b': ['1', 'None']}");
    }
}
