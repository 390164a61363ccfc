//! `modules.re`: Python's regular expressions over the `fancy-regex` crate
//! (the `regex` crate's engine, with backtracking for what it lacks).
//!
//! The functions (`sub`, `subn`, `search`, `match`, `fullmatch`, `findall`,
//! `finditer`, `split`, `escape`, `compile`), the flags (`re.I`, `re.M`,
//! `re.S`, `re.X`), compiled patterns with the same methods, and match
//! objects (`group`, `groups`, `groupdict`, `start`, `end`, `span`) behave
//! as Python's; no match is `none`. Offsets count characters, as Python's
//! do. Look-around, backreferences and inline flags (`(?ix)`) are Python's;
//! successive matches follow Python's rule for empty matches (one may follow
//! a non-empty match directly, never another empty one at the same place).

use super::python_arguments::{integer, invalid, string, PythonArguments};
use fancy_regex::{Captures, Regex, RegexBuilder};
use minijinja::value::{Object, ObjectRepr, Tuple};
use minijinja::{Error, State, Value};
use rustc_hash::FxHashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

const IGNORECASE: i64 = 2;
const LOCALE: i64 = 4;
const MULTILINE: i64 = 8;
const DOTALL: i64 = 16;
const UNICODE: i64 = 32;
const VERBOSE: i64 = 64;
const ASCII: i64 = 256;

/// `modules.re`.
pub(super) fn re_module() -> Value {
    Value::from_object(ReModule)
}

/// How a search is anchored: `search` (anywhere), `match` (at the start),
/// `fullmatch` (the whole string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Anchoring {
    Anywhere,
    Start,
    Whole,
}

/// Compiles `pattern` with Python's `flags`, through a small cache: templates
/// call `re` in loops with the same few patterns.
fn compile(pattern: &str, flags: i64, anchoring: Anchoring) -> Result<Regex, Error> {
    type Cache = Mutex<FxHashMap<(String, i64, Anchoring), Regex>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    let key = (pattern.to_string(), flags, anchoring);
    if let Some(found) = cache
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
        .get(&key)
    {
        return Ok(found.clone());
    }
    // Python's `\Z` is the end of the string, the crate's `\z`.
    let translated = literal_braces(pattern, flags & VERBOSE != 0).replace(r"\Z", r"\z");
    // A verbose pattern may end in a comment: close the group on a new line.
    let close = if flags & VERBOSE != 0 { "\n)" } else { ")" };
    let anchored = match anchoring {
        Anchoring::Anywhere => translated,
        Anchoring::Start => format!(r"\A(?:{translated}{close}"),
        Anchoring::Whole => format!(r"\A(?:{translated}{close}\z"),
    };
    // The builder takes only case; the other flags are written inline, as
    // a pattern's own `(?ms)` would be.
    let inline: String = [(MULTILINE, 'm'), (DOTALL, 's'), (VERBOSE, 'x')]
        .iter()
        .filter(|(flag, _)| flags & flag != 0)
        .map(|(_, letter)| *letter)
        .collect();
    let flagged = if inline.is_empty() {
        anchored
    } else {
        format!("(?{inline}){anchored}")
    };
    let regex = RegexBuilder::new(&flagged)
        .case_insensitive(flags & IGNORECASE != 0)
        .build()
        .map_err(|error| {
            invalid(format!(
                "re: the pattern '{pattern}' is not supported or not valid: {error}"
            ))
        })?;
    let mut cache = cache.lock().unwrap_or_else(|poison| poison.into_inner());
    if cache.len() >= 512 {
        cache.clear();
    }
    cache.insert(key, regex.clone());
    Ok(regex)
}

/// Python reads a `{` that does not start a repetition (`{2}`, `{2,}`,
/// `{,3}`, `{2,3}`) as a literal brace, where the crate refuses it: escapes
/// such braces, and spells `{,n}` as the crate's `{0,n}`; a `[` inside a
/// class is escaped too (Python's literal, the crate's nested class). Escaped
/// characters, character classes and (in verbose patterns) comments are
/// copied as they are.
fn literal_braces(pattern: &str, verbose: bool) -> String {
    // Python takes global inline flags at the start only: `(?ix)`.
    let inline_flags = pattern
        .strip_prefix("(?")
        .and_then(|rest| rest.split_once(')'))
        .map(|(flags, _)| flags)
        .filter(|flags| flags.bytes().all(|flag| b"aiLmsux".contains(&flag)));
    let verbose = verbose || inline_flags.is_some_and(|flags| flags.contains('x'));
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut index = 0;
    let mut in_class = false;
    while index < bytes.len() {
        let byte = bytes[index];
        match byte {
            b'\\' => {
                let next = pattern[index + 1..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                out.push_str(&pattern[index..index + 1 + next]);
                index += 1 + next;
                continue;
            }
            b'[' if !in_class => {
                // `]` first in a class (after an optional `^`) is literal.
                in_class = true;
                let mut end = index + 1;
                if bytes.get(end) == Some(&b'^') {
                    end += 1;
                }
                if bytes.get(end) == Some(&b']') {
                    end += 1;
                }
                out.push_str(&pattern[index..end]);
                index = end;
                continue;
            }
            b']' if in_class => in_class = false,
            // Python reads `[` in a class as itself; the crate would open
            // a nested class.
            b'[' => {
                out.push_str("\\[");
                index += 1;
                continue;
            }
            b'#' if verbose && !in_class => {
                let end = pattern[index..]
                    .find('\n')
                    .map_or(pattern.len(), |offset| index + offset);
                out.push_str(&pattern[index..end]);
                index = end;
                continue;
            }
            b'{' if !in_class => {
                let rest = &pattern[index + 1..];
                let low_length = rest.bytes().take_while(u8::is_ascii_digit).count();
                let after_low = &rest[low_length..];
                let (high_length, after) = match after_low.strip_prefix(',') {
                    Some(after_comma) => {
                        let length = after_comma.bytes().take_while(u8::is_ascii_digit).count();
                        (Some(length), &after_comma[length..])
                    }
                    None => (None, after_low),
                };
                let repetition =
                    after.starts_with('}') && (low_length > 0 || high_length.is_some());
                if repetition {
                    let low = if low_length == 0 {
                        "0"
                    } else {
                        &rest[..low_length]
                    };
                    out.push('{');
                    out.push_str(low);
                    if let Some(length) = high_length {
                        out.push(',');
                        out.push_str(&rest[low_length + 1..low_length + 1 + length]);
                    }
                    out.push('}');
                    index += 1 + rest.len() - after.len() + 1;
                } else {
                    out.push_str("\\{");
                    index += 1;
                }
                continue;
            }
            b'}' if !in_class => {
                out.push_str("\\}");
                index += 1;
                continue;
            }
            _ => {}
        }
        let length = pattern[index..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&pattern[index..index + length]);
        index += length;
    }
    out
}

/// A failure of the matcher itself (its backtracking limit), as an error.
fn match_error(error: fancy_regex::Error) -> Error {
    invalid(format!("re: the pattern could not be matched: {error}"))
}

/// Every match of `regex` in `text`, left to right, as Python finds them:
/// the search resumes where a match ended, and an empty match is not
/// reported where the previous match, an empty one, was; an empty match
/// right after a non-empty one is (the regex crate's iterators drop it).
fn python_matches<'t>(
    regex: &Regex,
    text: &'t str,
    limit: usize,
) -> Result<Vec<Captures<'t>>, Error> {
    let mut found = Vec::new();
    let mut position = 0;
    let mut empty_not_at = None;
    while position <= text.len() && (limit == 0 || found.len() < limit) {
        let Some(captures) = regex
            .captures_from_pos(text, position)
            .map_err(match_error)?
        else {
            break;
        };
        let Some(whole) = captures.get(0) else {
            break;
        };
        let (start, end) = (whole.start(), whole.end());
        if start == end && empty_not_at == Some(start) {
            // Try again one character on.
            match text[start..].chars().next() {
                Some(character) => position = start + character.len_utf8(),
                None => break,
            }
            continue;
        }
        // After an empty match, the next one may not be empty there too.
        empty_not_at = (start == end).then_some(end);
        position = end;
        found.push(captures);
    }
    Ok(found)
}

/// A pattern argument: text, or a compiled pattern (whose flags then apply).
fn pattern_argument(value: &Value, flags: i64) -> Result<(String, i64), Error> {
    if let Some(compiled) = value.downcast_object_ref::<PatternObject>() {
        return Ok((compiled.pattern.clone(), compiled.flags | flags));
    }
    Ok((string(value, "pattern")?, flags))
}

fn flags_argument(value: Option<Value>) -> Result<i64, Error> {
    let flags = value.map_or(Ok(0), |value| integer(&value, "flags"))?;
    if flags & !(IGNORECASE | LOCALE | MULTILINE | DOTALL | UNICODE | VERBOSE | ASCII) != 0 {
        return Err(invalid(format!("re: unknown flags {flags}")));
    }
    Ok(flags)
}

/// Python's `re.escape`: a backslash before each character that is special
/// in a pattern.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\u{b}\u{c}".contains(character) {
            out.push('\\');
        }
        out.push(character);
    }
    out
}

/// A piece of a replacement template.
enum Replacement {
    Literal(String),
    Group(usize),
}

/// Reads Python's replacement template: `\1`, `\g<1>`, `\g<name>`, and the
/// escapes `\n`, `\t`, `\\`...
fn parse_replacement(template: &str, regex: &Regex) -> Result<Vec<Replacement>, Error> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut characters = template.chars().peekable();
    let group_count = regex.captures_len();
    let check = |index: usize| {
        if index < group_count {
            Ok(index)
        } else {
            Err(invalid(format!("re: invalid group reference {index}")))
        }
    };
    while let Some(character) = characters.next() {
        if character != '\\' {
            literal.push(character);
            continue;
        }
        let group = match characters.next() {
            Some(digit @ '0'..='9') => {
                let mut number = digit.to_digit(10).unwrap_or(0) as usize;
                if let Some(second) = characters.peek().and_then(|next| next.to_digit(10)) {
                    characters.next();
                    number = number * 10 + second as usize;
                }
                Some(check(number)?)
            }
            Some('g') => {
                if characters.next() != Some('<') {
                    return Err(invalid("re: missing < in a \\g<...> group reference"));
                }
                let name: String = characters.by_ref().take_while(|&c| c != '>').collect();
                let index = match name.parse::<usize>() {
                    Ok(index) => check(index)?,
                    Err(_) => regex
                        .capture_names()
                        .position(|candidate| candidate == Some(name.as_str()))
                        .ok_or_else(|| invalid(format!("re: unknown group name '{name}'")))?,
                };
                Some(index)
            }
            Some('n') => {
                literal.push('\n');
                None
            }
            Some('t') => {
                literal.push('\t');
                None
            }
            Some('r') => {
                literal.push('\r');
                None
            }
            Some('f') => {
                literal.push('\u{c}');
                None
            }
            Some('v') => {
                literal.push('\u{b}');
                None
            }
            Some('a') => {
                literal.push('\u{7}');
                None
            }
            Some('\\') => {
                literal.push('\\');
                None
            }
            Some(other) if other.is_ascii_alphabetic() => {
                return Err(invalid(format!(
                    "re: bad escape \\{other} in the replacement"
                )))
            }
            Some(other) => {
                literal.push('\\');
                literal.push(other);
                None
            }
            None => return Err(invalid("re: bad escape (end of the replacement)")),
        };
        if let Some(index) = group {
            if !literal.is_empty() {
                pieces.push(Replacement::Literal(std::mem::take(&mut literal)));
            }
            pieces.push(Replacement::Group(index));
        }
    }
    if !literal.is_empty() {
        pieces.push(Replacement::Literal(literal));
    }
    Ok(pieces)
}

/// The operations of the module and of compiled patterns, after their
/// pattern and flags are known.
struct Operation<'a> {
    pattern: &'a str,
    flags: i64,
}

impl Operation<'_> {
    fn find(&self, anchoring: Anchoring, text: &str) -> Result<Value, Error> {
        let regex = compile(self.pattern, self.flags, anchoring)?;
        Ok(match regex.captures(text).map_err(match_error)? {
            Some(captures) => Value::from_object(MatchObject::new(&regex, &captures, text)),
            None => Value::from(()),
        })
    }

    fn findall(&self, text: &str) -> Result<Value, Error> {
        let regex = compile(self.pattern, self.flags, Anchoring::Anywhere)?;
        let groups = regex.captures_len() - 1;
        let group_text = |captures: &Captures<'_>, index: usize| {
            Value::from(captures.get(index).map_or("", |group| group.as_str()))
        };
        let found: Vec<Value> = python_matches(&regex, text, 0)?
            .iter()
            .map(|captures| match groups {
                0 => group_text(captures, 0),
                1 => group_text(captures, 1),
                _ => Value::from(Tuple::from(
                    (1..=groups)
                        .map(|index| group_text(captures, index))
                        .collect::<Vec<_>>(),
                )),
            })
            .collect();
        Ok(Value::from(found))
    }

    fn finditer(&self, text: &str) -> Result<Value, Error> {
        let regex = compile(self.pattern, self.flags, Anchoring::Anywhere)?;
        let found: Vec<Value> = python_matches(&regex, text, 0)?
            .iter()
            .map(|captures| Value::from_object(MatchObject::new(&regex, captures, text)))
            .collect();
        Ok(Value::from(found))
    }

    fn split(&self, text: &str, max_split: i64) -> Result<Value, Error> {
        let regex = compile(self.pattern, self.flags, Anchoring::Anywhere)?;
        let mut parts = Vec::new();
        let mut last = 0;
        for captures in python_matches(&regex, text, usize::try_from(max_split).unwrap_or(0))? {
            let Some(whole) = captures.get(0) else {
                continue;
            };
            parts.push(Value::from(&text[last..whole.start()]));
            for index in 1..captures.len() {
                parts.push(
                    captures
                        .get(index)
                        .map_or(Value::from(()), |group| Value::from(group.as_str())),
                );
            }
            last = whole.end();
        }
        parts.push(Value::from(&text[last..]));
        Ok(Value::from(parts))
    }

    /// `sub` and `subn`: the new text and the number of replacements.
    fn substitute(
        &self,
        state: &mut State<'_, '_>,
        replacement: &Value,
        text: &str,
        count: i64,
    ) -> Result<(String, usize), Error> {
        let regex = compile(self.pattern, self.flags, Anchoring::Anywhere)?;
        let template = match replacement.as_str() {
            Some(template) => Some(parse_replacement(template, &regex)?),
            None => None,
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut replaced = 0;
        for captures in python_matches(&regex, text, usize::try_from(count).unwrap_or(0))? {
            let Some(whole) = captures.get(0) else {
                continue;
            };
            out.push_str(&text[last..whole.start()]);
            match &template {
                Some(pieces) => {
                    for piece in pieces {
                        match piece {
                            Replacement::Literal(literal) => out.push_str(literal),
                            Replacement::Group(index) => out
                                .push_str(captures.get(*index).map_or("", |group| group.as_str())),
                        }
                    }
                }
                // A callable replacement (a macro) gets the match object.
                None => {
                    let matched = Value::from_object(MatchObject::new(&regex, &captures, text));
                    out.push_str(&replacement.call(state, &[matched])?.to_string());
                }
            }
            last = whole.end();
            replaced += 1;
        }
        out.push_str(&text[last..]);
        Ok((out, replaced))
    }

    /// Runs `function` with the arguments that follow the pattern (Python's
    /// order for the module's functions and for a pattern's methods).
    fn run(
        &self,
        state: &mut State<'_, '_>,
        function: &str,
        arguments: &mut PythonArguments,
        first: usize,
    ) -> Result<Value, Error> {
        let text_at = |arguments: &mut PythonArguments, index: usize| -> Result<String, Error> {
            string(&arguments.require(index, "string")?, "string")
        };
        match function {
            "search" => self.find(Anchoring::Anywhere, &text_at(arguments, first)?),
            "match" => self.find(Anchoring::Start, &text_at(arguments, first)?),
            "fullmatch" => self.find(Anchoring::Whole, &text_at(arguments, first)?),
            "findall" => self.findall(&text_at(arguments, first)?),
            "finditer" => self.finditer(&text_at(arguments, first)?),
            "split" => {
                let text = text_at(arguments, first)?;
                let max_split = arguments
                    .take(first + 1, "maxsplit")?
                    .map_or(Ok(0), |value| integer(&value, "maxsplit"))?;
                self.split(&text, max_split)
            }
            "sub" | "subn" => {
                let replacement = arguments.require(first, "repl")?;
                let text = text_at(arguments, first + 1)?;
                let count = arguments
                    .take(first + 2, "count")?
                    .map_or(Ok(0), |value| integer(&value, "count"))?;
                let (out, replaced) = self.substitute(state, &replacement, &text, count)?;
                Ok(if function == "sub" {
                    Value::from(out)
                } else {
                    Value::from(Tuple::from(vec![Value::from(out), Value::from(replaced)]))
                })
            }
            _ => Err(invalid(format!("re has no function `{function}`"))),
        }
    }
}

/// Where each function of the module takes its `flags` (after the pattern).
fn flags_position(function: &str) -> Option<usize> {
    match function {
        "search" | "match" | "fullmatch" | "findall" | "finditer" => Some(2),
        "split" => Some(3),
        "sub" | "subn" => Some(4),
        _ => None,
    }
}

/// `modules.re`.
#[derive(Debug)]
struct ReModule;

impl Object for ReModule {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(Value::from(match key.as_str()? {
            "I" | "IGNORECASE" => IGNORECASE,
            "L" | "LOCALE" => LOCALE,
            "M" | "MULTILINE" => MULTILINE,
            "S" | "DOTALL" => DOTALL,
            "U" | "UNICODE" => UNICODE,
            "X" | "VERBOSE" => VERBOSE,
            "A" | "ASCII" => ASCII,
            "NOFLAG" => 0,
            _ => return None,
        }))
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("re function", args)?;
        let result = match method {
            "escape" => Value::from(escape(&string(
                &arguments.require(0, "pattern")?,
                "pattern",
            )?)),
            "compile" => {
                let flags = flags_argument(arguments.take(1, "flags")?)?;
                let (pattern, flags) = pattern_argument(&arguments.require(0, "pattern")?, flags)?;
                // Compiled now so that a bad pattern fails where it is written.
                compile(&pattern, flags, Anchoring::Anywhere)?;
                Value::from_object(PatternObject { pattern, flags })
            }
            _ => {
                let position = flags_position(method)
                    .ok_or_else(|| invalid(format!("re has no function `{method}`")))?;
                let flags = flags_argument(arguments.take(position, "flags")?)?;
                let (pattern, flags) = pattern_argument(&arguments.require(0, "pattern")?, flags)?;
                Operation {
                    pattern: &pattern,
                    flags,
                }
                .run(state, method, &mut arguments, 1)?
            }
        };
        arguments.finish()?;
        Ok(result)
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("<module 're'>")
    }
}

/// What `re.compile` returns.
#[derive(Debug)]
struct PatternObject {
    pattern: String,
    flags: i64,
}

impl Object for PatternObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "pattern" => Some(Value::from(self.pattern.clone())),
            "flags" => Some(Value::from(self.flags)),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut arguments = PythonArguments::new("pattern method", args)?;
        let result = Operation {
            pattern: &self.pattern,
            flags: self.flags,
        }
        .run(state, method, &mut arguments, 0)?;
        arguments.finish()?;
        Ok(result)
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "re.compile({:?})", self.pattern)
    }
}

/// A match: the searched text and each group's byte range.
#[derive(Debug)]
struct MatchObject {
    text: Arc<str>,
    groups: Vec<Option<(usize, usize)>>,
    names: Vec<Option<String>>,
}

impl MatchObject {
    fn new(regex: &Regex, captures: &Captures<'_>, text: &str) -> MatchObject {
        MatchObject {
            text: Arc::from(text),
            groups: (0..captures.len())
                .map(|index| {
                    captures
                        .get(index)
                        .map(|group| (group.start(), group.end()))
                })
                .collect(),
            names: regex
                .capture_names()
                .map(|name| name.map(str::to_string))
                .collect(),
        }
    }

    /// The index of a group given by number or by name.
    fn index_of(&self, group: &Value) -> Result<usize, Error> {
        if let Some(name) = group.as_str() {
            return self
                .names
                .iter()
                .position(|candidate| candidate.as_deref() == Some(name))
                .ok_or_else(|| invalid(format!("no such group: '{name}'")));
        }
        usize::try_from(integer(group, "group")?)
            .ok()
            .filter(|index| *index < self.groups.len())
            .ok_or_else(|| invalid("no such group"))
    }

    fn group_text(&self, index: usize, default: &Value) -> Value {
        match self.groups.get(index).copied().flatten() {
            Some((start, end)) => Value::from(&self.text[start..end]),
            None => default.clone(),
        }
    }

    /// A byte offset as Python's character offset.
    fn characters_before(&self, offset: usize) -> i64 {
        self.text[..offset].chars().count() as i64
    }

    fn span(&self, group: Option<Value>) -> Result<(i64, i64), Error> {
        let index = group.map_or(Ok(0), |group| self.index_of(&group))?;
        Ok(match self.groups[index] {
            Some((start, end)) => (self.characters_before(start), self.characters_before(end)),
            None => (-1, -1),
        })
    }
}

impl Object for MatchObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        // `m[1]` and `m['name']` are `m.group(...)`; `m.string` the text.
        if key.as_str() == Some("string") {
            return Some(Value::from(&*self.text));
        }
        let index = self.index_of(key).ok()?;
        Some(self.group_text(index, &Value::from(())))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let none = Value::from(());
        match method {
            "group" => {
                // `group(*groups)` takes no keywords.
                let indices = if args.is_empty() {
                    vec![0]
                } else {
                    args.iter()
                        .map(|group| self.index_of(group))
                        .collect::<Result<Vec<_>, _>>()?
                };
                let mut texts: Vec<Value> = indices
                    .iter()
                    .map(|index| self.group_text(*index, &none))
                    .collect();
                Ok(if texts.len() == 1 {
                    texts.remove(0)
                } else {
                    Value::from(Tuple::from(texts))
                })
            }
            "groups" | "groupdict" => {
                let mut arguments = PythonArguments::new(
                    if method == "groups" {
                        "groups"
                    } else {
                        "groupdict"
                    },
                    args,
                )?;
                let default = arguments.take(0, "default")?.unwrap_or_default();
                let default = if default.is_undefined() {
                    none
                } else {
                    default
                };
                arguments.finish()?;
                if method == "groups" {
                    let texts: Vec<Value> = (1..self.groups.len())
                        .map(|index| self.group_text(index, &default))
                        .collect();
                    return Ok(Value::from(Tuple::from(texts)));
                }
                Ok(Value::from_pairs(self.names.iter().enumerate().filter_map(
                    |(index, name)| {
                        name.as_ref()
                            .map(|name| (name.clone(), self.group_text(index, &default)))
                    },
                )))
            }
            "start" | "end" | "span" => {
                let mut arguments = PythonArguments::new("span", args)?;
                let group = arguments.take(0, "group")?;
                arguments.finish()?;
                let (start, end) = self.span(group)?;
                Ok(match method {
                    "start" => Value::from(start),
                    "end" => Value::from(end),
                    _ => Value::from(Tuple::from(vec![Value::from(start), Value::from(end)])),
                })
            }
            _ => Err(invalid(format!("re.Match has no method `{method}`"))),
        }
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (start, end) = self.span(None).unwrap_or((-1, -1));
        let matched = self.group_text(0, &Value::from(""));
        write!(
            formatter,
            "<re.Match object; span=({start}, {end}), match={}>",
            crate::python_format::python_repr_str(matched.as_str().unwrap_or_default())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_is_pythons() {
        assert_eq!(escape("a.b*c d_e"), r"a\.b\*c\ d_e");
    }

    #[test]
    fn replacement_templates_read_groups_and_escapes() {
        let regex = compile(r"(?P<word>\w+)-(\d+)", 0, Anchoring::Anywhere);
        let Ok(regex) = regex else {
            panic!("the pattern compiles");
        };
        let pieces = parse_replacement(r"\2:\g<word>\n\g<0>", &regex).unwrap_or_default();
        let described: Vec<String> = pieces
            .iter()
            .map(|piece| match piece {
                Replacement::Literal(text) => format!("{text:?}"),
                Replacement::Group(index) => format!("#{index}"),
            })
            .collect();
        assert_eq!(described, ["#2", "\":\"", "#1", "\"\\n\"", "#0"]);
        assert!(parse_replacement(r"\3", &regex).is_err());
    }
}
