//! Interned names: identifiers as written, compared and hashed as a `u32`.
//!
//! The interner is process-wide so that names produced on different threads
//! (rayon workers rendering and parsing models in parallel) compare equal.
//! Interned strings are leaked on purpose: a compiler run interns a bounded
//! vocabulary (identifiers of one project) and keeps it for the whole run.

use rustc_hash::FxHashMap;
use std::fmt;
use std::sync::{OnceLock, RwLock};

/// An interned string. Equality is exact (case-sensitive); case folding is a
/// dialect decision and goes through [`crate::semantics::DialectSemantics`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(u32);

struct Interner {
    ids: FxHashMap<&'static str, Name>,
    strings: Vec<&'static str>,
}

fn interner() -> &'static RwLock<Interner> {
    static INTERNER: OnceLock<RwLock<Interner>> = OnceLock::new();
    INTERNER.get_or_init(|| {
        RwLock::new(Interner {
            ids: FxHashMap::default(),
            strings: Vec::new(),
        })
    })
}

impl Name {
    /// Interns `text`, returning the same `Name` for equal strings.
    pub fn new(text: &str) -> Name {
        {
            let guard = interner()
                .read()
                .unwrap_or_else(|poison| poison.into_inner());
            if let Some(&name) = guard.ids.get(text) {
                return name;
            }
        }
        let mut guard = interner()
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(&name) = guard.ids.get(text) {
            return name;
        }
        let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
        let name = Name(u32::try_from(guard.strings.len()).expect("more than 4 billion names"));
        guard.strings.push(leaked);
        guard.ids.insert(leaked, name);
        name
    }

    /// The interned text.
    pub fn as_str(self) -> &'static str {
        let guard = interner()
            .read()
            .unwrap_or_else(|poison| poison.into_inner());
        guard.strings[self.0 as usize]
    }

    /// The name with ASCII letters lower-cased (interned again only if it differs).
    pub fn to_ascii_lowercase(self) -> Name {
        let text = self.as_str();
        if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
            Name::new(&text.to_ascii_lowercase())
        } else {
            self
        }
    }

    /// The name with ASCII letters upper-cased (interned again only if it differs).
    pub fn to_ascii_uppercase(self) -> Name {
        let text = self.as_str();
        if text.bytes().any(|byte| byte.is_ascii_lowercase()) {
            Name::new(&text.to_ascii_uppercase())
        } else {
            self
        }
    }

    pub fn eq_ignore_ascii_case(self, other: Name) -> bool {
        self == other || self.as_str().eq_ignore_ascii_case(other.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:?}", self.as_str())
    }
}

impl fmt::Display for Name {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn equal_strings_intern_to_equal_names() {
        let first = Name::new("customer_id");
        let second = Name::new(&String::from("customer_id"));
        assert_eq!(first, second);
        assert_eq!(first.as_str(), "customer_id");
        assert_ne!(first, Name::new("Customer_Id"));
        assert_eq!(Name::new("Customer_Id").to_ascii_lowercase(), first);
        assert!(first.eq_ignore_ascii_case(Name::new("CUSTOMER_ID")));
    }
}
