//! Substring search tuned for the frontend's searches, where the match is
//! usually close: the next literal chunk of a template in its rendered text,
//! the next `name:` key in a YAML file, the next `{%` of a template.
//!
//! `str::find` with a string pattern sets up a two-way searcher on every
//! call, which costs more than the short distance it then scans. Here the
//! needle's rarest byte is found with `memchr` and the needle compared in
//! place; after a bounded number of false starts, the general search takes
//! over, so a pathological text costs no more than a full search plus that
//! bound.

/// How many candidates are checked before the general search takes over.
const NEAR_CANDIDATES: usize = 64;

/// The byte offset of the first occurrence of `needle` in `haystack`, like
/// `haystack.find(needle)`.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    let bytes = needle.as_bytes();
    if bytes.is_empty() {
        return Some(0);
    }
    if !bytes.is_ascii() {
        return haystack.find(needle);
    }
    // Candidates are found by the needle's rarest byte (in English text and
    // YAML keys), not its first: `name` is looked for by its `m`.
    let anchor = (0..bytes.len())
        .min_by_key(|&index| commonness(bytes[index]))
        .unwrap_or(0);
    let anchor_byte = bytes[anchor];
    let hay = haystack.as_bytes();
    let mut from = anchor;
    for _ in 0..NEAR_CANDIDATES {
        let at = from + memchr::memchr(anchor_byte, hay.get(from..)?)?;
        // The needle is ASCII: where its bytes match, `start` begins a
        // character.
        let start = at - anchor;
        if hay[start..].starts_with(bytes) {
            return Some(start);
        }
        from = at + 1;
    }
    // Every match left starts at or after `from - anchor`.
    let start = from - anchor;
    memchr::memmem::find(&hay[start..], bytes).map(|offset| start + offset)
}

/// How common an ASCII byte is in the texts searched (English prose and
/// identifiers), lower for rarer bytes.
fn commonness(byte: u8) -> u8 {
    match byte.to_ascii_lowercase() {
        b' ' => 20,
        b'e' => 13,
        b't' | b'a' => 9,
        b'o' | b'i' | b'n' | b's' | b'r' | b'_' => 7,
        b'h' | b'l' | b'd' | b'\n' => 4,
        b'c' | b'u' | b'm' | b'f' | b'p' | b'g' | b'w' | b'y' | b'b' | b':' | b'-' => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn agrees_with_str_find() {
        let haystack =
            "select a_name, name from {{ ref('x') }} -- naïve name: ünï\n{% set x = 1 %}";
        for needle in [
            "", "name", "name:", "{%", "ünï", "ïve", "x') }}", "missing", "\n{%", "select",
        ] {
            assert_eq!(find(haystack, needle), haystack.find(needle), "{needle:?}");
        }
    }

    #[test]
    fn many_false_starts_fall_back_to_the_general_search() {
        let haystack = format!("{}ab", "a".repeat(500));
        assert_eq!(find(&haystack, "ab"), Some(500));
        assert_eq!(find(&haystack, "ac"), None);
        let repeated = "na".repeat(200) + "name";
        assert_eq!(find(&repeated, "name"), repeated.find("name"));
        let anchored_late = "mm".repeat(200) + "é name";
        assert_eq!(find(&anchored_late, "name"), anchored_late.find("name"));
    }

    #[test]
    fn needles_anchored_inside_find_matches_next_to_multibyte_text() {
        for haystack in [
            "émé name",
            "ünï: name:",
            "é",
            "éname",
            "name",
            "x\u{1f980}m name",
        ] {
            for needle in ["name", "me", "e:", "name:", "m", "x"] {
                assert_eq!(
                    find(haystack, needle),
                    haystack.find(needle),
                    "{needle:?} in {haystack:?}"
                );
            }
        }
    }
}
