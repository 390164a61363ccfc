//! Scanning helpers shared by the dialects' logos lexers.
//!
//! Each dialect declares its own logos token definition (which quotes open
//! strings or identifiers, which comments exist, which operators). The forms
//! whose end depends on escapes, nesting or tags are scanned by these
//! functions from the lexer's remainder: they return how many bytes the form
//! still spans and whether it was closed, so an unterminated form becomes a
//! flagged token instead of a lexing failure.

use crate::syntax::token::{Keyword, Token, TokenKind};
use fusion_ir::span::Span;

/// How far a quoted form reaches past its opening quote, and whether its
/// closing quote was found.
pub struct Scanned {
    pub length: usize,
    pub terminated: bool,
}

/// Scans up to the closing `quote`. A doubled quote is an escaped quote;
/// with `backslash_escapes`, a backslash escapes the next byte too.
pub fn scan_quoted(remainder: &str, quote: u8, backslash_escapes: bool) -> Scanned {
    let bytes = remainder.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if backslash_escapes && byte == b'\\' {
            index += 2;
            continue;
        }
        if byte == quote {
            if bytes.get(index + 1) == Some(&quote) {
                index += 2;
                continue;
            }
            return Scanned {
                length: index + 1,
                terminated: true,
            };
        }
        index += 1;
    }
    Scanned {
        length: bytes.len(),
        terminated: false,
    }
}

/// Scans up to `quote` where only a backslash escapes (BigQuery and Spark
/// strings, MySQL-style backquotes do not use it): `''` is two strings.
pub fn scan_backslash_quoted(remainder: &str, quote: u8, backslash_escapes: bool) -> Scanned {
    let bytes = remainder.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if backslash_escapes && byte == b'\\' {
            index += 2;
            continue;
        }
        if byte == quote {
            return Scanned {
                length: index + 1,
                terminated: true,
            };
        }
        index += 1;
    }
    Scanned {
        length: bytes.len(),
        terminated: false,
    }
}

/// Scans up to the closing `delimiter` (`$tag$`, `'''`, `"""`), the body
/// taken literally, except that with `backslash_escapes` a backslash skips
/// the next byte.
pub fn scan_to_delimiter(remainder: &str, delimiter: &str, backslash_escapes: bool) -> Scanned {
    if !backslash_escapes {
        return match remainder.find(delimiter) {
            Some(position) => Scanned {
                length: position + delimiter.len(),
                terminated: true,
            },
            None => Scanned {
                length: remainder.len(),
                terminated: false,
            },
        };
    }
    let bytes = remainder.as_bytes();
    let delimiter = delimiter.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'\\' {
            index += 2;
            continue;
        }
        if bytes[index..].starts_with(delimiter) {
            return Scanned {
                length: index + delimiter.len(),
                terminated: true,
            };
        }
        index += 1;
    }
    Scanned {
        length: bytes.len(),
        terminated: false,
    }
}

/// Scans a block comment after its `/*`. With `nested`, comments nest
/// (Postgres); otherwise the first `*/` closes it (Snowflake, BigQuery).
pub fn scan_block_comment(remainder: &str, nested: bool) -> Scanned {
    let bytes = remainder.as_bytes();
    let mut depth = 1usize;
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'*' && bytes.get(index + 1) == Some(&b'/') {
            depth -= 1;
            index += 2;
            if depth == 0 {
                return Scanned {
                    length: index,
                    terminated: true,
                };
            }
        } else if nested && bytes[index] == b'/' && bytes.get(index + 1) == Some(&b'*') {
            depth += 1;
            index += 2;
        } else {
            index += 1;
        }
    }
    Scanned {
        length: bytes.len(),
        terminated: false,
    }
}

/// The shared kind of an operator or punctuation spelling. Spellings the
/// core has no kind for become [`TokenKind::OtherOperator`], kept by text.
pub fn punctuation_kind(text: &str) -> TokenKind {
    match text {
        "(" => TokenKind::LeftParen,
        ")" => TokenKind::RightParen,
        "[" => TokenKind::LeftBracket,
        "]" => TokenKind::RightBracket,
        "{" => TokenKind::LeftBrace,
        "}" => TokenKind::RightBrace,
        "," => TokenKind::Comma,
        ";" => TokenKind::Semicolon,
        "." => TokenKind::Dot,
        ":" => TokenKind::Colon,
        // `?::` is Databricks' try-cast operator; the parser tells the two apart.
        "::" | "?::" => TokenKind::DoubleColon,
        ":=" => TokenKind::ColonEquals,
        "=>" => TokenKind::FatArrow,
        "->" => TokenKind::Arrow,
        "->>" => TokenKind::LongArrow,
        "+" => TokenKind::Plus,
        "-" => TokenKind::Minus,
        "*" => TokenKind::Star,
        "/" => TokenKind::Slash,
        "//" => TokenKind::DoubleSlash,
        "%" => TokenKind::Percent,
        "^" => TokenKind::Caret,
        "**" => TokenKind::DoubleStar,
        "||" => TokenKind::Concat,
        "=" => TokenKind::Equals,
        "==" => TokenKind::DoubleEquals,
        "!=" | "<>" => TokenKind::NotEquals,
        "<" => TokenKind::Less,
        "<=" => TokenKind::LessEquals,
        ">" => TokenKind::Greater,
        ">=" => TokenKind::GreaterEquals,
        "&" => TokenKind::Ampersand,
        "|" => TokenKind::Pipe,
        "~" => TokenKind::Tilde,
        "<<" => TokenKind::ShiftLeft,
        ">>" => TokenKind::ShiftRight,
        _ => TokenKind::OtherOperator,
    }
}

/// Collects tokens for a dialect's `lex` function.
pub struct TokenSink {
    pub tokens: Vec<Token>,
}

impl TokenSink {
    pub fn with_capacity_for(sql: &str) -> TokenSink {
        TokenSink {
            tokens: Vec::with_capacity(sql.len() / 4 + 1),
        }
    }

    /// A token of `kind`, flagged when it is not `terminated`.
    pub fn push(&mut self, kind: TokenKind, span: Span, terminated: bool) {
        let mut token = Token::new(kind, span);
        if !terminated {
            token.flags = Token::UNTERMINATED;
        }
        self.tokens.push(token);
    }

    /// A bare word, with its keyword looked up.
    pub fn push_word(&mut self, span: Span, text: &str) {
        let mut token = Token::new(TokenKind::Word, span);
        token.keyword = Keyword::lookup(text);
        self.tokens.push(token);
    }

    /// A character no token starts with.
    pub fn push_invalid(&mut self, span: Span) {
        let mut token = Token::new(TokenKind::Unknown, span);
        token.flags = Token::INVALID;
        self.tokens.push(token);
    }

    /// An unterminated block comment (terminated ones are dropped).
    pub fn push_comment(&mut self, span: Span, terminated: bool) {
        if !terminated {
            self.push(TokenKind::Comment, span, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanners_find_the_end_or_report_none() {
        let scanned = scan_quoted("a''b' rest", b'\'', false);
        assert_eq!((scanned.length, scanned.terminated), (5, true));
        let scanned = scan_backslash_quoted("a\\'b' rest", b'\'', true);
        assert_eq!((scanned.length, scanned.terminated), (5, true));
        let scanned = scan_to_delimiter("x ' y''' z", "'''", true);
        assert_eq!((scanned.length, scanned.terminated), (8, true));
        let scanned = scan_block_comment("a /* b */ c */ d", true);
        assert_eq!((scanned.length, scanned.terminated), (14, true));
        let scanned = scan_block_comment("a /* b */ c */ d", false);
        assert_eq!((scanned.length, scanned.terminated), (9, true));
        assert!(!scan_to_delimiter("abc", "$x$", false).terminated);
        assert!(!scan_quoted("abc\\", b'\'', true).terminated);
    }

    #[test]
    fn punctuation_maps_onto_shared_kinds() {
        assert_eq!(punctuation_kind("::"), TokenKind::DoubleColon);
        assert_eq!(punctuation_kind("<>"), TokenKind::NotEquals);
        assert_eq!(punctuation_kind("#>>"), TokenKind::OtherOperator);
    }
}
