//! Splits a type name as written (`NUMBER(38, 0)`, `ARRAY<STRUCT<a INT64>>`,
//! `character varying(20)`, `int[]`) into its base name and its arguments,
//! so each dialect's `parse_type_name` only decides what the names mean.

/// A type name taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeText {
    /// The base name, upper-cased, inner whitespace collapsed to one space.
    pub base: String,
    /// The arguments between `(...)` or `<...>`, split at top-level commas
    /// and trimmed; `None` when there are no brackets.
    pub arguments: Option<Vec<String>>,
    /// Whether the arguments were in angle brackets (`ARRAY<INT64>`).
    pub angle_brackets: bool,
    /// The element type text when the name ends in `[]` (`int[]`).
    pub array_of: Option<String>,
}

impl TypeText {
    /// The arguments as unsigned numbers (`(38, 0)`), when all of them are.
    pub fn numbers(&self) -> Option<Vec<u32>> {
        self.arguments
            .as_ref()?
            .iter()
            .map(|argument| argument.trim().parse::<u32>().ok())
            .collect()
    }
}

/// Splits `text`; `None` when the brackets do not balance.
pub fn split_type_text(text: &str) -> Option<TypeText> {
    let text = text.trim();
    if let Some(stripped) = text.strip_suffix(']') {
        let open = stripped.rfind('[')?;
        let size = stripped[open + 1..].trim();
        if !size.is_empty() && size.parse::<u32>().is_err() {
            return None;
        }
        return Some(TypeText {
            base: String::new(),
            arguments: None,
            angle_brackets: false,
            array_of: Some(stripped[..open].trim().to_owned()),
        });
    }
    let open = text.find(['(', '<']);
    let (base, arguments, angle_brackets) = match open {
        None => (text, None, false),
        Some(open) => {
            let angle = text[open..].starts_with('<');
            let close = if angle { '>' } else { ')' };
            let inner = text[open + 1..].strip_suffix(close)?;
            (&text[..open], Some(split_top_level(inner)?), angle)
        }
    };
    let base = base
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    if base.is_empty() {
        return None;
    }
    Some(TypeText {
        base,
        arguments,
        angle_brackets,
        array_of: None,
    })
}

/// Splits at commas outside brackets; `None` when brackets do not balance.
pub fn split_top_level(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for character in text.chars() {
        match character {
            '(' | '[' | '<' => depth += 1,
            ')' | ']' | '>' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return None;
        }
        if character == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current).trim().to_owned());
        } else {
            current.push(character);
        }
    }
    if depth != 0 {
        return None;
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_owned());
    }
    Some(parts)
}

/// Splits a struct field `name TYPE`, `name: TYPE` or `"name" TYPE` into its
/// name and type text; `None` when there is no name (`STRUCT<INT64>`).
pub fn split_field(text: &str) -> Option<(String, &str)> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix(['"', '`']) {
        let close = rest.find(['"', '`'])?;
        let ty = rest[close + 1..].trim_start().trim_start_matches(':');
        return Some((rest[..close].to_owned(), ty));
    }
    let end = text.find(|character: char| character.is_whitespace() || character == ':')?;
    let ty = text[end..]
        .trim_start()
        .trim_start_matches(':')
        .trim_start();
    if ty.is_empty() {
        return None;
    }
    Some((text[..end].to_owned(), ty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_arguments_and_arrays() {
        let number = split_type_text("number( 38 , 2 )");
        assert_eq!(
            number.as_ref().map(|text| text.base.as_str()),
            Some("NUMBER")
        );
        assert_eq!(number.and_then(|text| text.numbers()), Some(vec![38, 2]));
        let nested = split_type_text("ARRAY<STRUCT<a INT64, b STRING>>");
        assert_eq!(
            nested.and_then(|text| text.arguments),
            Some(vec!["STRUCT<a INT64, b STRING>".to_owned()])
        );
        let varying = split_type_text("character   varying(20)");
        assert_eq!(
            varying.map(|text| text.base),
            Some("CHARACTER VARYING".to_owned())
        );
        let array = split_type_text("int[]");
        assert_eq!(array.and_then(|text| text.array_of), Some("int".to_owned()));
        assert_eq!(split_type_text("ARRAY<INT64"), None);
        assert_eq!(split_field("a: INT"), Some(("a".to_owned(), "INT")));
        assert_eq!(split_field("INT64"), None);
    }
}
