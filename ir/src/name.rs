//! Interned names: identifiers as written, compared and hashed as a `u32`.
//!
//! The interner is process-wide so that names produced on different threads
//! (rayon workers rendering and parsing models in parallel) compare equal.
//! Interned strings are leaked on purpose: a compiler run interns a bounded
//! vocabulary (identifiers of one project) and keeps it for the whole run.

use rustc_hash::{FxBuildHasher, FxHashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{OnceLock, RwLock};

/// An interned string. Equality is exact (case-sensitive); case folding is a
/// dialect decision and goes through [`crate::semantics::DialectSemantics`].
///
/// The value is the name's number in the interner, with a `LOWERCASE` bit set
/// when the text has no ASCII upper-case letter (most SQL identifiers): such
/// a name is its own lower-case form, and comparing two of them ignoring case
/// is comparing the values, with no lookup. The order of names is the order
/// they were interned in, not alphabetical.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(u32);

/// The bit of a `Name` that says its text has no ASCII upper-case letter;
/// the other bits are the name's number.
const LOWERCASE: u32 = 1 << 31;

// Reading a name's text is the hot operation (the binder compares column
// names, the artifacts write them), and it runs on every rayon worker at
// once: it takes no lock and writes no shared memory. The texts live in an
// append-only table of chunks that double in size, each slot set once.
// Interning goes through one of `SHARD_COUNT` maps picked by the text's
// hash, so threads interning different names rarely wait for each other.

const SHARD_COUNT: usize = 64;
/// The first chunk holds `1 << FIRST_CHUNK_BITS` slots, each next one twice
/// as many; `CHUNK_COUNT` chunks cover every `u32`.
const FIRST_CHUNK_BITS: u32 = 10;
const CHUNK_COUNT: usize = (u32::BITS - FIRST_CHUNK_BITS + 1) as usize;

/// A name's text, and its ASCII-case-folded forms once asked for (the
/// binder folds the same identifiers over and over).
struct Entry {
    text: &'static str,
    lower: AtomicU32,
    upper: AtomicU32,
}

/// Marks a folded form not computed yet.
const NOT_FOLDED: u32 = u32::MAX;

type Chunk = Box<[OnceLock<Entry>]>;

struct Interner {
    shards: Vec<RwLock<FxHashMap<&'static str, Name>>>,
    chunks: [OnceLock<Chunk>; CHUNK_COUNT],
    next: AtomicU32,
}

fn interner() -> &'static Interner {
    static INTERNER: OnceLock<Interner> = OnceLock::new();
    INTERNER.get_or_init(|| Interner {
        shards: (0..SHARD_COUNT)
            .map(|_| RwLock::new(FxHashMap::default()))
            .collect(),
        chunks: std::array::from_fn(|_| OnceLock::new()),
        next: AtomicU32::new(0),
    })
}

/// The chunk and the slot within it of name number `index`.
fn slot_position(index: u32) -> (usize, usize) {
    let shifted = u64::from(index) + (1 << FIRST_CHUNK_BITS);
    let chunk = (u64::BITS - 1 - shifted.leading_zeros() - FIRST_CHUNK_BITS) as usize;
    let offset = (shifted - (1 << (chunk as u32 + FIRST_CHUNK_BITS))) as usize;
    (chunk, offset)
}

impl Interner {
    fn slot(&self, index: u32) -> &OnceLock<Entry> {
        let (chunk, offset) = slot_position(index);
        let slots = self.chunks[chunk].get_or_init(|| {
            let length = 1usize << (chunk as u32 + FIRST_CHUNK_BITS);
            (0..length).map(|_| OnceLock::new()).collect()
        });
        &slots[offset]
    }
}

impl Name {
    /// Interns `text`, returning the same `Name` for equal strings.
    pub fn new(text: &str) -> Name {
        let interner = interner();
        let shard = &interner.shards[FxBuildHasher.hash_one(text) as usize % SHARD_COUNT];
        {
            let guard = shard.read().unwrap_or_else(|poison| poison.into_inner());
            if let Some(&name) = guard.get(text) {
                return name;
            }
        }
        let mut guard = shard.write().unwrap_or_else(|poison| poison.into_inner());
        if let Some(&name) = guard.get(text) {
            return name;
        }
        let index = interner.next.fetch_add(1, Ordering::Relaxed);
        // The last number is left out: with the flag it would be `NOT_FOLDED`.
        assert!(index < LOWERCASE - 1, "more than 2 billion names");
        let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
        // Set before the name is handed out: whoever holds a `Name` finds
        // its slot filled.
        let _ = interner.slot(index).set(Entry {
            text: leaked,
            lower: AtomicU32::new(NOT_FOLDED),
            upper: AtomicU32::new(NOT_FOLDED),
        });
        let lowercase = if leaked.bytes().any(|byte| byte.is_ascii_uppercase()) {
            0
        } else {
            LOWERCASE
        };
        let name = Name(index | lowercase);
        guard.insert(leaked, name);
        name
    }

    fn entry(self) -> &'static Entry {
        interner()
            .slot(self.0 & !LOWERCASE)
            .get()
            .expect("a Name is created only after its text is stored")
    }

    /// True when the text has no ASCII upper-case letter.
    fn is_lowercase(self) -> bool {
        self.0 & LOWERCASE != 0
    }

    /// The interned text.
    pub fn as_str(self) -> &'static str {
        self.entry().text
    }

    /// The name with ASCII letters lower-cased (interned again only if it differs).
    pub fn to_ascii_lowercase(self) -> Name {
        if self.is_lowercase() {
            return self;
        }
        self.folded(
            |entry| &entry.lower,
            u8::is_ascii_uppercase,
            str::to_ascii_lowercase,
        )
    }

    /// The name with ASCII letters upper-cased (interned again only if it differs).
    pub fn to_ascii_uppercase(self) -> Name {
        self.folded(
            |entry| &entry.upper,
            u8::is_ascii_lowercase,
            str::to_ascii_uppercase,
        )
    }

    /// A folded form, computed once per name and kept in its entry. Two
    /// threads may compute it at once; both intern the same text, so both
    /// store the same `Name`.
    fn folded(
        self,
        cache: impl Fn(&Entry) -> &AtomicU32,
        needs_folding: fn(&u8) -> bool,
        fold: fn(&str) -> String,
    ) -> Name {
        let entry = self.entry();
        let cached = cache(entry).load(Ordering::Relaxed);
        if cached != NOT_FOLDED {
            return Name(cached);
        }
        let folded = if entry.text.as_bytes().iter().any(needs_folding) {
            Name::new(&fold(entry.text))
        } else {
            self
        };
        cache(entry).store(folded.0, Ordering::Relaxed);
        folded
    }

    /// Whether the two names are equal ignoring ASCII case; free when both
    /// are already lower case.
    pub fn eq_ignore_ascii_case(self, other: Name) -> bool {
        if self == other {
            return true;
        }
        // Two different names that are both their own lower-case forms
        // differ ignoring case too.
        if self.is_lowercase() && other.is_lowercase() {
            return false;
        }
        self.to_ascii_lowercase() == other.to_ascii_lowercase()
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

    #[test]
    fn folded_forms_are_the_same_when_asked_again() {
        let mixed = Name::new("Order_Total");
        for _ in 0..2 {
            assert_eq!(mixed.to_ascii_lowercase().as_str(), "order_total");
            assert_eq!(mixed.to_ascii_uppercase().as_str(), "ORDER_TOTAL");
        }
        let lower = Name::new("order_total");
        assert_eq!(lower.to_ascii_lowercase(), lower);
        assert_eq!(mixed.to_ascii_lowercase(), lower);
        assert!(!mixed.eq_ignore_ascii_case(Name::new("order_totals")));
    }

    #[test]
    fn case_is_ignored_between_lower_case_mixed_and_upper_case_names() {
        let lower = Name::new("ship_date");
        let upper = Name::new("SHIP_DATE");
        let mixed = Name::new("Ship_Date");
        let other = Name::new("ship_dates");
        for (left, right) in [
            (lower, upper),
            (upper, mixed),
            (mixed, lower),
            (lower, lower),
        ] {
            assert!(left.eq_ignore_ascii_case(right), "{left:?} {right:?}");
            assert!(right.eq_ignore_ascii_case(left), "{right:?} {left:?}");
        }
        for name in [lower, upper, mixed] {
            assert!(!name.eq_ignore_ascii_case(other), "{name:?}");
            assert_eq!(name.to_ascii_lowercase(), lower);
            assert_eq!(name.to_ascii_uppercase(), upper);
        }
        // Digits and punctuation have no case: such names are lower-case.
        let digits = Name::new("_2024_");
        assert_eq!(digits.to_ascii_lowercase(), digits);
        assert_eq!(digits.as_str(), "_2024_");
    }

    #[test]
    fn slot_positions_tile_the_chunks() {
        assert_eq!(super::slot_position(0), (0, 0));
        assert_eq!(super::slot_position(1023), (0, 1023));
        assert_eq!(super::slot_position(1024), (1, 0));
        assert_eq!(super::slot_position(3071), (1, 2047));
        assert_eq!(super::slot_position(3072), (2, 0));
        let (last_chunk, last_offset) = super::slot_position(u32::MAX);
        assert_eq!(last_chunk, super::CHUNK_COUNT - 1);
        assert!(last_offset < 1 << (last_chunk as u32 + super::FIRST_CHUNK_BITS));
    }

    #[test]
    fn names_interned_on_many_threads_agree() {
        let words: Vec<String> = (0..5000)
            .map(|index| format!("thread_word_{index}"))
            .collect();
        let per_thread: Vec<Vec<Name>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| words.iter().map(|word| Name::new(word)).collect::<Vec<_>>())
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .collect()
        });
        for names in &per_thread {
            assert_eq!(names, &per_thread[0]);
        }
        for (word, name) in words.iter().zip(&per_thread[0]) {
            assert_eq!(name.as_str(), word);
        }
    }
}
