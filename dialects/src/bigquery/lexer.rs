//! BigQuery's lexer: a logos token definition mapped onto the shared
//! [`TokenKind`]s.
//!
//! BigQuery quotes identifiers with backquotes (`` `project.dataset.table` ``
//! is one token), and both `'...'` and `"..."` are strings with backslash
//! escapes, optionally triple-quoted and prefixed with `r` (raw) or `b`
//! (bytes). `#` starts a line comment; `@name` and `@@name` are parameters
//! and system variables.

use crate::syntax::lexing::{self, TokenSink};
use crate::syntax::token::{Keyword, Token, TokenKind};
use fusion_ir::span::Span;
use logos::Logos;

/// What a quoted form's callback found: whether the closing quote was there.
type Terminated = bool;

#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
enum RawToken {
    #[regex(r"--[^\n]*", allow_greedy = true)]
    #[regex(r"#[^\n]*", allow_greedy = true)]
    LineComment,
    #[token("/*", block_comment)]
    BlockComment(Terminated),
    #[regex(r"[A-Za-z_\u{80}-\u{10FFFF}][A-Za-z0-9_\u{80}-\u{10FFFF}]*")]
    Word,
    #[token("`", backquoted_identifier)]
    QuotedIdent(Terminated),
    /// Strings with backslash escapes; `r` makes them raw, `b` bytes.
    #[regex(r#"([bB]|[rR]|[bB][rR]|[rR][bB])?'"#, single_quoted)]
    #[regex(r#"([bB]|[rR]|[bB][rR]|[rR][bB])?""#, double_quoted)]
    #[regex(r#"([bB]|[rR]|[bB][rR]|[rR][bB])?'''"#, triple_single_quoted)]
    #[regex(r#"([bB]|[rR]|[bB][rR]|[rR][bB])?""""#, triple_double_quoted)]
    String(Terminated),
    #[regex(r"[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?")]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?")]
    #[regex(r"0[xX][0-9A-Fa-f]+")]
    Number,
    #[token("?")]
    #[regex(r"@@?[A-Za-z_][A-Za-z0-9_.]*")]
    Parameter,
    #[token("(")]
    #[token(")")]
    #[token("[")]
    #[token("]")]
    #[token("{")]
    #[token("}")]
    #[token(",")]
    #[token(";")]
    #[token(".")]
    #[token(":")]
    #[token("=>")]
    #[token("->")]
    #[token("+")]
    #[token("-")]
    #[token("*")]
    #[token("/")]
    #[token("%")]
    #[token("^")]
    #[token("||")]
    #[token("=")]
    #[token("!=")]
    #[token("<>")]
    #[token("<")]
    #[token("<=")]
    #[token(">")]
    #[token(">=")]
    #[token("&")]
    #[token("|")]
    #[token("~")]
    #[token("<<")]
    #[token(">>")]
    #[token("|>")]
    Punctuation,
}

fn block_comment(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_block_comment(lexer.remainder(), false);
    lexer.bump(scanned.length);
    scanned.terminated
}

fn backquoted_identifier(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_backslash_quoted(lexer.remainder(), b'`', true);
    lexer.bump(scanned.length);
    scanned.terminated
}

/// Whether the prefix before the quote makes the string raw (no escapes).
fn is_raw(lexer: &logos::Lexer<RawToken>) -> bool {
    lexer
        .slice()
        .bytes()
        .any(|byte| byte == b'r' || byte == b'R')
}

fn single_quoted(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_backslash_quoted(lexer.remainder(), b'\'', !is_raw(lexer));
    lexer.bump(scanned.length);
    scanned.terminated
}

fn double_quoted(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_backslash_quoted(lexer.remainder(), b'"', !is_raw(lexer));
    lexer.bump(scanned.length);
    scanned.terminated
}

fn triple_single_quoted(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_to_delimiter(lexer.remainder(), "'''", !is_raw(lexer));
    lexer.bump(scanned.length);
    scanned.terminated
}

fn triple_double_quoted(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_to_delimiter(lexer.remainder(), "\"\"\"", !is_raw(lexer));
    lexer.bump(scanned.length);
    scanned.terminated
}

/// Splits BigQuery SQL into tokens. Never fails: unterminated forms and
/// stray characters come back as flagged tokens. Terminated comments are
/// dropped; the result does not end with [`TokenKind::EndOfInput`].
pub fn lex(sql: &str) -> Vec<Token> {
    let mut sink = TokenSink::with_capacity_for(sql);
    let mut lexer = RawToken::lexer(sql);
    while let Some(result) = lexer.next() {
        let span = Span::from_range(lexer.span());
        let Ok(raw) = result else {
            sink.push_invalid(span);
            continue;
        };
        match raw {
            RawToken::LineComment => {}
            RawToken::BlockComment(terminated) => sink.push_comment(span, terminated),
            RawToken::Word => sink.push_word(span, lexer.slice()),
            RawToken::QuotedIdent(terminated) => {
                sink.push(TokenKind::QuotedIdent, span, terminated)
            }
            RawToken::String(terminated) => sink.push(TokenKind::String, span, terminated),
            RawToken::Number => sink.push(TokenKind::Number, span, true),
            RawToken::Parameter => sink.push(TokenKind::Parameter, span, true),
            RawToken::Punctuation => sink.push(lexing::punctuation_kind(lexer.slice()), span, true),
        }
    }
    split_number_led_parts(sql, sink.tokens)
}

/// `t.1a`, `data.144A_FLAG`, `dataset.25_sales`: after a name and a dot, a
/// part of a path may start with digits. The number rule read `.1` as a
/// number; when it is glued to the name before it, the dot is split off and
/// the digits join the letters glued after them as one word.
fn split_number_led_parts(sql: &str, tokens: Vec<Token>) -> Vec<Token> {
    let mut result: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let glued_to_name = result.last().is_some_and(|previous| {
            previous.span.end == token.span.start
                && (previous.kind == TokenKind::QuotedIdent
                    || (previous.kind == TokenKind::Word && previous.keyword == Keyword::None))
        });
        let text = sql.get(token.span.range()).unwrap_or("");
        if token.kind != TokenKind::Number || !glued_to_name || !text.starts_with('.') {
            result.push(token);
            continue;
        }
        let start = token.span.start;
        let mut end = token.span.end;
        while let Some(next) = tokens.peek() {
            if next.kind != TokenKind::Word || next.span.start != end {
                break;
            }
            end = next.span.end;
            tokens.next();
        }
        result.push(Token::new(TokenKind::Dot, Span::new(start, start + 1)));
        result.push(Token::new(TokenKind::Word, Span::new(start + 1, end)));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<String> {
        lex(sql)
            .into_iter()
            .map(|token| sql[token.span.range()].to_string())
            .collect()
    }

    #[test]
    fn bigquery_forms() {
        assert_eq!(
            texts("select `p.d.t`, r'a\\d', b\"x\", '''a'b''', \"q\\\"\" # c\n @p @@v"),
            [
                "select",
                "`p.d.t`",
                ",",
                "r'a\\d'",
                ",",
                "b\"x\"",
                ",",
                "'''a'b'''",
                ",",
                "\"q\\\"\"",
                "@p",
                "@@v"
            ]
        );
        assert_eq!(lex("`abc")[0].flags, Token::UNTERMINATED);
        assert_eq!(
            texts("t.1a, d.144A_F, x .5"),
            ["t", ".", "1a", ",", "d", ".", "144A_F", ",", "x", ".5"]
        );
    }
}
