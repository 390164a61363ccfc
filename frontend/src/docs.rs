//! Docs blocks (`{% docs name %} ... {% enddocs %}` in `.md` files) and the
//! `{{ doc('name') }}` calls that descriptions make to them.
//!
//! dbt renders every description in YAML as a template in which `doc()`
//! returns a block's text. The calls are read here as they are written in
//! practice, `{{ doc('name') }}` or `{{ doc('package', 'name') }}`, with
//! either quote; other Jinja in a description is kept as written.

use rustc_hash::FxHashMap;

/// One docs block of the project.
#[derive(Clone, Debug, PartialEq)]
pub struct DocBlock {
    pub name: String,
    /// `doc.<project>.<name>`.
    pub unique_id: String,
    /// The block's text, stripped of leading and trailing whitespace (as
    /// dbt keeps it).
    pub contents: String,
    /// Path from the project root (`models/docs.md`).
    pub original_file_path: String,
    /// Path relative to its resource folder (`docs.md`).
    pub path: String,
}

/// The `(name, text)` of each docs block of a Markdown file, in order. A
/// block without its `{% enddocs %}` ends the search.
pub fn docs_blocks(text: &str) -> Vec<(String, String)> {
    crate::blocks::named_blocks(text, "docs")
        .into_iter()
        .map(|block| (block.name, text[block.body].trim().to_string()))
        .collect()
}

/// A description with each `{{ doc(...) }}` replaced by its block's text,
/// and the unique ids of the blocks it used, in order, without repeats.
pub struct ResolvedDescription {
    pub text: String,
    pub doc_blocks: Vec<String>,
}

/// Replaces the `doc()` calls of `description`. A call naming no block is
/// an error naming it (`Err(name)`), as in dbt.
pub fn resolve_description(
    description: &str,
    docs: &FxHashMap<&str, &DocBlock>,
) -> Result<ResolvedDescription, String> {
    let mut resolved = ResolvedDescription {
        text: String::new(),
        doc_blocks: Vec::new(),
    };
    if !description.contains("doc(") {
        resolved.text = description.to_string();
        return Ok(resolved);
    }
    let mut rest = description;
    // Set by `-}}`: the whitespace after the expression goes.
    let mut trim_next = false;
    while let Some(start) = rest.find("{{") {
        let Some(length) = rest[start..].find("}}") else {
            break;
        };
        let expression = &rest[start + 2..start + length];
        let before = if trim_next {
            rest[..start].trim_start()
        } else {
            &rest[..start]
        };
        match doc_call_name(expression) {
            Some(name) => {
                let block = docs.get(name).ok_or_else(|| name.to_string())?;
                // `{{-` takes the whitespace before the expression.
                let before = if expression.starts_with('-') {
                    before.trim_end()
                } else {
                    before
                };
                resolved.text.push_str(before);
                resolved.text.push_str(&block.contents);
                if !resolved.doc_blocks.contains(&block.unique_id) {
                    resolved.doc_blocks.push(block.unique_id.clone());
                }
                trim_next = expression.ends_with('-');
            }
            None => {
                resolved.text.push_str(before);
                resolved.text.push_str(&rest[start..start + length + 2]);
                trim_next = false;
            }
        }
        rest = &rest[start + length + 2..];
    }
    resolved
        .text
        .push_str(if trim_next { rest.trim_start() } else { rest });
    Ok(resolved)
}

/// The block name of `doc('name')` or `doc('package', 'name')` (the
/// expression between `{{` and `}}`, whitespace control included).
fn doc_call_name(expression: &str) -> Option<&str> {
    let call =
        expression.trim_matches(|character: char| character == '-' || character.is_whitespace());
    let arguments = call.strip_prefix("doc")?.trim_start();
    let arguments = arguments.strip_prefix('(')?.strip_suffix(')')?;
    let mut names = arguments.split(',').map(|argument| {
        let argument = argument.trim();
        argument
            .strip_prefix('\'')
            .and_then(|inner| inner.strip_suffix('\''))
            .or_else(|| {
                argument
                    .strip_prefix('"')
                    .and_then(|inner| inner.strip_suffix('"'))
            })
    });
    let first = names.next()??;
    match names.next() {
        None => Some(first),
        Some(second) => {
            let second = second?;
            names.next().is_none().then_some(second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(blocks: &[(&str, &str)]) -> Vec<DocBlock> {
        blocks
            .iter()
            .map(|(name, contents)| DocBlock {
                name: name.to_string(),
                unique_id: format!("doc.p.{name}"),
                contents: contents.to_string(),
                original_file_path: "models/docs.md".into(),
                path: "docs.md".into(),
            })
            .collect()
    }

    #[test]
    fn blocks_are_read_with_their_text_trimmed() {
        let text = "intro {% docs a %}\n  first\n{% enddocs %} between\n\
                    {%- docs  b -%}second{%- enddocs -%}\n{% docs unclosed %} never ends";
        assert_eq!(
            docs_blocks(text),
            vec![
                ("a".to_string(), "first".to_string()),
                ("b".to_string(), "second".to_string()),
            ]
        );
        assert!(docs_blocks("{% docs").is_empty());
        assert!(docs_blocks("{% documentation x %}{% enddocs %}").is_empty());
    }

    #[test]
    fn doc_calls_are_replaced_and_other_jinja_is_kept() {
        let blocks = blocks(&[("a", "Alpha"), ("b", "Beta")]);
        let docs: FxHashMap<&str, &DocBlock> = blocks
            .iter()
            .map(|block| (block.name.as_str(), block))
            .collect();
        let resolved = resolve_description(
            "x {{ doc('a') }}, {{ doc(\"p\", 'b') }} {{ var('v') }} {{ doc('a') }}",
            &docs,
        )
        .unwrap();
        assert_eq!(resolved.text, "x Alpha, Beta {{ var('v') }} Alpha");
        assert_eq!(resolved.doc_blocks, vec!["doc.p.a", "doc.p.b"]);
        // Whitespace control takes the spaces on its side.
        let resolved = resolve_description("x  {{- doc('a') -}}  y", &docs).unwrap();
        assert_eq!(resolved.text, "xAlphay");
        // Not calls of doc(): kept as written.
        for text in [
            "{{ doc() }}",
            "{{ doc('a', 'b', 'c') }}",
            "{{ doc(a) }}",
            "{{ doc('a'",
        ] {
            assert_eq!(resolve_description(text, &docs).unwrap().text, text);
        }
        assert_eq!(
            resolve_description("{{ doc('missing') }}", &docs).err(),
            Some("missing".to_string())
        );
    }
}
