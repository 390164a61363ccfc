//! Named block tags that dbt reads out of a file before rendering it:
//! `{% snapshot name %} ... {% endsnapshot %}` in snapshot files and
//! `{% docs name %} ... {% enddocs %}` in Markdown files.

use std::ops::Range;

/// One `{% <keyword> name %} ... {% end<keyword> %}` block.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NamedBlock {
    pub name: String,
    /// The text between the two tags.
    pub body: Range<usize>,
}

/// The `keyword` blocks of `text`, in order. Tags may use whitespace
/// control (`{%-`, `-%}`); a block without its closing tag ends the search.
pub(crate) fn named_blocks(text: &str, keyword: &str) -> Vec<NamedBlock> {
    let end_keyword = format!("end{keyword}");
    let mut blocks = Vec::new();
    let mut position = 0;
    while let Some((tag, _, open_end)) = next_tag(text, position) {
        position = open_end;
        let Some(name) = tag.strip_prefix(keyword) else {
            continue;
        };
        if !name.starts_with(char::is_whitespace) {
            continue;
        }
        let mut search = open_end;
        let mut close = None;
        while let Some((inner, start, end)) = next_tag(text, search) {
            if inner == end_keyword {
                close = Some((start, end));
                break;
            }
            search = end;
        }
        let Some((body_end, block_end)) = close else {
            break;
        };
        blocks.push(NamedBlock {
            name: name.trim().to_string(),
            body: open_end..body_end,
        });
        position = block_end;
    }
    blocks
}

/// The first `{% ... %}` tag of `text` at or after `from`: its inner words
/// (without `-`/`+` whitespace control), where it starts and where it ends.
fn next_tag(text: &str, from: usize) -> Option<(&str, usize, usize)> {
    let start = from + text.get(from..)?.find("{%")?;
    // The close is looked for after the `{%`: in `{%}` the two overlap.
    let end = start + 2 + text[start + 2..].find("%}")? + 2;
    let inner = text[start + 2..end - 2].trim_matches(|character: char| {
        character == '-' || character == '+' || character.is_whitespace()
    });
    Some((inner, start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_and_survives_tags_that_close_where_they_open() {
        let text = "{% docs ’note’ %}é{% enddocs %}{%}";
        let blocks = named_blocks(text, "docs");
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].name, "’note’");
        assert_eq!(&text[blocks[0].body.clone()], "é");
        assert!(named_blocks("{%}", "snapshot").is_empty());
        // As in Jinja, a tag ends at the first `%}` after its `{%`.
        assert!(named_blocks("{%}{% docs x %}y{% enddocs %}", "docs").is_empty());
    }
}
