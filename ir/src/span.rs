//! Byte spans into source files, and the ids that name those files.

use serde::Serialize;

/// Identifies one source text (a model file, its rendered SQL, a YAML file).
/// The mapping from id to path and contents lives in the driver's file table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub u32);

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// The empty span at offset 0, for things that come from no text.
    pub const EMPTY: Span = Span { start: 0, end: 0 };

    /// The span `start..end`; `start` must not be after `end`.
    pub fn new(start: u32, end: u32) -> Span {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Span { start, end }
    }

    /// Builds a span from `usize` offsets, saturating at `u32::MAX` (4 GiB
    /// inputs are rejected long before they reach a parser).
    pub fn from_range(range: std::ops::Range<usize>) -> Span {
        let clamp = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
        Span::new(clamp(range.start), clamp(range.end.max(range.start)))
    }

    /// The smallest span covering both `self` and `other`.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Length in bytes.
    pub fn len(self) -> u32 {
        self.end - self.start
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The span as a `usize` range, to slice the source text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A span together with the file it points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FileSpan {
    /// The source text.
    pub file: FileId,
    /// The bytes within it.
    pub span: Span,
}

impl FileSpan {
    /// The span `span` of the file `file`.
    pub fn new(file: FileId, span: Span) -> FileSpan {
        FileSpan { file, span }
    }
}

/// One source text known to the run: a model file, a YAML file, or the
/// rendered SQL of a model (which has no file on disk until compiled).
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path relative to the project root, as diagnostics show it.
    pub path: String,
    /// The whole text; shared, so diagnostics and workers can hold it.
    pub text: std::sync::Arc<str>,
}

/// The table of all source texts of a run, addressed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceFiles {
    files: Vec<SourceFile>,
}

impl SourceFiles {
    /// Adds a text and returns its new id.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<std::sync::Arc<str>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("more than 4 billion files"));
        self.files.push(SourceFile {
            path: path.into(),
            text: text.into(),
        });
        id
    }

    /// The text of an id. Panics on an id this table did not hand out.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// How many texts the table holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the table holds no text.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every text with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index as u32), file))
    }
}
