//! `package-lock.yml`: dbt's `sha1_hash` of the declared packages, and the
//! lock file written in the layout of dbt's YAML dumper (keys sorted, list
//! items indented under their key, PyYAML's quoting).

use crate::commands::deps::spec::{python_float_repr, PackageEntry};
use serde_json::Value;
use sha1::{Digest, Sha1};
use std::fmt::Write as _;

/// One installed package as the lock records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LockedSource {
    Local {
        path: String,
    },
    Git {
        url_as_written: String,
        revision: String,
        subdirectory: Option<String>,
    },
    Hub {
        package: String,
        version: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LockedPackage {
    pub(crate) source: LockedSource,
    /// The package's project name (its folder under the install path).
    pub(crate) name: String,
}

/// dbt's `_create_sha1_hash`: each entry's dictionary as `json.dumps(...,
/// sort_keys=True)`, the texts sorted, joined by newlines, SHA-1 in hex.
pub(crate) fn packages_sha1_hash(entries: &[PackageEntry]) -> String {
    let mut texts: Vec<String> = entries
        .iter()
        .map(|entry| {
            let mut text = String::new();
            write_python_json(&entry.hashed, &mut text);
            text
        })
        .collect();
    texts.sort();
    let digest = Sha1::digest(texts.join("\n").as_bytes());
    digest
        .iter()
        .fold(String::with_capacity(40), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// `json.dumps(value, sort_keys=True)` with Python's defaults: `", "` and
/// `": "` separators, non-ASCII escaped as `\uXXXX`.
fn write_python_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() => out.push_str(&python_float_repr(float)),
            _ => out.push_str(&number.to_string()),
        },
        Value::String(text) => write_python_json_string(text, out),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_python_json(item, out);
            }
            out.push(']');
        }
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_python_json_string(key, out);
                out.push_str(": ");
                write_python_json(&object[key], out);
            }
            out.push('}');
        }
    }
}

fn write_python_json_string(text: &str, out: &mut String) {
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

/// The text of `package-lock.yml` as dbt writes it.
pub(crate) fn lock_file_text(packages: &[LockedPackage], sha1_hash: &str) -> String {
    let mut text = String::from("packages:\n");
    if packages.is_empty() {
        text = String::from("packages: []\n");
    }
    for package in packages {
        // Keys in sorted order, as PyYAML's dumper sorts them.
        let mut fields: Vec<(&str, &str)> = vec![("name", &package.name)];
        match &package.source {
            LockedSource::Local { path } => fields.push(("local", path)),
            LockedSource::Git {
                url_as_written,
                revision,
                subdirectory,
            } => {
                fields.push(("git", url_as_written));
                fields.push(("revision", revision));
                if let Some(subdirectory) = subdirectory {
                    fields.push(("subdirectory", subdirectory));
                }
            }
            LockedSource::Hub { package, version } => {
                fields.push(("package", package));
                fields.push(("version", version));
            }
        }
        fields.sort_by_key(|(key, _)| *key);
        for (index, (key, value)) in fields.iter().enumerate() {
            text.push_str(if index == 0 { "  - " } else { "    " });
            text.push_str(key);
            text.push_str(": ");
            text.push_str(&yaml_scalar(value));
            text.push('\n');
        }
    }
    text.push_str("sha1_hash: ");
    text.push_str(sha1_hash);
    text.push('\n');
    text
}

/// A string as PyYAML writes it in block context: plain when it reads back
/// as the same string, else single-quoted.
fn yaml_scalar(text: &str) -> String {
    if plain_is_safe(text) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if "#,[]{}&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if ("-?:".contains(first)) && text.chars().nth(1).is_none_or(char::is_whitespace) {
        return false;
    }
    if text.ends_with(char::is_whitespace)
        || text.ends_with(':')
        || text.contains(": ")
        || text.contains(" #")
        || text.chars().any(|character| character.is_control())
    {
        return false;
    }
    // Texts that YAML 1.1 would read as another type.
    let lowered = text.to_ascii_lowercase();
    let keyword = [
        "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n",
    ]
    .contains(&lowered.as_str());
    !(keyword || reads_as_yaml_number(text.trim_start_matches(['-', '+'])))
}

/// PyYAML's int (`0|[1-9][0-9_]*`, here any digits) and float
/// (`[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?`) forms.
fn reads_as_yaml_number(text: &str) -> bool {
    let is_digits = |part: &str| {
        part.chars()
            .all(|character| character.is_ascii_digit() || character == '_')
    };
    if text.is_empty() {
        return false;
    }
    if is_digits(text) {
        return true;
    }
    let Some((whole, fraction)) = text.split_once('.') else {
        return false;
    };
    let (fraction, exponent) = match fraction.split_once(['e', 'E']) {
        Some((fraction, exponent)) => (fraction, Some(exponent)),
        None => (fraction, None),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        exponent.len() > 1
            && exponent.starts_with(['+', '-'])
            && exponent[1..]
                .chars()
                .all(|character| character.is_ascii_digit())
    });
    !whole.is_empty()
        && whole.starts_with(|character: char| character.is_ascii_digit())
        && is_digits(whole)
        && is_digits(fraction)
        && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::deps::spec::PackageSource;

    fn entry(hashed: Value) -> PackageEntry {
        PackageEntry {
            source: PackageSource::Local {
                path: String::new(),
            },
            hashed,
        }
    }

    /// The texts and hash dbt-core 1.11 computes for the same entries.
    #[test]
    fn hash_matches_dbt() {
        let local = serde_json::json!({"local": "../loc", "unrendered": {"local": "../loc"}});
        let git = serde_json::json!({
            "git": "file:///tmp/dp/repos/pkg_a", "revision": "v1", "subdirectory": null,
            "unrendered": {"git": "file:///tmp/dp/repos/pkg_a", "revision": "v1"},
            "warn-unpinned": null
        });
        let mut text = String::new();
        write_python_json(&git, &mut text);
        assert_eq!(
            text,
            r#"{"git": "file:///tmp/dp/repos/pkg_a", "revision": "v1", "subdirectory": null, "unrendered": {"git": "file:///tmp/dp/repos/pkg_a", "revision": "v1"}, "warn-unpinned": null}"#
        );
        assert_eq!(
            packages_sha1_hash(&[entry(local), entry(git)]),
            "886327950c169cbd63c3e3c40763fe026e46dab5"
        );
        let mut accented = String::new();
        write_python_json(&serde_json::json!({"git": "é😀", "n": 1.0}), &mut accented);
        assert_eq!(accented, r#"{"git": "\u00e9\ud83d\ude00", "n": 1.0}"#);
    }

    #[test]
    fn lock_quotes_what_yaml_would_misread() {
        assert_eq!(yaml_scalar("../loc"), "../loc");
        assert_eq!(
            yaml_scalar("https://github.com/a/b.git"),
            "https://github.com/a/b.git"
        );
        assert_eq!(
            yaml_scalar("{{ env_var('REPO') }}/b.git"),
            "'{{ env_var(''REPO'') }}/b.git'"
        );
        assert_eq!(yaml_scalar("1.0"), "'1.0'");
        assert_eq!(yaml_scalar("1.2.0"), "1.2.0");
        assert_eq!(yaml_scalar("true"), "'true'");
    }
}
