//! The token kinds every dialect's lexer maps onto, and the keyword table.
//!
//! A dialect's logos lexer decides *how* text splits into tokens (quoting
//! rules, string forms, comments); the shared parser only ever sees these
//! kinds. Tokens are 12 bytes and borrow nothing: their text is
//! `&source[span]`, so lexing allocates only the token vector.

use fusion_ir::span::Span;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The kind of a token, shared by all dialects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A bare word: an identifier or a keyword (see [`Token::keyword`]).
    Word,
    /// `"quoted identifier"` (or a dialect's other identifier quoting).
    QuotedIdent,
    /// `'string'` with `''` escapes.
    String,
    /// `E'string'` with backslash escapes.
    EscapeString,
    /// `$$string$$` or `$tag$string$tag$`.
    DollarString,
    /// `42`, `1.5`, `.5`, `1e-3`, `1_000`.
    Number,
    /// `?`, `$1`, `$name`, `:name`.
    Parameter,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    LeftBrace,
    RightBrace,
    Comma,
    Semicolon,
    Dot,
    Colon,
    DoubleColon,
    /// `:=` (named argument in DuckDB, assignment elsewhere).
    ColonEquals,
    /// `=>` (named argument).
    FatArrow,
    /// `->` (lambda, or JSON extraction).
    Arrow,
    /// `->>` (JSON extraction as text).
    LongArrow,
    Plus,
    Minus,
    Star,
    Slash,
    /// `//` (integer division in DuckDB).
    DoubleSlash,
    Percent,
    /// `^` (power in DuckDB and Postgres).
    Caret,
    /// `**` (power in DuckDB).
    DoubleStar,
    /// `||`.
    Concat,
    /// `=`.
    Equals,
    /// `==`.
    DoubleEquals,
    /// `!=` or `<>`.
    NotEquals,
    Less,
    LessEquals,
    Greater,
    GreaterEquals,
    Ampersand,
    Pipe,
    Tilde,
    ShiftLeft,
    ShiftRight,
    /// Any other operator made of symbol characters (`@>`, `<@`, `<->`,
    /// `~~`, `!~~`, `~*`, `^@`, `&&`, `@`, `!`): kept by its spelling.
    OtherOperator,
    /// A comment. Lexers drop terminated comments; an unterminated one is
    /// kept so its flag becomes a diagnostic.
    Comment,
    /// A character no token starts with (flagged [`Token::INVALID`]).
    Unknown,
    /// The end of the text. The parser's token vector always ends with one.
    EndOfInput,
}

/// One token: its kind, its keyword (for words), lexical error flags, and
/// its byte span in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// The keyword a [`TokenKind::Word`] spells, if any (`Keyword::None` otherwise).
    pub keyword: Keyword,
    /// Lexical error flags ([`Token::UNTERMINATED`], [`Token::INVALID`]).
    pub flags: u8,
    pub span: Span,
}

impl Token {
    /// A string, quoted identifier or comment that runs to the end of the text.
    pub const UNTERMINATED: u8 = 1;
    /// A character no token starts with.
    pub const INVALID: u8 = 2;

    pub fn new(kind: TokenKind, span: Span) -> Token {
        Token {
            kind,
            keyword: Keyword::None,
            flags: 0,
            span,
        }
    }

    pub fn is_keyword(&self, keyword: Keyword) -> bool {
        self.keyword == keyword && self.kind == TokenKind::Word
    }
}

macro_rules! define_keywords {
    ($( $variant:ident = $text:literal, )*) => {
        /// Words the shared grammar gives a meaning. Whether one may also be
        /// an identifier is the dialect's decision
        /// ([`crate::syntax::hooks::SyntaxHooks::keyword_category`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Keyword {
            /// Not a keyword.
            None,
            $( $variant, )*
        }

        impl Keyword {
            /// The keyword in upper case, as messages show it.
            pub fn as_str(self) -> &'static str {
                match self {
                    Keyword::None => "",
                    $( Keyword::$variant => $text, )*
                }
            }

        }

        /// Every keyword with its upper-case spelling.
        const ALL_KEYWORDS: &[(Keyword, &str)] = &[ $( (Keyword::$variant, $text), )* ];
    };
}

define_keywords! {
    All = "ALL", And = "AND", Anti = "ANTI", Any = "ANY", Array = "ARRAY", As = "AS", Asc = "ASC",
    Asof = "ASOF", At = "AT", Between = "BETWEEN", Both = "BOTH", By = "BY", Case = "CASE", Cast = "CAST",
    Character = "CHARACTER", Collate = "COLLATE", Create = "CREATE", Cross = "CROSS", Cube = "CUBE",
    Current = "CURRENT", Date = "DATE", Default = "DEFAULT", Desc = "DESC", Distinct = "DISTINCT",
    Double = "DOUBLE", Else = "ELSE", End = "END", Escape = "ESCAPE", Except = "EXCEPT",
    Exclude = "EXCLUDE", Exists = "EXISTS", False = "FALSE", Fetch = "FETCH", Filter = "FILTER",
    First = "FIRST", Following = "FOLLOWING", For = "FOR", From = "FROM", Full = "FULL", Glob = "GLOB",
    Grant = "GRANT", Group = "GROUP", Grouping = "GROUPING", Groups = "GROUPS", Having = "HAVING",
    Ignore = "IGNORE", Ilike = "ILIKE", In = "IN", Inner = "INNER", Intersect = "INTERSECT",
    Interval = "INTERVAL", Into = "INTO", Is = "IS", Isnull = "ISNULL", Join = "JOIN", Lambda = "LAMBDA",
    Last = "LAST", Lateral = "LATERAL", Leading = "LEADING", Left = "LEFT", Like = "LIKE", Limit = "LIMIT",
    Map = "MAP", Materialized = "MATERIALIZED", Name = "NAME", Natural = "NATURAL", No = "NO",
    Not = "NOT", Notnull = "NOTNULL", Null = "NULL", Nulls = "NULLS", Offset = "OFFSET", On = "ON",
    Only = "ONLY", Or = "OR", Order = "ORDER", Ordinality = "ORDINALITY", Others = "OTHERS",
    Outer = "OUTER", Over = "OVER", Partition = "PARTITION", Pivot = "PIVOT", Positional = "POSITIONAL",
    Preceding = "PRECEDING", Precision = "PRECISION", Qualify = "QUALIFY", Range = "RANGE",
    Recursive = "RECURSIVE", Rename = "RENAME", Replace = "REPLACE", Respect = "RESPECT",
    Returning = "RETURNING", Right = "RIGHT", Rollup = "ROLLUP", Row = "ROW", Rows = "ROWS",
    Sample = "SAMPLE", Select = "SELECT", Semi = "SEMI", Sets = "SETS", Similar = "SIMILAR",
    Some = "SOME", Struct = "STRUCT", Table = "TABLE", Tablesample = "TABLESAMPLE", Then = "THEN",
    Ties = "TIES", Time = "TIME", Timestamp = "TIMESTAMP", To = "TO", Trailing = "TRAILING",
    True = "TRUE", TryCast = "TRY_CAST", Unbounded = "UNBOUNDED", Union = "UNION", Unnest = "UNNEST",
    Unpivot = "UNPIVOT", Using = "USING", Values = "VALUES", Varying = "VARYING", When = "WHEN",
    Where = "WHERE", Window = "WINDOW", With = "WITH", Within = "WITHIN", Without = "WITHOUT",
    Zone = "ZONE",
}

impl Keyword {
    /// The keyword a word spells, case-insensitively, or `Keyword::None`.
    pub fn lookup(word: &str) -> Keyword {
        // No keyword is longer than 13 bytes; longer words skip the table.
        const LONGEST: usize = 13;
        if word.len() > LONGEST || word.len() < 2 {
            return Keyword::None;
        }
        // Lower-case into a stack buffer, then one hash lookup: no allocation.
        let mut buffer = [0u8; LONGEST];
        for (slot, byte) in buffer.iter_mut().zip(word.bytes()) {
            *slot = byte.to_ascii_lowercase();
        }
        keyword_table()
            .get(&buffer[..word.len()])
            .copied()
            .unwrap_or(Keyword::None)
    }
}

fn keyword_table() -> &'static FxHashMap<Box<[u8]>, Keyword> {
    static TABLE: OnceLock<FxHashMap<Box<[u8]>, Keyword>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ALL_KEYWORDS
            .iter()
            .map(|(keyword, text)| {
                (
                    text.to_ascii_lowercase().into_bytes().into_boxed_slice(),
                    *keyword,
                )
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: () = assert!(std::mem::size_of::<Token>() <= 12);

    #[test]
    fn keywords_are_found_case_insensitively() {
        assert_eq!(Keyword::lookup("select"), Keyword::Select);
        assert_eq!(Keyword::lookup("SeLeCt"), Keyword::Select);
        assert_eq!(Keyword::lookup("try_cast"), Keyword::TryCast);
        assert_eq!(Keyword::lookup("selects"), Keyword::None);
        assert_eq!(Keyword::lookup("customer_id"), Keyword::None);
    }
}
