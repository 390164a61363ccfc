//! `selectors.yml`: the named selections of the root project (dbt's YAML
//! selectors), read and rendered as dbt renders them, with the same context
//! as `dbt_project.yml` (vars, `env_var`, `target`). What a definition
//! selects is the driver's business: the frontend checks the file's shape
//! (a `selectors:` list of entries with a `name` and a `definition`, at most
//! one `default: true`) and hands the rendered definitions over.

use super::files::{read_file, FoundFile};
use crate::project::{SelectorDefinition, Selectors};
use crate::project_file::render_strings_in_for;
use crate::yaml::{describe_kind, find_key_span, parse_yaml};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::severity::Severity;
use fusion_ir::span::{FileId, SourceFiles, Span};
use serde_json::{Map, Value};
use std::path::Path;

/// Reads `selectors.yml` of the project folder, if there is one. Problems
/// with its shape are FC0030 errors; the selectors that are well formed are
/// kept all the same.
pub(super) fn load_selectors(
    root_dir: &Path,
    vars: &Map<String, Value>,
    target: &Value,
    files: &mut SourceFiles,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Selectors> {
    let absolute = root_dir.join("selectors.yml");
    if !absolute.is_file() {
        return None;
    }
    let found = FoundFile {
        original_file_path: "selectors.yml".into(),
        path: "selectors.yml".into(),
        absolute,
    };
    let (file, text) = read_file(&found, files, diagnostics)?;
    let mut value = match parse_yaml(&text, file, diagnostics) {
        Ok(value) => value,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return None;
        }
    };
    let mut render_errors = Vec::new();
    render_strings_in_for(&mut value, vars, Some(target), &[], &mut render_errors);
    for error in render_errors {
        diagnostics.push(Diagnostic::new(error.code, error.message).at(file, Span::EMPTY));
    }
    let mut reader = Reader {
        text: &text,
        file,
        diagnostics,
    };
    let selectors = reader.selectors(&value);
    Some(Selectors { file, selectors })
}

struct Reader<'a> {
    text: &'a str,
    file: FileId,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, span: Span, message: String) {
        self.diagnostics.push(
            Diagnostic::new(Code::InvalidSelectors, message)
                .with_primary(self.file, span, "here")
                .with_help("see dbt's YAML selectors: https://docs.getdbt.com/reference/node-selection/yaml-selectors"),
        );
    }

    fn selectors(&mut self, value: &Value) -> Vec<SelectorDefinition> {
        let entries = match value {
            // An empty file selects nothing and is no error, as in dbt.
            Value::Null => return Vec::new(),
            Value::Object(top) => match top.get("selectors") {
                Some(Value::Array(entries)) => entries,
                Some(Value::Null) | None => {
                    self.error(
                        Span::EMPTY,
                        "selectors.yml must hold a `selectors:` list".to_string(),
                    );
                    return Vec::new();
                }
                Some(other) => {
                    let span = find_key_span(self.text, "selectors", 0);
                    self.error(
                        span,
                        format!(
                            "`selectors:` must be a list of selectors, not {}",
                            describe_kind(other)
                        ),
                    );
                    return Vec::new();
                }
            },
            other => {
                self.error(
                    Span::EMPTY,
                    format!(
                        "selectors.yml must be a mapping with a `selectors:` list, not {}",
                        describe_kind(other)
                    ),
                );
                return Vec::new();
            }
        };
        let mut selectors: Vec<SelectorDefinition> = Vec::new();
        let mut search_from = 0;
        for entry in entries {
            if let Some(selector) = self.selector(entry, &mut search_from) {
                // dbt keeps the last selector of a name; say so.
                if let Some(position) = selectors
                    .iter()
                    .position(|known| known.name == selector.name)
                {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidSelectors,
                            format!(
                                "two selectors are named `{}`: the last one is used, as dbt uses it",
                                selector.name
                            ),
                        )
                        .with_severity(Severity::Warning)
                        .with_primary(self.file, selector.name_span, "this one is kept"),
                    );
                    selectors.remove(position);
                }
                if selector.default {
                    if let Some(first) = selectors.iter().find(|known| known.default) {
                        let message = format!(
                            "more than one selector has `default: true`: {} and {}",
                            first.name, selector.name
                        );
                        self.error(selector.name_span, message);
                        continue;
                    }
                }
                selectors.push(selector);
            }
        }
        selectors
    }

    fn selector(&mut self, entry: &Value, search_from: &mut usize) -> Option<SelectorDefinition> {
        let Value::Object(fields) = entry else {
            self.error(
                Span::EMPTY,
                format!(
                    "each entry of `selectors:` must be a mapping with `name` and `definition`, not {}",
                    describe_kind(entry)
                ),
            );
            return None;
        };
        let name = match fields.get("name") {
            Some(Value::String(name)) => name.clone(),
            _ => {
                self.error(
                    Span::EMPTY,
                    "a selector has no `name` (a string)".to_string(),
                );
                return None;
            }
        };
        let name_span = self.name_span(&name, search_from);
        let definition = match fields.get("definition") {
            Some(definition @ (Value::String(_) | Value::Object(_))) => definition.clone(),
            Some(other) => {
                self.error(
                    name_span,
                    format!(
                        "selector `{name}`: its `definition` must be a union, an intersection, a string or a mapping, not {}",
                        describe_kind(other)
                    ),
                );
                return None;
            }
            None => {
                self.error(name_span, format!("selector `{name}` has no `definition`"));
                return None;
            }
        };
        let description = match fields.get("description") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => {
                self.error(
                    name_span,
                    format!(
                        "selector `{name}`: `description` must be text, not {}",
                        describe_kind(other)
                    ),
                );
                return None;
            }
        };
        let default = match fields.get("default") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(flag)) => *flag,
            Some(other) => {
                self.error(
                    name_span,
                    format!("selector `{name}`: `default` must be true or false, not {other}"),
                );
                return None;
            }
        };
        Some(SelectorDefinition {
            name,
            description,
            default,
            definition,
            rendered: entry.clone(),
            name_span,
        })
    }

    /// Where the selector's name is written, searched from the end of the
    /// previous one's, so that each entry points at its own lines.
    fn name_span(&self, name: &str, search_from: &mut usize) -> Span {
        let rest = self.text.get(*search_from..).unwrap_or_default();
        match rest.find(name) {
            Some(offset) => {
                let start = *search_from + offset;
                *search_from = start + name.len();
                Span::from_range(start..start + name.len())
            }
            None => Span::EMPTY,
        }
    }
}
