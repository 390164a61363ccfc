//! Mutable lists and dicts for templates.
//!
//! dbt's Jinja is Python's: `{% set cols = [] %}{% do cols.append(c) %}` and
//! `{% do d.update({...}) %}` mutate in place, and real packages rely on it.
//! minijinja's values are immutable, so list and dict literals assigned with
//! `{% set %}` are rewritten (see [`rewrite_mutable_literals`]) to go through
//! `__fusion_mutable(...)`, which returns host objects that behave as a
//! sequence or a map and also accept Python's mutating methods. Other
//! methods (`items`, `keys`, `get`, ...) fall through to minijinja-contrib's
//! pycompat callback.

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use minijinja::{Error, ErrorKind, State};
use std::sync::{Arc, Mutex, MutexGuard};

/// The global function the rewrite calls.
pub(crate) const MUTABLE_FUNCTION: &str = "__fusion_mutable";

/// Python's methods on values minijinja has no method for: `list.index`
/// and `list.count` on any sequence (not only the mutable lists of `set`),
/// then minijinja-contrib's Python compatibility.
pub(crate) fn unknown_method(
    state: &mut minijinja::State,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if value.kind() == minijinja::value::ValueKind::Seq && matches!(method, "index" | "count") {
        if let Ok(items) = value.try_iter() {
            arity(method, args, 1)?;
            let items: Vec<Value> = items.collect();
            return if method == "count" {
                Ok(Value::from(
                    items.iter().filter(|item| *item == &args[0]).count(),
                ))
            } else {
                items
                    .iter()
                    .position(|item| item == &args[0])
                    .map(Value::from)
                    .ok_or_else(|| {
                        Error::new(ErrorKind::InvalidOperation, "list.index(x): x not in list")
                    })
            };
        }
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

/// Wraps a list or map value into its mutable host object; other values pass through.
pub(crate) fn make_mutable(value: Value) -> Value {
    match value.kind() {
        minijinja::value::ValueKind::Seq => match value.try_iter() {
            Ok(items) => Value::from_object(MutableList(Mutex::new(items.collect()))),
            Err(_) => value,
        },
        minijinja::value::ValueKind::Map => match value.try_iter() {
            Ok(keys) => {
                let entries = keys
                    .map(|key| {
                        let item = value.get_item(&key).unwrap_or_default();
                        (key, item)
                    })
                    .collect();
                Value::from_object(MutableMap(Mutex::new(entries)))
            }
            Err(_) => value,
        },
        _ => value,
    }
}

/// A list or dict a literal made, as the fresh mutable Python list or
/// dict it is once a mutable container holds it: after
/// `{% do d.update({k: []}) %}`, `d[k].append(x)` mutates it. Host objects
/// (relations, mutable values already) are kept as they are.
pub(crate) fn literal_as_mutable(value: Value) -> Value {
    let literal = value.downcast_object_ref::<Vec<Value>>().is_some()
        || value
            .downcast_object_ref::<indexmap::IndexMap<Value, Value>>()
            .is_some()
        || value
            .downcast_object_ref::<std::collections::BTreeMap<Value, Value>>()
            .is_some();
    if literal {
        make_mutable(value)
    } else {
        value
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn arity(method: &str, args: &[Value], count: usize) -> Result<(), Error> {
    if args.len() == count {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{method}() takes {count} argument(s), {} given", args.len()),
        ))
    }
}

/// A Python-like list.
#[derive(Debug)]
pub(crate) struct MutableList(Mutex<Vec<Value>>);

impl Object for MutableList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = lock(&self.0);
        let index = i64::try_from(key.clone()).ok()?;
        let resolved = if index < 0 {
            items.len() as i64 + index
        } else {
            index
        };
        usize::try_from(resolved)
            .ok()
            .and_then(|index| items.get(index).cloned())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(lock(&self.0).clone())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut items = lock(&self.0);
        match method {
            "append" => {
                arity(method, args, 1)?;
                items.push(literal_as_mutable(args[0].clone()));
                Ok(Value::from(()))
            }
            "extend" => {
                arity(method, args, 1)?;
                items.extend(args[0].try_iter()?);
                Ok(Value::from(()))
            }
            "insert" => {
                arity(method, args, 2)?;
                let index = usize::try_from(i64::try_from(args[0].clone())?.max(0)).unwrap_or(0);
                let position = index.min(items.len());
                items.insert(position, literal_as_mutable(args[1].clone()));
                Ok(Value::from(()))
            }
            "pop" => {
                let index = match args.first() {
                    Some(index) => {
                        let index = i64::try_from(index.clone())?;
                        if index < 0 {
                            items.len() as i64 + index
                        } else {
                            index
                        }
                    }
                    None => items.len() as i64 - 1,
                };
                match usize::try_from(index)
                    .ok()
                    .filter(|index| *index < items.len())
                {
                    Some(index) => Ok(items.remove(index)),
                    None => Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "pop from empty list or index out of range",
                    )),
                }
            }
            "remove" => {
                arity(method, args, 1)?;
                match items.iter().position(|item| item == &args[0]) {
                    Some(position) => {
                        items.remove(position);
                        Ok(Value::from(()))
                    }
                    None => Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "list.remove(x): x not in list",
                    )),
                }
            }
            "index" => {
                arity(method, args, 1)?;
                items
                    .iter()
                    .position(|item| item == &args[0])
                    .map(Value::from)
                    .ok_or_else(|| {
                        Error::new(ErrorKind::InvalidOperation, "list.index(x): x not in list")
                    })
            }
            "count" => {
                arity(method, args, 1)?;
                Ok(Value::from(
                    items.iter().filter(|item| *item == &args[0]).count(),
                ))
            }
            "reverse" => {
                items.reverse();
                Ok(Value::from(()))
            }
            "clear" => {
                items.clear();
                Ok(Value::from(()))
            }
            "copy" => Ok(Value::from_object(MutableList(Mutex::new(items.clone())))),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// A Python-like dict, keeping insertion order.
#[derive(Debug)]
pub(crate) struct MutableMap(Mutex<Vec<(Value, Value)>>);

impl MutableMap {
    fn insert(entries: &mut Vec<(Value, Value)>, key: Value, value: Value) {
        match entries.iter_mut().find(|(existing, _)| existing == &key) {
            Some(entry) => entry.1 = value,
            None => entries.push((key, value)),
        }
    }
}

impl Object for MutableMap {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        lock(&self.0)
            .iter()
            .find(|(existing, _)| existing == key)
            .map(|(_, value)| value.clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(lock(&self.0).iter().map(|(key, _)| key.clone()).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let mut entries = lock(&self.0);
        match method {
            "update" => {
                arity(method, args, 1)?;
                let other = &args[0];
                for key in other.try_iter()? {
                    let value = literal_as_mutable(other.get_item(&key)?);
                    MutableMap::insert(&mut entries, key, value);
                }
                Ok(Value::from(()))
            }
            "pop" => {
                let Some(key) = args.first() else {
                    return arity(method, args, 1).map(|_| Value::from(()));
                };
                match entries.iter().position(|(existing, _)| existing == key) {
                    Some(position) => Ok(entries.remove(position).1),
                    None => args.get(1).cloned().ok_or_else(|| {
                        Error::new(
                            ErrorKind::InvalidOperation,
                            format!("key {key} not in dict"),
                        )
                    }),
                }
            }
            "setdefault" => {
                let Some(key) = args.first() else {
                    return arity(method, args, 1).map(|_| Value::from(()));
                };
                if let Some((_, value)) = entries.iter().find(|(existing, _)| existing == key) {
                    return Ok(value.clone());
                }
                let value = literal_as_mutable(args.get(1).cloned().unwrap_or_default());
                entries.push((key.clone(), value.clone()));
                Ok(value)
            }
            "clear" => {
                entries.clear();
                Ok(Value::from(()))
            }
            "copy" => Ok(Value::from_object(MutableMap(Mutex::new(entries.clone())))),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// Rewrites `{% set name = [..] %}` and `{% set name = {..} %}` (the whole
/// value a list or dict literal) to `{% set name = __fusion_mutable([..]) %}`.
/// Only the inside of those tags changes, on the same line, so template
/// line numbers and the literal text the source map aligns stay as they were.
pub(crate) fn rewrite_mutable_literals(text: &str) -> Option<String> {
    // Python's unary plus (`interval = +1`), which minijinja does not
    // parse, becomes a space: the text keeps its length and offsets.
    let without_unary_plus = blank_unary_plus(text);
    let text = without_unary_plus.as_deref().unwrap_or(text);
    let values = wrapped_values(text);
    if values.is_empty() {
        return without_unary_plus;
    }
    let mut output = String::with_capacity(text.len() + values.len() * (WRAP_PREFIX_LENGTH + 1));
    let mut copied_up_to = 0;
    for (value, function) in values {
        output.push_str(&text[copied_up_to..value.start]);
        output.push_str(function);
        output.push('(');
        if function.starts_with('.') {
            // `x - y` becomes `x .__sub__( y)`: the operator is blanked.
            output.push(' ');
            output.push_str(&text[value.start + 1..value.end]);
        } else {
            output.push_str(&text[value.clone()]);
        }
        output.push(')');
        copied_up_to = value.end;
    }
    output.push_str(&text[copied_up_to..]);
    Some(output)
}

/// What `{% do call() if condition %}` becomes: `{% do
/// __fusion_do(call() if condition) %}`. Jinja2 takes any expression after
/// `do`; minijinja only a call, so the conditional is handed to this
/// function, which ignores the value (the call ran, or the condition was
/// false and nothing did).
pub(crate) const DO_FUNCTION: &str = "__fusion_do";

/// The function [`DO_FUNCTION`] names.
pub(crate) fn discard(_value: minijinja::value::Rest<Value>) -> Value {
    Value::from("")
}

/// `text` with each unary `+` inside a Jinja tag replaced by a space, or
/// `None` when it has none. A `+` is unary where an operand cannot end
/// before it: after an opening bracket, a comma, `=`, `:`, another
/// operator, a keyword operator or the tag's start. String literals are
/// skipped.
fn blank_unary_plus(text: &str) -> Option<String> {
    if !text.contains('+') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut blanked: Vec<usize> = Vec::new();
    let mut search_from = 0;
    while let Some(found) = crate::text_search::find(&text[search_from..], "{") {
        let open = search_from + found;
        let close_marker = match bytes.get(open + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                search_from = open + 1;
                continue;
            }
        };
        let inner_start = open + 2;
        let Some(close) = text[inner_start..].find(close_marker) else {
            break;
        };
        let inner_end = inner_start + close;
        let mut previous_is_operand = false;
        let mut word_start: Option<usize> = None;
        let mut index = inner_start;
        while index < inner_end {
            let byte = bytes[index];
            if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.' {
                word_start.get_or_insert(index);
                index += 1;
                continue;
            }
            if let Some(start) = word_start.take() {
                let word = &text[start..index];
                previous_is_operand = !matches!(
                    word,
                    "and" | "or" | "not" | "in" | "is" | "if" | "else" | "return" | "do" | "set"
                );
            }
            match byte {
                b'\'' | b'"' => {
                    let end = text[index + 1..inner_end]
                        .find(byte as char)
                        .map_or(inner_end, |offset| index + 1 + offset + 1);
                    index = end;
                    previous_is_operand = true;
                    continue;
                }
                b' ' | b'\t' | b'\n' | b'\r' | b'-' if byte != b'-' || index == inner_start => {}
                b')' | b']' | b'}' => previous_is_operand = true,
                b'+' if !previous_is_operand => blanked.push(index),
                _ => previous_is_operand = false,
            }
            index += 1;
        }
        search_from = inner_end + 2;
    }
    if blanked.is_empty() {
        return None;
    }
    let mut output = text.as_bytes().to_vec();
    for index in blanked {
        output[index] = b' ';
    }
    String::from_utf8(output).ok()
}

/// The length of what the rewrite puts before a literal: `__fusion_mutable(`.
const WRAP_PREFIX_LENGTH: usize = MUTABLE_FUNCTION.len() + 1;

/// The offset in `text` of the byte at `offset` in the text
/// [`rewrite_mutable_literals`] makes of it (errors of a rewritten template
/// are located in the rewritten text). An offset inside the inserted
/// `__fusion_mutable(` or `)` maps to where it was inserted.
pub(crate) fn offset_before_rewrite(text: &str, offset: usize) -> usize {
    let mut inserted = 0;
    for (value, function) in wrapped_values(text) {
        let prefix_length = function.len() + 1;
        let prefix_start = value.start + inserted;
        if offset < prefix_start {
            break;
        }
        if offset < prefix_start + prefix_length {
            return value.start;
        }
        inserted += prefix_length;
        let suffix_start = value.end + inserted;
        if offset < suffix_start {
            break;
        }
        if offset == suffix_start {
            return value.end;
        }
        inserted += 1;
    }
    offset - inserted
}

/// The byte ranges that [`rewrite_mutable_literals`] wraps, in order, each
/// with the function it wraps them in: the list and dict literals of `set`
/// tags ([`MUTABLE_FUNCTION`]), the conditional expressions of `do` tags
/// ([`DO_FUNCTION`]).
fn wrapped_values(text: &str) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let mut values = Vec::new();
    let mut search_from = 0;
    while let Some(found) = crate::text_search::find(&text[search_from..], "{") {
        let tag_start = search_from + found;
        let close_marker = match text.as_bytes().get(tag_start + 1) {
            Some(b'%') => "%}",
            Some(b'{') => "}}",
            _ => {
                search_from = tag_start + 1;
                continue;
            }
        };
        // The close is looked for after the opening: in `{%}` the two overlap.
        let Some(close) = text[tag_start + 2..].find(close_marker) else {
            break;
        };
        let tag_end = tag_start + 2 + close + 2;
        search_from = tag_end;
        let inner = &text[tag_start + 2..tag_end - 2];
        let body = inner.trim_start_matches(['-', '+']).trim_start();
        if close_marker == "%}" {
            if let Some(value) = mutable_literal_value(body) {
                // `value` is a slice of `text`: its offset is the pointer difference.
                let value_start = value.as_ptr() as usize - text.as_ptr() as usize;
                values.push((value_start..value_start + value.len(), MUTABLE_FUNCTION));
                continue;
            }
            if let Some(expression) = conditional_do_expression(body) {
                let start = expression.as_ptr() as usize - text.as_ptr() as usize;
                values.push((start..start + expression.len(), DO_FUNCTION));
                continue;
            }
        }
        let inner_start = tag_start + 2;
        values.extend(
            timedelta_operations(inner)
                .into_iter()
                .map(|(range, method)| {
                    (range.start + inner_start..range.end + inner_start, method)
                }),
        );
    }
    values
}

/// `x - modules.datetime.timedelta(...)` and `x + ...`: minijinja's
/// operators do not reach host objects, so the operation becomes Python's
/// spelling of it, `x.__sub__(modules.datetime.timedelta(...))`. Each is
/// the range from the operator to the end of the `timedelta` call, with
/// the method that replaces the operator; the operator itself is blanked
/// where the range is rewritten. Only where the left operand is a plain
/// chain of names, calls and subscripts not under a filter.
fn timedelta_operations(expression: &str) -> Vec<(std::ops::Range<usize>, &'static str)> {
    const CALL: &str = "modules.datetime.timedelta(";
    let bytes = expression.as_bytes();
    let mut found = Vec::new();
    let mut search_from = 0;
    while let Some(offset) = expression[search_from..].find(CALL) {
        let call_start = search_from + offset;
        search_from = call_start + CALL.len();
        let before = expression[..call_start].trim_end();
        let operator = before.len().checked_sub(1);
        let method = match operator.map(|position| bytes[position]) {
            Some(b'-') => ".__sub__",
            Some(b'+') => ".__add__",
            _ => continue,
        };
        let operator = operator.unwrap_or_default();
        if !left_operand_is_chain(&expression[..operator]) {
            continue;
        }
        let Some(call_end) = matching_close(expression, call_start + CALL.len() - 1) else {
            continue;
        };
        found.push((operator..call_end + 1, method));
    }
    found
}

/// Whether `text` ends with a name, call or subscript chain (`end_date`,
/// `modules.datetime.date.today()`, `rows[0].at`) that no filter applies
/// to: the left operand a method call can be appended to.
fn left_operand_is_chain(text: &str) -> bool {
    let bytes = text.trim_end().as_bytes();
    let mut index = bytes.len();
    let mut consumed = false;
    while index > 0 {
        let byte = bytes[index - 1];
        if byte == b')' || byte == b']' {
            let open = if byte == b')' { b'(' } else { b'[' };
            let mut depth = 0usize;
            let mut position = index;
            while position > 0 {
                position -= 1;
                if bytes[position] == byte {
                    depth += 1;
                } else if bytes[position] == open {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            if depth != 0 {
                return false;
            }
            index = position;
            consumed = true;
        } else if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.' {
            index -= 1;
            consumed = true;
        } else {
            break;
        }
    }
    let rest = std::str::from_utf8(&bytes[..index])
        .unwrap_or_default()
        .trim_end();
    consumed && !rest.ends_with('|')
}

/// The offset of the bracket that closes the one at `open`, skipping
/// strings.
fn matching_close(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    for (index, &byte) in text.as_bytes().iter().enumerate().skip(open) {
        match quote {
            Some(mark) if byte == mark => quote = None,
            Some(_) => {}
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

/// The literal value of a `set name = [..]` or `set name = {..}` tag body.
fn mutable_literal_value(body: &str) -> Option<&str> {
    let after_set = body.strip_prefix("set")?;
    if !after_set.starts_with(char::is_whitespace) {
        return None;
    }
    let equals = after_set.find('=')?;
    let target = after_set[..equals].trim();
    let is_plain_name = !target.is_empty()
        && target
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_');
    let value = tag_expression(&after_set[equals + 1..]);
    let is_literal = (value.starts_with('[') && value.ends_with(']'))
        || (value.starts_with('{') && value.ends_with('}'));
    (is_plain_name && is_literal && brackets_balance(value)).then_some(value)
}

/// The expression of a `do x if condition` tag body (an `if` outside
/// brackets and strings), which minijinja's `do` does not take.
fn conditional_do_expression(body: &str) -> Option<&str> {
    let after_do = body.strip_prefix("do")?;
    if !after_do.starts_with(char::is_whitespace) {
        return None;
    }
    let expression = tag_expression(after_do);
    has_top_level_if(expression).then_some(expression)
}

/// A tag's expression without its surrounding spaces and whitespace-control
/// marker.
fn tag_expression(text: &str) -> &str {
    text.trim_end().trim_end_matches(['-', '+']).trim()
}

/// Whether `expression` holds the keyword `if` outside brackets and strings.
fn has_top_level_if(expression: &str) -> bool {
    let bytes = expression.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    for (index, &byte) in bytes.iter().enumerate() {
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'i' if depth == 0
                    && bytes.get(index + 1) == Some(&b'f')
                    && index > 0
                    && bytes[index - 1].is_ascii_whitespace()
                    && bytes.get(index + 2).is_some_and(u8::is_ascii_whitespace) =>
                {
                    return true;
                }
                _ => {}
            },
        }
    }
    false
}

/// Whether the outermost brackets of `value` enclose all of it (so
/// `[1] + [2]` is not taken for one literal). Quotes are respected.
fn brackets_balance(value: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (position, character) in value.char_indices() {
        match quote {
            Some(open) if character == open => quote = None,
            Some(_) => {}
            None => match character {
                '\'' | '"' => quote = Some(character),
                '[' | '{' | '(' => depth += 1,
                ']' | '}' | ')' => {
                    depth -= 1;
                    if depth == 0 && position + character.len_utf8() != value.len() {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> String {
        let mut environment = minijinja::Environment::new();
        environment.set_unknown_method_callback(unknown_method);
        environment.add_function(MUTABLE_FUNCTION, make_mutable);
        environment.add_function(DO_FUNCTION, discard);
        let source = rewrite_mutable_literals(template).unwrap_or_else(|| template.to_string());
        environment
            .render_str(&source, minijinja::context! {})
            .unwrap_or_else(|error| format!("error: {error}"))
    }

    #[test]
    fn unary_plus_becomes_a_space_and_binary_plus_stays() {
        let text = "{{ f(interval = +1, x = a + 2, y = [+3], z = 'a+b') }}{% set n = +4 %}{{ -5 }}";
        assert_eq!(
            blank_unary_plus(text).as_deref(),
            Some("{{ f(interval =  1, x = a + 2, y = [ 3], z = 'a+b') }}{% set n =  4 %}{{ -5 }}")
        );
        assert_eq!(blank_unary_plus("{{ a + b }} x + y"), None);
    }

    #[test]
    fn lists_and_dicts_mutate_in_place() {
        assert_eq!(
            render("{% set l = [] %}{% for x in ['a', 'b'] %}{% do l.append(x | upper) %}{% endfor %}{{ l | join(',') }} {{ l | length }} {{ l[-1] }}"),
            "A,B 2 B"
        );
        assert_eq!(
            render("{%- set d = {'a': 1} -%}{% do d.update({'b': 2}) %}{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{{ d.get('c', 3) }}"),
            "a=1;b=2;3"
        );
        assert_eq!(
            render("{% set l = [3, 1] %}{% do l.extend([2]) %}{{ l | sort | join }}"),
            "123"
        );
    }

    #[test]
    fn rewrite_keeps_other_tags_and_lines() {
        assert_eq!(
            rewrite_mutable_literals("{% set x = 1 %}{% set a, b = [1, 2] %}"),
            None
        );
        assert_eq!(rewrite_mutable_literals("{% set x = [1] + [2] %}"), None);
        assert_eq!(
            rewrite_mutable_literals("{%- set cols = ['a', ']'] -%}\nselect").as_deref(),
            Some("{%- set cols = __fusion_mutable(['a', ']']) -%}\nselect")
        );
    }

    #[test]
    fn tags_that_close_where_they_open_are_skipped() {
        assert_eq!(rewrite_mutable_literals("select 1 {%}"), None);
        // As in Jinja, a tag ends at the first `%}` after its `{%`.
        assert_eq!(rewrite_mutable_literals("{%}{% set l = [] %}"), None);
        assert_eq!(
            rewrite_mutable_literals("{%%}{% set l = [] %}").as_deref(),
            Some("{%%}{% set l = __fusion_mutable([]) %}")
        );
    }

    #[test]
    fn offsets_in_the_rewritten_text_map_back() {
        let text = "{% set a = ['é'] %}x{% set b = {} %}’y";
        let rewritten = rewrite_mutable_literals(text).unwrap_or_default();
        for needle in ["x", "’y", "y", "{% set b", "['é']", "{}"] {
            let (Some(before), Some(after)) = (text.find(needle), rewritten.find(needle)) else {
                panic!("{needle:?} is missing");
            };
            assert_eq!(offset_before_rewrite(text, after), before, "{needle:?}");
        }
        // Inside `__fusion_mutable(`: where it was inserted.
        let inserted = rewritten.find(MUTABLE_FUNCTION).unwrap_or_default();
        assert_eq!(
            offset_before_rewrite(text, inserted + 3),
            text.find('[').unwrap_or_default()
        );
        assert_eq!(offset_before_rewrite(text, rewritten.len()), text.len());
        assert_eq!(offset_before_rewrite("no tags", 4), 4);
    }
}
