//! The one diagnostic type of fusionc. It stays structured until the driver
//! renders it, for people (codespan-reporting) or for tools (JSON).

use crate::codes::Code;
use crate::severity::Severity;
use crate::span::{FileId, FileSpan, Span};
use serde::Serialize;

/// A location and what to say about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// The file and byte span the label underlines.
    pub location: FileSpan,
    /// Text shown at the underline; may be empty.
    pub message: String,
}

/// One finding: a code, a severity, a message, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The registered code ([`crate::codes`]); stable across releases.
    pub code: Code,
    /// The code's default severity unless the emitter changed it.
    pub severity: Severity,
    /// The headline: what is wrong, in one sentence.
    pub message: String,
    /// Where the fault is. `None` only for findings about the whole run
    /// (a missing profiles.yml has no file to point into).
    pub primary: Option<Label>,
    /// Other places that explain the finding (the declaration a use
    /// conflicts with, the upstream model a column comes from).
    pub secondary: Vec<Label>,
    /// Extra facts, each shown on its own line after the labels.
    pub notes: Vec<String>,
    /// How to fix it, when there is a likely fix ("did you mean ...").
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and no location yet.
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.info().default_severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// Sets the primary location, with an empty label message.
    pub fn at(self, file: FileId, span: Span) -> Diagnostic {
        self.with_primary(file, span, "")
    }

    /// Sets the primary location and the message shown at it.
    pub fn with_primary(
        mut self,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.primary = Some(Label {
            location: FileSpan::new(file, span),
            message: message.into(),
        });
        self
    }

    /// Adds a secondary location with its message.
    pub fn with_secondary(
        mut self,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.secondary.push(Label {
            location: FileSpan::new(file, span),
            message: message.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Sets the help text, replacing any earlier one.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Overrides the code's default severity (a check the user asked to
    /// make fatal, or to soften).
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// Whether the diagnostic is an error, which fails the command.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Suggests the closest of `candidates` to `wanted`, for "did you mean" help.
/// Returns `None` when nothing is close enough to be a plausible typo.
pub fn closest_name<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted_lower = wanted.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let distance = levenshtein(&wanted_lower, &candidate.to_ascii_lowercase());
        let limit = (wanted.chars().count().max(3)) / 3 + 1;
        if distance <= limit && best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

fn levenshtein(left: &str, right: &str) -> usize {
    let right_chars: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right_chars.len()).collect();
    let mut current = vec![0; right_chars.len() + 1];
    for (left_index, left_char) in left.chars().enumerate() {
        current[0] = left_index + 1;
        for (right_index, right_char) in right_chars.iter().enumerate() {
            let substitution = previous[right_index] + usize::from(left_char != *right_char);
            current[right_index + 1] = substitution
                .min(previous[right_index + 1] + 1)
                .min(current[right_index] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[right_chars.len()]
}

#[cfg(test)]
mod tests {
    use super::closest_name;

    #[test]
    fn closest_name_finds_typos_and_rejects_strangers() {
        let names = ["stg_orders", "stg_customers", "orders"];
        assert_eq!(closest_name("stg_ordres", names), Some("stg_orders"));
        assert_eq!(closest_name("ORDERS", names), Some("orders"));
        assert_eq!(closest_name("payments", names), None);
    }
}
