//! Source maps from a model's rendered SQL back to its Jinja template.
//!
//! minijinja reports no output spans, so the map is rebuilt after rendering by
//! aligning the template's literal text chunks with the rendered output,
//! greedily and in order. Text copied verbatim from the template maps 1:1;
//! text produced by a `{{ }}` or `{% %}` construct maps to the start of that
//! construct (for text produced inside a block such as a `for` loop, to the
//! block's opening tag).

use fusion_ir::span::Span;
use serde::Serialize;
use std::sync::{Arc, OnceLock};

/// One run of rendered text with a single origin in the template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SourceMapSegment {
    /// Where the run starts in the rendered text.
    pub rendered_start: u32,
    /// Where its origin starts in the template.
    pub template_start: u32,
    /// For generated text, where the producing construct ends in the
    /// template; for verbatim text, unused (the run maps 1:1).
    pub template_end: u32,
    /// True when the run is a verbatim copy of template text.
    pub verbatim: bool,
}

/// A node's source map, built the first time a diagnostic asks for it: a
/// compile renders every node but reports on few, and building every map
/// up front cost about 3% of a 10,000-model compile.
#[derive(Clone, Debug, Default)]
pub struct LazySourceMap {
    /// The template and its rendered text, until the map is built.
    texts: Option<(Arc<str>, Arc<str>)>,
    map: OnceLock<SourceMap>,
}

impl LazySourceMap {
    /// The map from `rendered` back to `template`, built when first read.
    pub fn new(template: Arc<str>, rendered: Arc<str>) -> LazySourceMap {
        LazySourceMap {
            texts: Some((template, rendered)),
            map: OnceLock::new(),
        }
    }

    /// A map that is already built.
    pub fn built(map: SourceMap) -> LazySourceMap {
        LazySourceMap {
            texts: None,
            map: OnceLock::from(map),
        }
    }

    /// The map (empty when made without texts).
    pub fn get(&self) -> &SourceMap {
        self.map.get_or_init(|| match &self.texts {
            Some((template, rendered)) => SourceMap::build(template, rendered),
            None => SourceMap::default(),
        })
    }
}

/// Maps byte offsets of rendered SQL to byte offsets of its template.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceMap {
    /// Sorted by `rendered_start`; the first starts at 0 when the rendered
    /// text is not empty.
    pub segments: Vec<SourceMapSegment>,
}

impl SourceMap {
    /// The template offset that produced the rendered byte at `rendered_offset`.
    pub fn template_offset(&self, rendered_offset: u32) -> u32 {
        match self.segment_at(rendered_offset) {
            Some(segment) if segment.verbatim => {
                segment.template_start + (rendered_offset - segment.rendered_start)
            }
            Some(segment) => segment.template_start,
            None => 0,
        }
    }

    /// Maps a span of rendered text to the template: verbatim text maps
    /// exactly, generated text to the construct that produced it.
    pub fn template_span(&self, rendered: Span) -> Span {
        let start = self.template_offset(rendered.start);
        if rendered.is_empty() {
            return Span::new(start, start);
        }
        let last = rendered.end - 1;
        let end = match self.segment_at(last) {
            Some(segment) if segment.verbatim => {
                segment.template_start + (last - segment.rendered_start) + 1
            }
            Some(segment) => segment.template_end,
            None => start,
        };
        Span::new(start.min(end), start.max(end))
    }

    /// [`SourceMap::template_span`] widened to whole characters of
    /// `template_file`, the text of the file the template came from. The
    /// map is built from the text that was rendered, which differs from the
    /// file byte for byte where a snapshot file's text outside its block was
    /// blanked: there a character of several bytes became as many spaces,
    /// and a span may start or end inside it.
    pub fn template_span_in(&self, rendered: Span, template_file: &str) -> Span {
        let span = self.template_span(rendered);
        let mut start = (span.start as usize).min(template_file.len());
        let mut end = (span.end as usize).clamp(start, template_file.len());
        while !template_file.is_char_boundary(start) {
            start -= 1;
        }
        while !template_file.is_char_boundary(end) {
            end += 1;
        }
        Span::from_range(start..end)
    }

    fn segment_at(&self, rendered_offset: u32) -> Option<&SourceMapSegment> {
        let position = self
            .segments
            .partition_point(|segment| segment.rendered_start <= rendered_offset);
        position.checked_sub(1).map(|index| &self.segments[index])
    }

    /// Builds the map by aligning `template`'s literal chunks with `rendered`.
    pub fn build(template: &str, rendered: &str) -> SourceMap {
        let pieces = split_template(template);
        let mut builder = SegmentBuilder::default();
        let mut rendered_position = 0usize;
        // The construct that owns generated text up to the next matched literal:
        // the first construct after the last matched literal.
        let mut pending_owner: Option<usize> = None;
        let mut first_construct_seen = false;
        for (piece_index, piece) in pieces.iter().enumerate() {
            match piece {
                TemplatePiece::Construct { .. } => {
                    if pending_owner.is_none() {
                        pending_owner = Some(owner_of(&pieces, piece_index));
                    }
                    first_construct_seen = true;
                }
                TemplatePiece::Literal { start, end } => {
                    let text = &template[*start..*end];
                    if text.is_empty() {
                        continue;
                    }
                    let Some(found) =
                        crate::text_search::find(&rendered[rendered_position..], text)
                    else {
                        continue;
                    };
                    let found = rendered_position + found;
                    if found > rendered_position {
                        let owner = pending_owner.or_else(|| first_construct(&pieces));
                        builder.push_generated(&pieces, rendered_position, owner);
                    }
                    builder.push_verbatim(found, *start);
                    rendered_position = found + text.len();
                    pending_owner = None;
                }
            }
        }
        let _ = first_construct_seen;
        if rendered_position < rendered.len() {
            let owner = pending_owner.or_else(|| last_construct(&pieces));
            builder.push_generated(&pieces, rendered_position, owner);
        }
        SourceMap {
            segments: builder.segments,
        }
    }
}

#[derive(Default)]
struct SegmentBuilder {
    segments: Vec<SourceMapSegment>,
}

impl SegmentBuilder {
    fn push_verbatim(&mut self, rendered_start: usize, template_start: usize) {
        self.segments.push(SourceMapSegment {
            rendered_start: clamp(rendered_start),
            template_start: clamp(template_start),
            template_end: clamp(template_start),
            verbatim: true,
        });
    }

    fn push_generated(
        &mut self,
        pieces: &[TemplatePiece],
        rendered_start: usize,
        owner: Option<usize>,
    ) {
        let (template_start, template_end) = match owner.map(|index| &pieces[index]) {
            Some(TemplatePiece::Construct { start, end, .. }) => (*start, *end),
            Some(TemplatePiece::Literal { start, end }) => (*start, *end),
            None => (0, 0),
        };
        self.segments.push(SourceMapSegment {
            rendered_start: clamp(rendered_start),
            template_start: clamp(template_start),
            template_end: clamp(template_end),
            verbatim: false,
        });
    }
}

fn clamp(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn first_construct(pieces: &[TemplatePiece]) -> Option<usize> {
    pieces
        .iter()
        .position(|piece| matches!(piece, TemplatePiece::Construct { .. }))
}

fn last_construct(pieces: &[TemplatePiece]) -> Option<usize> {
    pieces
        .iter()
        .rposition(|piece| matches!(piece, TemplatePiece::Construct { .. }))
        .map(|index| owner_of(pieces, index))
}

/// Text generated "at" a closing or middle tag (`endfor`, `else`) was
/// produced by the block as a whole, so it is attributed to the opening tag.
fn owner_of(pieces: &[TemplatePiece], index: usize) -> usize {
    match &pieces[index] {
        TemplatePiece::Construct {
            opener: Some(opener),
            ..
        } => *opener,
        _ => index,
    }
}

/// A piece of a template: literal text (already trimmed as whitespace
/// control trims it) or a Jinja construct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TemplatePiece {
    Literal {
        start: usize,
        end: usize,
    },
    Construct {
        start: usize,
        end: usize,
        /// For `end*`, `else` and `elif` tags, the index of the block's opening tag.
        opener: Option<usize>,
    },
}

/// Block tags that have a matching `end<name>` tag.
const BLOCK_TAGS: &[&str] = &[
    "for",
    "if",
    "macro",
    "call",
    "filter",
    "block",
    "with",
    "autoescape",
    "raw",
    "set",
];

/// Splits a template into literal chunks and constructs. Whitespace control
/// (`{%-`, `-%}`) trims the neighbouring literal as minijinja does; the final
/// newline of the template is dropped as minijinja drops it by default.
pub(crate) fn split_template(template: &str) -> Vec<TemplatePiece> {
    let bytes = template.as_bytes();
    let mut pieces = Vec::new();
    let mut open_blocks: Vec<(String, usize)> = Vec::new();
    let mut literal_start = 0usize;
    let mut trim_next_literal_start = false;
    let mut position = 0usize;
    while position < bytes.len() {
        let is_open = bytes[position] == b'{'
            && matches!(
                bytes.get(position + 1),
                Some(b'{') | Some(b'%') | Some(b'#')
            );
        if !is_open {
            position += 1;
            continue;
        }
        let delimiter = bytes[position + 1];
        let construct_start = position;
        let trims_before = bytes.get(position + 2) == Some(&b'-');
        let (construct_end, closed) = find_construct_end(template, position + 2, delimiter);
        let trims_after = closed && bytes[construct_end - 3] == b'-';
        push_literal(
            &mut pieces,
            template,
            literal_start,
            construct_start,
            trim_next_literal_start,
            trims_before,
        );
        // An unclosed construct runs to the end of the template, which may
        // end inside a character two bytes before it.
        let inner_end = if closed {
            construct_end - 2
        } else {
            construct_end
        };
        let inner = template[construct_start + 2..inner_end.max(construct_start + 2)].trim_matches(
            |character: char| character == '-' || character == '+' || character.is_whitespace(),
        );
        let tag_name: String = if delimiter == b'%' {
            inner
                .chars()
                .take_while(|character| character.is_ascii_alphanumeric() || *character == '_')
                .collect()
        } else {
            String::new()
        };
        let mut opener = None;
        if delimiter == b'%' {
            if let Some(block_name) = tag_name.strip_prefix("end") {
                if let Some(found) = open_blocks.iter().rposition(|(name, _)| name == block_name) {
                    opener = Some(open_blocks[found].1);
                    open_blocks.truncate(found);
                }
            } else if tag_name == "else" || tag_name == "elif" {
                opener = open_blocks.last().map(|(_, index)| *index);
            } else if BLOCK_TAGS.contains(&tag_name.as_str()) {
                // `{% set x = 1 %}` is a statement; only `{% set x %}` opens a block.
                let is_block = tag_name != "set" || !inner.contains('=');
                if is_block {
                    open_blocks.push((tag_name.clone(), pieces.len()));
                }
            }
        }
        pieces.push(TemplatePiece::Construct {
            start: construct_start,
            end: construct_end,
            opener,
        });
        position = construct_end;
        if delimiter == b'%' && tag_name == "raw" {
            // Everything up to `{% endraw %}` is literal text.
            if let Some(raw_end) = find_endraw(template, position) {
                pieces.push(TemplatePiece::Literal {
                    start: position,
                    end: raw_end,
                });
                position = raw_end;
            }
        }
        literal_start = position;
        trim_next_literal_start = trims_after;
    }
    let mut end = bytes.len();
    if template[literal_start..end].ends_with('\n') {
        end -= 1;
        if template[literal_start..end].ends_with('\r') {
            end -= 1;
        }
    }
    push_literal(
        &mut pieces,
        template,
        literal_start,
        end,
        trim_next_literal_start,
        false,
    );
    pieces
}

fn push_literal(
    pieces: &mut Vec<TemplatePiece>,
    template: &str,
    mut start: usize,
    mut end: usize,
    trim_start: bool,
    trim_end: bool,
) {
    if start >= end {
        return;
    }
    let text = &template[start..end];
    if trim_start {
        start += text.len() - text.trim_start().len();
    }
    if trim_end && start < end {
        end -= template[start..end].len() - template[start..end].trim_end().len();
    }
    if start < end {
        pieces.push(TemplatePiece::Literal { start, end });
    }
}

/// The offset just past the construct's closing delimiter, skipping quoted
/// strings, and whether there is one (`false`: the template's end).
fn find_construct_end(template: &str, from: usize, delimiter: u8) -> (usize, bool) {
    let closing = match delimiter {
        b'{' => b'}',
        other => other,
    };
    let bytes = template.as_bytes();
    let mut position = from;
    let mut quote: Option<u8> = None;
    while position < bytes.len() {
        let byte = bytes[position];
        match quote {
            Some(quote_byte) if delimiter != b'#' => {
                if byte == b'\\' {
                    position += 1;
                } else if byte == quote_byte {
                    quote = None;
                }
            }
            _ => {
                if (byte == b'\'' || byte == b'"') && delimiter != b'#' {
                    quote = Some(byte);
                } else if byte == closing && bytes.get(position + 1) == Some(&b'}') {
                    return (position + 2, true);
                }
            }
        }
        position += 1;
    }
    (bytes.len(), false)
}

fn find_endraw(template: &str, from: usize) -> Option<usize> {
    let mut search_from = from;
    while let Some(found) = template[search_from..].find("{%") {
        let tag_start = search_from + found;
        let inner = template[tag_start + 2..].trim_start_matches(['-', '+', ' ', '\t', '\n', '\r']);
        if inner.starts_with("endraw") {
            return Some(tag_start);
        }
        search_from = tag_start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Environment;

    fn render(template: &str) -> String {
        let mut environment = Environment::new();
        environment.add_function("ref", |name: String| format!("\"db\".\"main\".\"{name}\""));
        environment
            .add_template_owned(
                "macros.sql",
                "{% macro cents(column) -%}({{ column }} / 100){%- endmacro %}",
            )
            .map_err(|error| error.to_string())
            .unwrap_or_default();
        environment
            .render_named_str(
                "model.sql",
                template,
                minijinja::context! { cols => vec!["a", "b", "c"] },
            )
            .unwrap_or_else(|error| panic!("render failed: {error:#}"))
    }

    /// The template text at the origin of the rendered text `needle`.
    fn origin<'t>(template: &'t str, rendered: &str, map: &SourceMap, needle: &str) -> &'t str {
        let start = rendered
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {rendered:?}"));
        let span = map.template_span(Span::from_range(start..start + needle.len()));
        &template[span.range()]
    }

    #[test]
    fn verbatim_text_maps_one_to_one_and_expressions_map_to_their_construct() {
        let template = "select id\nfrom {{ ref('orders') }}\nwhere amount > 0\n";
        let rendered = render(template);
        let map = SourceMap::build(template, &rendered);
        assert_eq!(
            origin(template, &rendered, &map, "where amount"),
            "where amount"
        );
        assert_eq!(
            origin(template, &rendered, &map, "\"db\""),
            "{{ ref('orders') }}"
        );
        let where_offset = rendered.find("where").unwrap_or_default() as u32;
        assert_eq!(
            map.template_offset(where_offset) as usize,
            template.find("where").unwrap_or_default()
        );
    }

    #[test]
    fn loop_output_maps_to_the_for_tag() {
        let template = "select\n{% for col in cols %}  {{ col }},\n{% endfor %}  1 as one\nfrom t";
        let rendered = render(template);
        assert_eq!(rendered, "select\n  a,\n  b,\n  c,\n  1 as one\nfrom t");
        let map = SourceMap::build(template, &rendered);
        assert_eq!(origin(template, &rendered, &map, "a"), "{{ col }}");
        // The second and third iterations are generated by the loop as a whole.
        let second = rendered.find("b,").unwrap_or_default() as u32;
        let for_tag = template.find("{% for").unwrap_or_default() as u32;
        assert_eq!(map.template_offset(second), for_tag);
        assert_eq!(
            origin(template, &rendered, &map, "1 as one\nfrom t"),
            "1 as one\nfrom t"
        );
    }

    #[test]
    fn whitespace_control_trims_the_literal_chunks() {
        let template = "select\n    {%- if true %}\n  x\n    {%- endif -%}\n  , y from t";
        let rendered = render(template);
        assert_eq!(rendered, "select\n  x, y from t");
        let map = SourceMap::build(template, &rendered);
        assert_eq!(origin(template, &rendered, &map, "x"), "x");
        assert_eq!(
            origin(template, &rendered, &map, ", y from t"),
            ", y from t"
        );
        assert_eq!(origin(template, &rendered, &map, "select"), "select");
    }

    #[test]
    fn macro_output_maps_to_the_call() {
        let template =
            "{% import 'macros.sql' as m %}select {{ m.cents('amount') }} as dollars from t";
        let rendered = render(template);
        assert_eq!(rendered, "select (amount / 100) as dollars from t");
        let map = SourceMap::build(template, &rendered);
        assert_eq!(
            origin(template, &rendered, &map, "(amount / 100)"),
            "{{ m.cents('amount') }}"
        );
        assert_eq!(
            origin(template, &rendered, &map, " as dollars"),
            " as dollars"
        );
    }

    #[test]
    fn comments_raw_blocks_and_trailing_newline() {
        let template = "{# note #}select '{% raw %}{{ x }}{% endraw %}' as v -- }}\n";
        let rendered = render(template);
        assert_eq!(rendered, "select '{{ x }}' as v -- }}");
        let map = SourceMap::build(template, &rendered);
        assert_eq!(origin(template, &rendered, &map, "{{ x }}"), "{{ x }}");
        assert_eq!(
            origin(template, &rendered, &map, "as v -- }}"),
            "as v -- }}"
        );
    }

    #[test]
    fn spans_widen_to_characters_of_the_file() {
        // A snapshot file's `é` outside its block is rendered as two spaces.
        let file = "éx";
        let map = SourceMap::build("  x", "  x");
        let inside = Span::from_range(1..2);
        assert_eq!(map.template_span(inside), inside);
        assert_eq!(map.template_span_in(inside, file), Span::from_range(0..2));
        assert_eq!(
            map.template_span_in(Span::from_range(2..3), file),
            Span::from_range(2..3)
        );
        assert_eq!(
            map.template_span_in(Span::from_range(9..9), file),
            Span::from_range(3..3)
        );
    }

    #[test]
    fn empty_and_unclosed_templates_do_not_panic() {
        assert!(SourceMap::build("", "").segments.is_empty());
        let map = SourceMap::build("select {{ oops", "select ");
        assert_eq!(map.template_offset(3), 3);
        assert_eq!(map.template_offset(100), 100);
        // Unclosed constructs that end in a character of several bytes.
        for template in ["{{’", "select {% ’", "{# ę’", "{{ '’"] {
            let _ = SourceMap::build(template, "select ");
            assert!(!split_template(template).is_empty(), "{template:?}");
        }
    }
}
