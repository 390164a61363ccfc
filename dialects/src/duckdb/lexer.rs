//! DuckDB's lexer: a logos token definition mapped onto the shared
//! [`TokenKind`]s.
//!
//! Strings, quoted identifiers, dollar-quoted strings and block comments are
//! scanned by small callbacks rather than regexes, because their ends depend
//! on escapes, nesting and tags, and because an unterminated one must become a
//! flagged token instead of a lexing failure.

use crate::syntax::token::{Keyword, Token, TokenKind};
use fusion_ir::span::Span;
use logos::Logos;

/// What a quoted form's callback found: whether the closing quote was there.
type Terminated = bool;

#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
enum RawToken {
    #[regex(r"--[^\n]*", allow_greedy = true)]
    LineComment,
    #[token("/*", block_comment)]
    BlockComment(Terminated),
    #[regex(r"[A-Za-z_\u{80}-\u{10FFFF}][A-Za-z0-9_$\u{80}-\u{10FFFF}]*")]
    Word,
    #[token("\"", quoted_identifier)]
    QuotedIdent(Terminated),
    #[token("'", plain_string)]
    String(Terminated),
    #[token("E'", escape_string)]
    #[token("e'", escape_string)]
    EscapeString(Terminated),
    #[regex(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", dollar_string)]
    DollarString(Terminated),
    #[regex(r"[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?")]
    #[regex(r"\.[0-9][0-9_]*([eE][+-]?[0-9_]+)?")]
    #[regex(r"0[xX][0-9A-Fa-f_]+")]
    #[regex(r"0[bB][01_]+")]
    Number,
    #[token("?")]
    #[regex(r"\$[0-9]+")]
    Parameter,
    #[token("(")]
    LeftParen,
    #[token(")")]
    RightParen,
    #[token("[")]
    LeftBracket,
    #[token("]")]
    RightBracket,
    #[token("{")]
    LeftBrace,
    #[token("}")]
    RightBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semicolon,
    #[token(".")]
    Dot,
    #[token(":")]
    Colon,
    #[token("::")]
    DoubleColon,
    #[token(":=")]
    ColonEquals,
    #[token("=>")]
    FatArrow,
    #[token("->")]
    Arrow,
    #[token("->>")]
    LongArrow,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    DoubleSlash,
    #[token("%")]
    Percent,
    #[token("^")]
    Caret,
    #[token("**")]
    DoubleStar,
    #[token("||")]
    Concat,
    #[token("=")]
    Equals,
    #[token("==")]
    DoubleEquals,
    #[token("!=")]
    #[token("<>")]
    NotEquals,
    #[token("<")]
    Less,
    #[token("<=")]
    LessEquals,
    #[token(">")]
    Greater,
    #[token(">=")]
    GreaterEquals,
    #[token("&")]
    Ampersand,
    #[token("|")]
    Pipe,
    #[token("~")]
    Tilde,
    #[token("<<")]
    ShiftLeft,
    #[token(">>")]
    ShiftRight,
    #[token("@>")]
    #[token("<@")]
    #[token("<->")]
    #[token("~~")]
    #[token("~~*")]
    #[token("!~~")]
    #[token("!~~*")]
    #[token("~*")]
    #[token("!~")]
    #[token("!~*")]
    #[token("^@")]
    #[token("&&")]
    #[token("@")]
    #[token("!")]
    #[token("#")]
    #[token("<=>")]
    OtherOperator,
}

/// Scans a `'...'` string whose opening quote was consumed; `''` is an
/// escaped quote.
fn plain_string(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    scan_quoted(lexer, b'\'', false)
}

/// Scans an `E'...'` string: backslash escapes any character, `''` too.
fn escape_string(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    scan_quoted(lexer, b'\'', true)
}

fn quoted_identifier(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    scan_quoted(lexer, b'"', false)
}

fn scan_quoted(
    lexer: &mut logos::Lexer<RawToken>,
    quote: u8,
    backslash_escapes: bool,
) -> Terminated {
    let bytes = lexer.remainder().as_bytes();
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
            lexer.bump(index + 1);
            return true;
        }
        index += 1;
    }
    lexer.bump(bytes.len());
    false
}

/// Scans the body of `$tag$ ... $tag$` after its opening delimiter.
fn dollar_string(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let delimiter = lexer.slice();
    let remainder = lexer.remainder();
    match remainder.find(delimiter) {
        Some(position) => {
            lexer.bump(position + delimiter.len());
            true
        }
        None => {
            lexer.bump(remainder.len());
            false
        }
    }
}

/// Scans a block comment after its `/*`; comments nest, as in Postgres.
fn block_comment(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let bytes = lexer.remainder().as_bytes();
    let mut depth = 1usize;
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'*' && bytes.get(index + 1) == Some(&b'/') {
            depth -= 1;
            index += 2;
            if depth == 0 {
                lexer.bump(index);
                return true;
            }
        } else if bytes[index] == b'/' && bytes.get(index + 1) == Some(&b'*') {
            depth += 1;
            index += 2;
        } else {
            index += 1;
        }
    }
    lexer.bump(bytes.len());
    false
}

/// Splits DuckDB SQL into tokens. Never fails: unterminated forms and stray
/// characters come back as tokens flagged [`Token::UNTERMINATED`] or
/// [`Token::INVALID`]. Terminated comments are dropped. The result does not
/// end with [`TokenKind::EndOfInput`]; the parser adds it.
pub fn lex(sql: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(sql.len() / 4 + 1);
    let mut lexer = RawToken::lexer(sql);
    while let Some(result) = lexer.next() {
        let span = Span::from_range(lexer.span());
        let raw = match result {
            Ok(raw) => raw,
            Err(()) => {
                // `$name` is a named parameter; logos reports it as an error
                // because `$name$` would have opened a dollar-quoted string.
                let text = lexer.slice();
                let named_parameter = text.len() > 1
                    && text.starts_with('$')
                    && text[1..]
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
                if named_parameter {
                    tokens.push(Token::new(TokenKind::Parameter, span));
                    continue;
                }
                let mut token = Token::new(TokenKind::Unknown, span);
                token.flags = Token::INVALID;
                tokens.push(token);
                continue;
            }
        };
        let (kind, terminated) = match raw {
            RawToken::LineComment => continue,
            RawToken::BlockComment(true) => continue,
            RawToken::BlockComment(false) => (TokenKind::Comment, false),
            RawToken::Word => {
                let mut token = Token::new(TokenKind::Word, span);
                token.keyword = Keyword::lookup(lexer.slice());
                tokens.push(token);
                continue;
            }
            RawToken::QuotedIdent(terminated) => (TokenKind::QuotedIdent, terminated),
            RawToken::String(terminated) => (TokenKind::String, terminated),
            RawToken::EscapeString(terminated) => (TokenKind::EscapeString, terminated),
            RawToken::DollarString(terminated) => (TokenKind::DollarString, terminated),
            RawToken::Number => (TokenKind::Number, true),
            RawToken::Parameter => (TokenKind::Parameter, true),
            RawToken::LeftParen => (TokenKind::LeftParen, true),
            RawToken::RightParen => (TokenKind::RightParen, true),
            RawToken::LeftBracket => (TokenKind::LeftBracket, true),
            RawToken::RightBracket => (TokenKind::RightBracket, true),
            RawToken::LeftBrace => (TokenKind::LeftBrace, true),
            RawToken::RightBrace => (TokenKind::RightBrace, true),
            RawToken::Comma => (TokenKind::Comma, true),
            RawToken::Semicolon => (TokenKind::Semicolon, true),
            RawToken::Dot => (TokenKind::Dot, true),
            RawToken::Colon => (TokenKind::Colon, true),
            RawToken::DoubleColon => (TokenKind::DoubleColon, true),
            RawToken::ColonEquals => (TokenKind::ColonEquals, true),
            RawToken::FatArrow => (TokenKind::FatArrow, true),
            RawToken::Arrow => (TokenKind::Arrow, true),
            RawToken::LongArrow => (TokenKind::LongArrow, true),
            RawToken::Plus => (TokenKind::Plus, true),
            RawToken::Minus => (TokenKind::Minus, true),
            RawToken::Star => (TokenKind::Star, true),
            RawToken::Slash => (TokenKind::Slash, true),
            RawToken::DoubleSlash => (TokenKind::DoubleSlash, true),
            RawToken::Percent => (TokenKind::Percent, true),
            RawToken::Caret => (TokenKind::Caret, true),
            RawToken::DoubleStar => (TokenKind::DoubleStar, true),
            RawToken::Concat => (TokenKind::Concat, true),
            RawToken::Equals => (TokenKind::Equals, true),
            RawToken::DoubleEquals => (TokenKind::DoubleEquals, true),
            RawToken::NotEquals => (TokenKind::NotEquals, true),
            RawToken::Less => (TokenKind::Less, true),
            RawToken::LessEquals => (TokenKind::LessEquals, true),
            RawToken::Greater => (TokenKind::Greater, true),
            RawToken::GreaterEquals => (TokenKind::GreaterEquals, true),
            RawToken::Ampersand => (TokenKind::Ampersand, true),
            RawToken::Pipe => (TokenKind::Pipe, true),
            RawToken::Tilde => (TokenKind::Tilde, true),
            RawToken::ShiftLeft => (TokenKind::ShiftLeft, true),
            RawToken::ShiftRight => (TokenKind::ShiftRight, true),
            RawToken::OtherOperator => (TokenKind::OtherOperator, true),
        };
        let mut token = Token::new(kind, span);
        if !terminated {
            token.flags = Token::UNTERMINATED;
        }
        tokens.push(token);
    }
    // `$name` parameters: a `$` followed by a word is not a dollar-quote
    // opener (`$name$` would be), so logos reports the `$` as an error.
    merge_named_parameters(sql, &mut tokens);
    tokens
}

/// Turns an invalid `$` directly followed by a word into one `Parameter`.
fn merge_named_parameters(sql: &str, tokens: &mut Vec<Token>) {
    let mut index = 0;
    while index + 1 < tokens.len() {
        let current = tokens[index];
        let next = tokens[index + 1];
        if current.kind == TokenKind::Unknown
            && &sql[current.span.range()] == "$"
            && next.kind == TokenKind::Word
            && next.span.start == current.span.end
        {
            tokens[index] = Token::new(TokenKind::Parameter, current.span.cover(next.span));
            tokens.remove(index + 1);
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(TokenKind, String, u8)> {
        lex(sql)
            .into_iter()
            .map(|token| (token.kind, sql[token.span.range()].to_string(), token.flags))
            .collect()
    }

    #[test]
    fn operators_strings_and_comments() {
        let sql = "a::int ->> 'x''y' -- c\n /* a /* nested */ */ $1 $name ? e'\\n' $$z$$ 1_000.5e3 <-> !~~";
        let found = kinds(sql);
        let texts: Vec<&str> = found.iter().map(|(_, text, _)| text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "a",
                "::",
                "int",
                "->>",
                "'x''y'",
                "$1",
                "$name",
                "?",
                "e'\\n'",
                "$$z$$",
                "1_000.5e3",
                "<->",
                "!~~"
            ]
        );
        assert!(found.iter().all(|(_, _, flags)| *flags == 0));
    }

    #[test]
    fn unterminated_forms_are_flagged_not_fatal() {
        for sql in ["'abc", "\"abc", "/* abc", "$$abc", "e'abc\\'"] {
            let tokens = lex(sql);
            assert_eq!(tokens.len(), 1, "{sql}");
            assert_eq!(tokens[0].flags, Token::UNTERMINATED, "{sql}");
        }
        let tokens = lex("a \u{1} b");
        assert_eq!(tokens[1].flags, Token::INVALID);
    }
}
