//! The bottom layer of every Jinja render in the frontend (models, macros,
//! configuration files): a failure with a fusionc code carried through
//! minijinja's errors, and JSON values (YAML, configs) as template values.

use fusion_ir::codes::Code;
use fusion_ir::span::Span;
use minijinja::{Error, ErrorKind, Value};
use std::fmt;

/// A failure with a fusionc code, carried as the source of a minijinja error
/// so that it survives the trip through the template engine.
#[derive(Debug, Clone)]
pub(crate) struct FusionFailure {
    pub code: Code,
    pub message: String,
}

impl fmt::Display for FusionFailure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for FusionFailure {}

/// A minijinja error that carries a [`FusionFailure`] with `code`.
pub(crate) fn fail(code: Code, message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.clone())
        .with_source(FusionFailure { code, message })
}

/// The chain of errors below a minijinja error, nearest first.
pub(crate) fn error_sources(
    error: &Error,
) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    let first: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    std::iter::successors(first, |current| current.source())
}

/// The fusionc failure inside a minijinja error, if one caused it.
pub(crate) fn failure_of(error: &Error) -> Option<&FusionFailure> {
    error_sources(error).find_map(|source| source.downcast_ref::<FusionFailure>())
}

/// A minijinja error as one line for a diagnostic message.
pub(crate) fn error_message(error: &Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

/// Where a minijinja error points in `template`, the node template it was
/// rendered from: its range is of the text compiled, which
/// [`crate::mutable::rewrite_mutable_literals`] may have made longer, so it
/// is moved back into `template`. `None` when the error has no range or the
/// range does not fall on characters of `template`.
pub(crate) fn error_span_in_template(error: &Error, template: &str) -> Option<Span> {
    let range = error.range()?;
    let start = crate::mutable::offset_before_rewrite(template, range.start);
    let end = crate::mutable::offset_before_rewrite(template, range.end);
    (start <= end
        && end <= template.len()
        && template.is_char_boundary(start)
        && template.is_char_boundary(end))
    .then(|| Span::from_range(start..end))
}

/// Converts any serializable value (JSON from YAML, configs) to a template value.
pub(crate) fn to_value<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// dbt's type-marking filters as its text renderer defines them: `as_bool`,
/// `as_number`, `as_native` and `as_text` return their value unchanged (only
/// dbt's native renderer of YAML values turns the marked text into a boolean
/// or a number), and `is_list` says whether a value is a list.
pub(crate) fn register_type_marker_filters(environment: &mut minijinja::Environment<'static>) {
    for name in ["as_bool", "as_number", "as_native", "as_text"] {
        environment.add_filter(name, |value: minijinja::Value| value);
    }
    environment.add_filter("is_list", |value: minijinja::Value| {
        value.kind() == minijinja::value::ValueKind::Seq
    });
}

/// Whether a YAML value holds a string with Jinja in it (recursively).
pub(crate) fn value_has_jinja(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text.contains("{{") || text.contains("{%"),
        serde_json::Value::Array(items) => items.iter().any(value_has_jinja),
        serde_json::Value::Object(map) => map.values().any(value_has_jinja),
        _ => false,
    }
}
