//! Substring search tuned for the frontend's searches, where the match is
//! usually close: the next literal chunk of a template in its rendered text,
//! the next `name:` key in a YAML file, the next `{%` of a template.
//!
//! `str::find` with a string pattern sets up a two-way searcher on every
//! call, which costs more than the short distance it then scans. Here the
//! needle's first byte is found with `memchr` and the rest compared in
//! place; after a bounded number of false starts, the general search takes
//! over, so a pathological text costs no more than `str::find` plus that bound.

/// How many first-byte candidates are checked before `str::find` takes over.
const NEAR_CANDIDATES: usize = 64;

/// The byte offset of the first occurrence of `needle` in `haystack`, like
/// `haystack.find(needle)`.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    let Some(&first) = needle.as_bytes().first() else {
        return Some(0);
    };
    if !first.is_ascii() {
        return haystack.find(needle);
    }
    let mut from = 0;
    for _ in 0..NEAR_CANDIDATES {
        let at = from + haystack[from..].find(char::from(first))?;
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        // `first` is ASCII, so the next byte starts a character.
        from = at + 1;
    }
    haystack[from..].find(needle).map(|offset| from + offset)
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
    }
}
