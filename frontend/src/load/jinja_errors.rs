//! Jinja errors as diagnostics: which file and line a minijinja error points into, and what the project could have meant.

use super::macros::macro_file_of_template;
use crate::jinja::{error_message, error_span_in_template, failure_of};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic};
use fusion_ir::span::{FileId, SourceFiles, Span};
use rustc_hash::FxHashMap;

/// One line of a file as a span (for errors that only know their line).
fn line_span(text: &str, line: usize) -> Span {
    let mut offset = 0usize;
    for (index, line_text) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let trimmed = line_text.trim_end_matches(['\n', '\r']);
            return Span::from_range(offset..offset + trimmed.len());
        }
        offset += line_text.len();
    }
    Span::from_range(text.len()..text.len())
}

/// What a Jinja error needs to point into the right file and suggest a name.
pub(super) struct JinjaContext {
    /// Each node template's file, by template name.
    pub(super) template_files: FxHashMap<String, FileId>,
    /// Each macro file, by path (the template names of its macros start with it).
    pub(super) macro_templates: FxHashMap<String, FileId>,
    /// The macros and functions a template can call, for "did you mean".
    pub(super) known_callables: Vec<String>,
}

/// Turns a minijinja error into a diagnostic pointing into the right file.
pub(super) fn jinja_diagnostic(
    error: &minijinja::Error,
    context: &JinjaContext,
    files: &SourceFiles,
    fallback_file: FileId,
) -> Diagnostic {
    let (code, mut message) = match failure_of(error) {
        Some(failure) => (failure.code, failure.message.clone()),
        None => match error.kind() {
            minijinja::ErrorKind::SyntaxError => (
                Code::JinjaSyntax,
                format!(
                    "Jinja syntax error: {}",
                    error.detail().unwrap_or("invalid syntax")
                ),
            ),
            minijinja::ErrorKind::UnknownFunction => (Code::UndefinedMacro, error_message(error)),
            _ => (
                Code::JinjaRender,
                format!("rendering failed: {}", error_message(error)),
            ),
        },
    };
    let template_name = error.name().unwrap_or_default();
    let macro_file = macro_file_of_template(template_name);
    let (file, span) = if let Some(&file) = context.macro_templates.get(macro_file) {
        // Macro files are rewritten before compiling; their lines still match.
        let span = error
            .line()
            .map_or(Span::EMPTY, |line| line_span(&files.get(file).text, line));
        (file, span)
    } else if let Some(&file) = context.template_files.get(template_name) {
        let text = &files.get(file).text;
        let span = error_span_in_template(error, text)
            .or_else(|| error.line().map(|line| line_span(text, line)))
            .unwrap_or(Span::EMPTY);
        (file, span)
    } else {
        // The error is in a text of no file (a generic test's call): its
        // range and line say nothing about `fallback_file`.
        (fallback_file, Span::EMPTY)
    };
    let mut diagnostic = Diagnostic::new(code, String::new()).with_primary(file, span, "");
    if code == Code::UndefinedMacro && failure_of(error).is_none() {
        // minijinja's message is "unknown function: <name> is unknown".
        let detail = error.detail().unwrap_or_default();
        let called = detail
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_matches('`')
            .to_string();
        message = format!("`{called}` is not a macro or function of this project");
        let suffix = format!(".{called}");
        let in_package = context.known_callables.iter().find(|known| {
            known.ends_with(&suffix) && !known[..known.len() - suffix.len()].contains('.')
        });
        if let Some(qualified) = in_package {
            diagnostic = diagnostic.with_help(format!(
                "a package defines it: call it as `{qualified}` (package macros are not in scope unqualified)"
            ));
        } else if let Some(close) =
            closest_name(&called, context.known_callables.iter().map(String::as_str))
        {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
        }
    }
    diagnostic.message = message;
    diagnostic
}

/// The functions of dbt's Jinja context that are not macros.
pub(super) const BUILTIN_CALLABLES: &[&str] = &[
    "ref",
    "source",
    "config",
    "var",
    "env_var",
    "is_incremental",
    "return",
    "log",
    "run_query",
    "statement",
    "load_result",
    "adapter",
    "api",
    "graph",
    "exceptions",
    "fromjson",
    "tojson",
    "fromyaml",
    "toyaml",
    "zip",
    "zip_strict",
    "set",
    "set_strict",
    "try_or_compiler_error",
    "local_md5",
    "diff_of_two_dicts",
    "print",
    "modules",
    "builtins",
    "range",
    "dict",
    "namespace",
    "debug",
];

/// Reports the macro files' compile errors, each in its macro file.
pub(super) fn report_macro_failures(
    macro_failures: &[(String, minijinja::Error)],
    jinja_context: &JinjaContext,
    project_file: FileId,
    files: &SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (name, error) in macro_failures {
        let fallback = jinja_context
            .macro_templates
            .get(macro_file_of_template(name))
            .copied()
            .unwrap_or(project_file);
        diagnostics.push(jinja_diagnostic(error, jinja_context, files, fallback));
    }
}
