//! A fast path for the YAML that dbt projects are made of.
//!
//! serde-saphyr reads about 8 MB/s here; a generated 10,000-model project
//! holds 26 MB of schema YAML, which alone would take more than the whole
//! compile budget. dbt YAML is regular: block mappings and sequences, plain
//! and quoted scalars, one-line flow collections, block scalars. This module
//! reads exactly that subset, and returns `None` for anything outside it
//! (anchors, aliases, tags, multi-line plain or quoted scalars, flow
//! collections over several lines, unusual numbers, duplicate keys, tabs...),
//! in which case the caller parses the document with serde-saphyr. For every
//! document it accepts, it gives the same value serde-saphyr gives: the tests
//! compare the two on every YAML file of the repository and on tricky cases.

use serde_json::{Map, Number, Value};

/// Parses `text` if it lies within the fast subset; `None` means "use the
/// full parser" (the document may still be valid YAML).
pub(crate) fn parse_fast(text: &str) -> Option<Value> {
    let mut lines = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        if raw[indent..].starts_with('\t') {
            return None;
        }
        lines.push(Line {
            indent,
            content: &raw[indent..],
        });
    }
    let mut parser = FastParser { lines, position: 0 };
    parser.skip_insignificant();
    if let Some(line) = parser.current() {
        if line.content.trim_end() == "---" && line.indent == 0 {
            parser.position += 1;
        }
    }
    parser.skip_insignificant();
    let value = match parser.current() {
        None => Value::Null,
        Some(line) if line.indent != 0 => return None,
        Some(line) if is_sequence_entry(line.content) => parser.sequence(0)?,
        Some(_) => parser.mapping(0)?,
    };
    parser.skip_insignificant();
    // Anything left over (a second document, text at a lesser indent) is
    // for the full parser to accept or reject.
    parser.current().is_none().then_some(value)
}

#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    content: &'a str,
}

struct FastParser<'a> {
    lines: Vec<Line<'a>>,
    position: usize,
}

fn is_sequence_entry(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

fn is_insignificant(content: &str) -> bool {
    let trimmed = content.trim_end();
    trimmed.is_empty() || trimmed.starts_with('#')
}

impl<'a> FastParser<'a> {
    fn current(&self) -> Option<Line<'a>> {
        self.lines.get(self.position).copied()
    }

    fn skip_insignificant(&mut self) {
        while self
            .current()
            .is_some_and(|line| is_insignificant(line.content))
        {
            self.position += 1;
        }
    }

    /// The value after `key:` with nothing else on its line: a nested
    /// block, a sequence at the key's own indent, or null.
    fn nested_value(&mut self, parent_indent: usize) -> Option<Value> {
        self.position += 1;
        self.skip_insignificant();
        match self.current() {
            Some(line) if line.indent > parent_indent => {
                if is_sequence_entry(line.content) {
                    self.sequence(line.indent)
                } else {
                    self.mapping(line.indent)
                }
            }
            Some(line) if line.indent == parent_indent && is_sequence_entry(line.content) => {
                self.sequence(parent_indent)
            }
            _ => Some(Value::Null),
        }
    }

    fn mapping(&mut self, indent: usize) -> Option<Value> {
        let mut map = Map::new();
        loop {
            self.skip_insignificant();
            let Some(line) = self.current() else { break };
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_sequence_entry(line.content) {
                return None;
            }
            let (key, rest) = split_key(line.content)?;
            let rest = strip_comment(rest)?;
            let value = if rest.is_empty() {
                self.nested_value(indent)?
            } else if rest.starts_with('|') || rest.starts_with('>') {
                self.block_scalar(rest, indent)?
            } else {
                let value = inline_value(rest)?;
                self.position += 1;
                value
            };
            if map.insert(key, value).is_some() {
                return None;
            }
        }
        Some(Value::Object(map))
    }

    fn sequence(&mut self, indent: usize) -> Option<Value> {
        let mut items = Vec::new();
        loop {
            self.skip_insignificant();
            let Some(line) = self.current() else { break };
            if line.indent < indent {
                break;
            }
            if line.indent > indent || !is_sequence_entry(line.content) {
                if line.indent == indent {
                    break;
                }
                return None;
            }
            let after_dash = &line.content[1..];
            let item_text = after_dash.trim_start_matches(' ');
            if is_insignificant(item_text) {
                items.push(self.nested_value(indent)?);
                continue;
            }
            // The item's own content starts further right: read it as if it
            // were a line of its own at that column.
            let item_indent = indent + 1 + (after_dash.len() - item_text.len());
            self.lines[self.position] = Line {
                indent: item_indent,
                content: item_text,
            };
            let item = if is_sequence_entry(item_text) {
                self.sequence(item_indent)?
            } else if looks_like_mapping_entry(item_text) {
                self.mapping(item_indent)?
            } else {
                let rest = strip_comment(item_text)?;
                if rest.starts_with('|') || rest.starts_with('>') {
                    self.block_scalar(rest, indent)?
                } else {
                    let value = inline_value(rest)?;
                    self.position += 1;
                    value
                }
            };
            items.push(item);
        }
        Some(Value::Array(items))
    }

    /// `|`, `|-`, `|+`, `>`, `>-`, `>+`; the content is every following
    /// line indented more than `parent_indent`, and blank lines.
    fn block_scalar(&mut self, header: &str, parent_indent: usize) -> Option<Value> {
        let folded = header.starts_with('>');
        let chomping = match &header[1..] {
            "" => Chomping::Clip,
            "-" => Chomping::Strip,
            "+" => Chomping::Keep,
            _ => return None,
        };
        self.position += 1;
        let start = self.position;
        let mut end = start;
        let mut content_indent = None;
        while let Some(line) = self.lines.get(end) {
            if line.content.trim_end().is_empty() {
                end += 1;
                continue;
            }
            if line.indent <= parent_indent {
                break;
            }
            let expected = *content_indent.get_or_insert(line.indent);
            if line.indent < expected {
                return None;
            }
            if folded && line.indent > expected {
                // More-indented lines keep their breaks in folded scalars:
                // a rule the full parser applies.
                return None;
            }
            end += 1;
        }
        // Trailing blank lines belong to the scalar only for `+` chomping;
        // the position moves past the last content line either way.
        let mut last_content = end;
        while last_content > start && self.lines[last_content - 1].content.trim_end().is_empty() {
            last_content -= 1;
        }
        let content_indent = content_indent.unwrap_or(parent_indent + 1);
        // Each content line without the content indent, and how much deeper
        // than it the line starts (kept as spaces in literal scalars).
        let body: Vec<(&str, usize)> = self.lines[start..last_content]
            .iter()
            .map(|line| {
                if line.content.trim_end().is_empty() {
                    ("", 0)
                } else {
                    (line.content, line.indent - content_indent)
                }
            })
            .collect();
        let trailing_blank_lines = end - last_content;
        self.position = end;
        if body.is_empty() {
            return Some(Value::String(match chomping {
                Chomping::Keep => "\n".repeat(trailing_blank_lines),
                Chomping::Clip | Chomping::Strip => String::new(),
            }));
        }
        let mut text = String::new();
        if folded {
            let mut previous_was_blank = false;
            for (index, (line, _)) in body.iter().enumerate() {
                if line.is_empty() {
                    if index == 0 {
                        return None;
                    }
                    text.push('\n');
                    previous_was_blank = true;
                } else {
                    if index > 0 && !previous_was_blank {
                        text.push(' ');
                    }
                    text.push_str(line.trim_end());
                    previous_was_blank = false;
                }
            }
        } else {
            for (index, (line, extra)) in body.iter().enumerate() {
                if index > 0 {
                    text.push('\n');
                }
                for _ in 0..*extra {
                    text.push(' ');
                }
                text.push_str(line);
            }
        }
        match chomping {
            Chomping::Strip => {}
            Chomping::Clip => text.push('\n'),
            Chomping::Keep => {
                text.push('\n');
                for _ in 0..trailing_blank_lines {
                    text.push('\n');
                }
            }
        }
        Some(Value::String(text))
    }
}

#[derive(Clone, Copy)]
enum Chomping {
    Clip,
    Strip,
    Keep,
}

/// Whether a sequence item's text starts a mapping (`name: x`, `name:`).
fn looks_like_mapping_entry(text: &str) -> bool {
    split_key(text).is_some()
}

/// Splits `key: rest` (or `key:` at the end of the line). Keys are plain
/// words (`name`, `+materialized`, `data_tests`) or quoted strings.
fn split_key(content: &str) -> Option<(String, &str)> {
    if let Some(quote @ ('\'' | '"')) = content.chars().next() {
        let (key, after) = quoted_scalar(content, quote)?;
        let rest = after.strip_prefix(':')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        return Some((key, rest.trim_start_matches(' ')));
    }
    let colon = content.find(':')?;
    let (key, after_key) = content.split_at(colon);
    let rest = &after_key[1..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let mut characters = key.chars();
    let first = characters.next()?;
    let plain_key = (first.is_ascii_alphabetic() || first == '_' || first == '+')
        && characters.all(|character| {
            character.is_ascii_alphanumeric() || matches!(character, '_' | '-' | '.' | '+' | '/')
        });
    // `+materialized` is a plain word to YAML; only the word after the `+`
    // could be mistaken for a boolean, null or number.
    if !plain_key || plain_scalar_needs_full_parser(key.trim_start_matches('+')) {
        return None;
    }
    Some((key.to_string(), rest.trim_start_matches(' ')))
}

/// Removes a trailing `# comment` and white space; `None` when the text
/// holds a quote after which a `#` might or might not start a comment
/// (quoted values are handled before this is called).
fn strip_comment(text: &str) -> Option<&str> {
    let text = text.trim_end();
    if text.starts_with(['\'', '"', '[', '{']) {
        return Some(text);
    }
    let bytes = text.as_bytes();
    for index in 0..bytes.len() {
        if bytes[index] == b'#' && (index == 0 || bytes[index - 1] == b' ') {
            return Some(text[..index].trim_end());
        }
    }
    Some(text)
}

/// A value that fits on its line: a quoted or plain scalar, or a flow
/// collection. The whole text must be consumed (but for a comment).
fn inline_value(text: &str) -> Option<Value> {
    let (value, rest) = flow_or_scalar(text, false)?;
    let rest = rest.trim_start_matches(' ');
    (rest.is_empty() || rest.starts_with('#')).then_some(value)
}

/// Reads one value at the start of `text`; `in_flow` ends plain scalars at
/// `,`, `]` and `}`. Returns the value and the text after it.
fn flow_or_scalar(text: &str, in_flow: bool) -> Option<(Value, &str)> {
    match text.chars().next()? {
        '\'' | '"' => {
            let quote = text.chars().next()?;
            let (value, rest) = quoted_scalar(text, quote)?;
            Some((Value::String(value), rest))
        }
        '[' => flow_sequence(text),
        '{' => flow_mapping(text),
        '&' | '*' | '!' | '|' | '>' | '%' | '@' | '`' | '?' => None,
        '-' if text.len() == 1 || text[1..].starts_with(' ') => None,
        _ => {
            let end = if in_flow {
                text.find([',', ']', '}']).unwrap_or(text.len())
            } else {
                text.len()
            };
            let plain = text[..end].trim_end();
            if plain.contains(": ")
                || plain.ends_with(':')
                || plain.contains(" #")
                || plain.contains('\t')
            {
                return None;
            }
            if in_flow && plain.contains(['[', '{', '\'', '"']) {
                return None;
            }
            Some((plain_scalar(plain)?, &text[end..]))
        }
    }
}

fn flow_sequence(text: &str) -> Option<(Value, &str)> {
    let mut rest = text[1..].trim_start_matches(' ');
    let mut items = Vec::new();
    if let Some(after) = rest.strip_prefix(']') {
        return Some((Value::Array(items), after));
    }
    loop {
        let (item, after) = flow_or_scalar(rest, true)?;
        items.push(item);
        let after = after.trim_start_matches(' ');
        if let Some(next) = after.strip_prefix(',') {
            rest = next.trim_start_matches(' ');
            if let Some(after_close) = rest.strip_prefix(']') {
                return Some((Value::Array(items), after_close));
            }
        } else if let Some(after_close) = after.strip_prefix(']') {
            return Some((Value::Array(items), after_close));
        } else {
            return None;
        }
    }
}

fn flow_mapping(text: &str) -> Option<(Value, &str)> {
    let mut rest = text[1..].trim_start_matches(' ');
    let mut map = Map::new();
    if let Some(after) = rest.strip_prefix('}') {
        return Some((Value::Object(map), after));
    }
    loop {
        let (key, after_key) = if rest.starts_with(['\'', '"']) {
            let quote = rest.chars().next()?;
            quoted_scalar(rest, quote)?
        } else {
            let colon = rest.find(':')?;
            let key = rest[..colon].trim_end();
            if key.is_empty()
                || !key.chars().all(|character| {
                    character.is_ascii_alphanumeric() || "_-.+".contains(character)
                })
                || plain_scalar_needs_full_parser(key)
                || !key.starts_with(|character: char| {
                    character.is_ascii_alphabetic() || character == '_'
                })
            {
                return None;
            }
            (key.to_string(), &rest[colon..])
        };
        let after_colon = after_key.trim_start_matches(' ').strip_prefix(':')?;
        if !after_colon.starts_with(' ') {
            return None;
        }
        let (value, after_value) = flow_or_scalar(after_colon.trim_start_matches(' '), true)?;
        if map.insert(key, value).is_some() {
            return None;
        }
        let after_value = after_value.trim_start_matches(' ');
        if let Some(next) = after_value.strip_prefix(',') {
            rest = next.trim_start_matches(' ');
            if let Some(after_close) = rest.strip_prefix('}') {
                return Some((Value::Object(map), after_close));
            }
        } else if let Some(after_close) = after_value.strip_prefix('}') {
            return Some((Value::Object(map), after_close));
        } else {
            return None;
        }
    }
}

/// A quoted scalar on one line: `'it''s'` or `"a\"b"` with the common escapes.
fn quoted_scalar(text: &str, quote: char) -> Option<(String, &str)> {
    let body = &text[1..];
    let bytes = body.as_bytes();
    let mut value = String::new();
    // Runs between quotes and escapes are copied whole; the quote and `\`
    // are ASCII, so every cut falls between characters.
    let mut run_start = 0;
    loop {
        let rest = &bytes[run_start..];
        let found = if quote == '"' {
            memchr::memchr2(b'"', b'\\', rest)
        } else {
            memchr::memchr(b'\'', rest)
        };
        let index = run_start + found?;
        value.push_str(&body[run_start..index]);
        if bytes[index] == b'\\' {
            value.push(match *bytes.get(index + 1)? {
                b'n' => '\n',
                b't' => '\t',
                b'r' => '\r',
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'0' => '\0',
                _ => return None,
            });
            run_start = index + 2;
        } else if quote == '\'' && bytes.get(index + 1) == Some(&b'\'') {
            value.push('\'');
            run_start = index + 2;
        } else {
            return Some((value, &body[index + 1..]));
        }
    }
}

/// Whether a plain scalar's type is one the fast path does not decide.
fn plain_scalar_needs_full_parser(text: &str) -> bool {
    !matches!(plain_form(text), PlainForm::Word)
}

/// What a plain scalar is, decided without allocating.
enum PlainForm {
    Null,
    Bool(bool),
    /// A string: a word YAML cannot read as anything else.
    Word,
    /// Digits, maybe after a `-`.
    Integer,
    /// Digits, a `.` and digits, maybe after a `-`.
    Decimal,
    /// A form left to the full parser.
    Undecided,
}

fn plain_form(text: &str) -> PlainForm {
    const SPECIAL_WORDS: [(&str, PlainForm); 10] = [
        ("~", PlainForm::Null),
        ("null", PlainForm::Null),
        ("true", PlainForm::Bool(true)),
        ("yes", PlainForm::Bool(true)),
        ("on", PlainForm::Bool(true)),
        ("y", PlainForm::Bool(true)),
        ("false", PlainForm::Bool(false)),
        ("no", PlainForm::Bool(false)),
        ("off", PlainForm::Bool(false)),
        ("n", PlainForm::Bool(false)),
    ];
    let Some(&first) = text.as_bytes().first() else {
        return PlainForm::Null;
    };
    if text.len() <= 5 {
        for (word, form) in SPECIAL_WORDS {
            if text.eq_ignore_ascii_case(word) {
                return form;
            }
        }
    }
    if first.is_ascii_alphabetic() || first == b'_' || first == b'/' || first == b'$' {
        // Words are strings (`.inf` and `.nan` start with a dot, not here).
        return PlainForm::Word;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (integer_part, fraction) = match digits.split_once('.') {
        Some((integer_part, fraction)) => (integer_part, Some(fraction)),
        None => (digits, None),
    };
    let is_digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if !is_digits(integer_part) || (integer_part.len() > 1 && integer_part.starts_with('0')) {
        // Not a number the fast path types with certainty (`12:30`,
        // `2024-01-01`, `017`): the full parser decides.
        return PlainForm::Undecided;
    }
    match fraction {
        None => PlainForm::Integer,
        Some(fraction) if is_digits(fraction) => PlainForm::Decimal,
        Some(_) => PlainForm::Undecided,
    }
}

/// Types a plain scalar as serde-saphyr does, for the forms whose type is
/// certain; `None` for forms left to the full parser (`0x1F`, `017`,
/// `1_000`, `.5`, `+1`, `1e3`, `.inf`...).
fn plain_scalar(text: &str) -> Option<Value> {
    match plain_form(text) {
        PlainForm::Null => Some(Value::Null),
        PlainForm::Bool(value) => Some(Value::Bool(value)),
        PlainForm::Word => Some(Value::String(text.to_string())),
        PlainForm::Integer => {
            let value: i64 = text.parse().ok()?;
            Some(Value::Number(Number::from(value)))
        }
        PlainForm::Decimal => {
            let value: f64 = text.parse().ok()?;
            Number::from_f64(value).map(Value::Number)
        }
        PlainForm::Undecided => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_fast;

    /// The fast path either declines or agrees with serde-saphyr.
    fn agrees(text: &str) -> bool {
        let full: Result<serde_json::Value, _> = serde_saphyr::from_str(text);
        match parse_fast(text) {
            None => true,
            Some(fast) => match full {
                Ok(full) => {
                    assert_eq!(fast, full, "fast path disagrees on:\n{text}");
                    true
                }
                Err(error) => {
                    panic!("fast path accepted what serde-saphyr rejects ({error}):\n{text}")
                }
            },
        }
    }

    #[test]
    fn accepts_typical_dbt_yaml_and_agrees() {
        let text = "version: 2\n\nmodels:\n  - name: orders # the orders\n    description: 'It''s \"quoted\"'\n    config:\n      +materialized: table\n      tags: [a, 'b', \"c d\"]\n      meta: {owner: me, level: 2, flag: yes}\n    columns:\n      - name: id\n        data_tests:\n          - unique\n          - not_null\n          - accepted_values:\n              values: [1, 2.5, -3, null, true, off]\n      - name: note\n        description: |\n          First line\n            indented\n\n          last\n  - name: other\n    description: >-\n      folded\n      text\n\n      para\nsources:\n- name: raw\n  tables:\n  - name: t\n    identifier: \"{{ var('x') }}\"\n";
        assert!(parse_fast(text).is_some());
        assert!(agrees(text));
    }

    #[test]
    fn declines_what_it_does_not_model() {
        for text in [
            "a: &anchor 1\nb: *anchor\n",
            "a: !tag x\n",
            "a: 0x1F\n",
            "a: 017\n",
            "a: 1_000\n",
            "a: 1e3\n",
            "a: .inf\n",
            "a: long\n  plain continued\n",
            "a: [1,\n  2]\n",
            "a: 1\na: 2\n",
            "a:\n\tb: 1\n",
            "- a\n---\n- b\n",
            "a: >1\n  x\n",
            "2024: x\n",
            "a: \"\\u00e9\"\n",
            "a: {on: 1}\n",
        ] {
            assert!(parse_fast(text).is_none(), "should decline:\n{text}");
        }
    }

    #[test]
    fn agrees_on_edge_cases() {
        for text in [
            "",
            "# only a comment\n",
            "---\na: 1\n",
            "a:\n",
            "a:\nb: 2\n",
            "a:\n- 1\n- 2\nb: x\n",
            "- - 1\n  - 2\n- 3\n",
            "- \n  a: 1\n",
            "a: 'x # not a comment'\n",
            "a: x#y\n",
            "a: |+\n  keep\n\n\nb: 1\n",
            "a: |-\n  strip\n\n",
            "a: >\n  one\n  two\n\n\n  three\n",
            "a: 12:30\n",
            "a: 2024-01-01\n",
            "a: -0\n",
            "a: 1.0\n",
            "a: 1.50\n",
            "a: 9223372036854775807\n",
            "a: [ ]\nb: { }\n",
            "a: {x: [1, {y: z}]}\n",
            "a: 'a: b'\n",
            "a: \"tab\\tnewline\\n\"\n",
            "key with space: 1\n",
            "a: - x\n",
            "a: x: y\n",
            "a:\n  - b\n c: 1\n",
            "'quoted key': v\n\"dq key\": w\n",
            "a: True\nb: NULL\nc: ~\nd: Off\n",
            "a: \"say \\\"hi\\\" \\\\ done\"\n",
            "a: 'it''s ''fine'''\nb: ''''\n",
            "a: \"h\u{e9}llo w\u{f6}rld\"\nb: '\u{fc}n\u{ef}'\n",
            "a: \"unterminated\n",
            "a: 'unterminated\n",
            "a: \"bad \\\u{e9} escape\"\n",
            "a: \"ends in a backslash \\",
            "yes: 1\nY: 2\nnull: 3\nnothing: 4\n",
            "a: -1.5\nb: -\nc: 01\nd: _x\ne: $y\nf: /z\n",
        ] {
            assert!(agrees(text));
        }
    }

    /// Every YAML file of the repository (fixtures and the example) parses
    /// to the same value on both paths.
    #[test]
    fn agrees_on_every_yaml_file_of_the_repository() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut stack = vec![root.join("examples"), root.join("tests")];
        let mut checked = 0;
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path
                    .extension()
                    .is_some_and(|extension| extension == "yml" || extension == "yaml")
                {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    assert!(agrees(&text), "{}", path.display());
                    checked += 1;
                }
            }
        }
        assert!(checked >= 10, "found only {checked} YAML files");
    }
}
