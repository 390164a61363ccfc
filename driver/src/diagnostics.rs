//! Rendering diagnostics: for people with codespan-reporting, for tools as
//! JSON lines. Both read the same structured `Diagnostic`s.
//!
//! A diagnostic found in a model's rendered SQL points into the rendered
//! text. Before it is shown, its labels are moved into the model file
//! through the model's source map, and the place in the compiled SQL is
//! kept as a secondary label, so people see both where to fix the template
//! and what the warehouse would have received.

use codespan_reporting::diagnostic as codespan;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;
use fusion_frontend::source_map::LazySourceMap;
use fusion_ir::diagnostic::{Diagnostic, Label};
use fusion_ir::severity::Severity;
use fusion_ir::span::{FileId, FileSpan, SourceFiles};
use rustc_hash::FxHashMap;
use std::ops::Range;
use std::sync::OnceLock;

/// Where a rendered text came from: its template file and the map between them.
pub struct RenderedOrigin<'a> {
    pub template: FileId,
    pub source_map: &'a LazySourceMap,
}

/// The files of a run and the origins of its rendered texts.
pub struct DiagnosticContext<'a> {
    files: &'a SourceFiles,
    origins: FxHashMap<FileId, RenderedOrigin<'a>>,
    line_starts: Vec<OnceLock<Vec<usize>>>,
}

impl<'a> DiagnosticContext<'a> {
    pub fn new(files: &'a SourceFiles) -> DiagnosticContext<'a> {
        DiagnosticContext {
            files,
            origins: FxHashMap::default(),
            line_starts: (0..files.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Declares that `rendered` was produced from `origin.template`.
    pub fn add_origin(&mut self, rendered: FileId, origin: RenderedOrigin<'a>) {
        self.origins.insert(rendered, origin);
    }

    /// Moves a location in rendered SQL to its template; other locations stay.
    fn to_template(&self, location: FileSpan) -> FileSpan {
        match self.origins.get(&location.file) {
            Some(origin) => FileSpan::new(
                origin.template,
                origin
                    .source_map
                    .get()
                    .template_span_in(location.span, &self.files.get(origin.template).text),
            ),
            None => location,
        }
    }

    /// The labels to show: every label in its template, and for the primary
    /// label in rendered SQL, the compiled SQL location as well.
    fn shown_labels(&self, diagnostic: &Diagnostic) -> (Option<Label>, Vec<Label>) {
        let mut secondary = Vec::new();
        let primary = diagnostic.primary.as_ref().map(|label| {
            if self.origins.contains_key(&label.location.file) {
                secondary.push(Label {
                    location: label.location,
                    message: "in the compiled SQL".to_string(),
                });
            }
            Label {
                location: self.to_template(label.location),
                message: label.message.clone(),
            }
        });
        let moved = diagnostic.secondary.iter().map(|label| Label {
            location: self.to_template(label.location),
            message: label.message.clone(),
        });
        let mut all: Vec<Label> = moved.collect();
        all.extend(secondary);
        (primary, all)
    }

    fn starts(&self, file: FileId) -> &[usize] {
        self.line_starts[file.0 as usize].get_or_init(|| {
            let text = &self.files.get(file).text;
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(index, _)| index + 1))
                .collect()
        })
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, file: FileId, offset: u32) -> (usize, usize) {
        let text = &self.files.get(file).text;
        let offset = (offset as usize).min(text.len());
        let starts = self.starts(file);
        let line = starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let line_text = text.get(starts[line]..offset).unwrap_or("");
        (line + 1, line_text.chars().count() + 1)
    }

    fn to_codespan(&self, diagnostic: &Diagnostic) -> codespan::Diagnostic<usize> {
        let severity = match diagnostic.severity {
            Severity::Error => codespan::Severity::Error,
            Severity::Warning => codespan::Severity::Warning,
            Severity::Note => codespan::Severity::Note,
        };
        let (primary, secondary) = self.shown_labels(diagnostic);
        let mut labels = Vec::new();
        if let Some(label) = primary {
            labels.push(
                codespan::Label::primary(
                    label.location.file.0 as usize,
                    self.clamp(label.location),
                )
                .with_message(label.message),
            );
        }
        for label in secondary {
            labels.push(
                codespan::Label::secondary(
                    label.location.file.0 as usize,
                    self.clamp(label.location),
                )
                .with_message(label.message),
            );
        }
        let mut notes = diagnostic.notes.clone();
        if let Some(help) = &diagnostic.help {
            notes.push(format!("help: {help}"));
        }
        codespan::Diagnostic::new(severity)
            .with_code(diagnostic.code.as_str())
            .with_message(&diagnostic.message)
            .with_labels(labels)
            .with_notes(notes)
    }

    /// A span that lies inside its file and on character boundaries.
    fn clamp(&self, location: FileSpan) -> Range<usize> {
        let text = &self.files.get(location.file).text;
        let mut start = (location.span.start as usize).min(text.len());
        let mut end = (location.span.end as usize).clamp(start, text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }

    /// Renders for people, without colour (for snapshots and pipes).
    pub fn render_plain(&self, diagnostic: &Diagnostic) -> String {
        let config = term::Config::default();
        term::emit_into_string(&config, self, &self.to_codespan(diagnostic)).unwrap_or_else(
            |error| {
                format!(
                    "{}: {} (could not show its location: {error})\n",
                    diagnostic.code, diagnostic.message
                )
            },
        )
    }

    /// Renders for people on a terminal, with colour when it is one.
    pub fn render_to_stderr(
        &self,
        diagnostics: &[Diagnostic],
        color: term::termcolor::ColorChoice,
    ) {
        let mut stream = term::termcolor::StandardStream::stderr(color);
        let config = term::Config::default();
        for diagnostic in diagnostics {
            if term::emit_to_write_style(&mut stream, &config, self, &self.to_codespan(diagnostic))
                .is_err()
            {
                eprint!("{}", self.render_plain(diagnostic));
            }
        }
    }

    /// Renders for tools: one JSON object.
    pub fn render_json(&self, diagnostic: &Diagnostic) -> serde_json::Value {
        let (primary, secondary) = self.shown_labels(diagnostic);
        let location = |label: &Label| {
            let (line, column) = self.line_column(label.location.file, label.location.span.start);
            let (end_line, end_column) =
                self.line_column(label.location.file, label.location.span.end);
            serde_json::json!({
                "file": self.files.get(label.location.file).path,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "message": label.message,
            })
        };
        serde_json::json!({
            "code": diagnostic.code.as_str(),
            "severity": diagnostic.severity,
            "message": diagnostic.message,
            "location": primary.as_ref().map(location),
            "related": secondary.iter().map(location).collect::<Vec<_>>(),
            "notes": diagnostic.notes,
            "help": diagnostic.help,
        })
    }

    /// A one-line summary `path:line:col: severity[code]: message`, for
    /// compact test snapshots and `--log-format` short outputs.
    pub fn render_short(&self, diagnostic: &Diagnostic) -> String {
        let (primary, _) = self.shown_labels(diagnostic);
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        match primary {
            Some(label) => {
                let (line, column) =
                    self.line_column(label.location.file, label.location.span.start);
                format!(
                    "{}:{line}:{column}: {severity}[{}]: {}",
                    self.files.get(label.location.file).path,
                    diagnostic.code,
                    diagnostic.message
                )
            }
            None => format!("{severity}[{}]: {}", diagnostic.code, diagnostic.message),
        }
    }
}

impl<'files> Files<'files> for DiagnosticContext<'_> {
    type FileId = usize;
    type Name = &'files str;
    type Source = &'files str;

    fn name(&'files self, id: usize) -> Result<&'files str, FilesError> {
        self.check(id)?;
        Ok(&self.files.get(FileId(id as u32)).path)
    }

    fn source(&'files self, id: usize) -> Result<&'files str, FilesError> {
        self.check(id)?;
        Ok(&self.files.get(FileId(id as u32)).text)
    }

    fn line_index(&'files self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        self.check(id)?;
        let starts = self.starts(FileId(id as u32));
        Ok(starts
            .partition_point(|&start| start <= byte_index)
            .saturating_sub(1))
    }

    fn line_range(&'files self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        self.check(id)?;
        let text_length = self.files.get(FileId(id as u32)).text.len();
        let starts = self.starts(FileId(id as u32));
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(text_length);
        Ok(start..end)
    }
}

impl DiagnosticContext<'_> {
    fn check(&self, id: usize) -> Result<(), FilesError> {
        if id < self.files.len() {
            Ok(())
        } else {
            Err(FilesError::FileMissing)
        }
    }
}
