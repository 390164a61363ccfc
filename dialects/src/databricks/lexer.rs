//! Databricks' (Spark SQL's) lexer: a logos token definition mapped onto the
//! shared [`TokenKind`]s.
//!
//! Spark quotes identifiers with backquotes (doubled to escape one); both
//! `'...'` and `"..."` are strings with backslash escapes, `r'...'` raw;
//! numbers take type suffixes (`1L`, `2Y`, `3S`, `1.5BD`, `2D`, `1F`);
//! bracketed comments nest; `${name}` and `:name` are parameters.

use crate::syntax::lexing::{self, TokenSink};
use crate::syntax::token::{Token, TokenKind};
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
    #[regex(r"[A-Za-z_\u{80}-\u{10FFFF}][A-Za-z0-9_\u{80}-\u{10FFFF}]*")]
    Word,
    #[token("`", backquoted_identifier)]
    QuotedIdent(Terminated),
    #[regex(r"[rR]?'", single_quoted)]
    #[regex(r#"[rR]?""#, double_quoted)]
    String(Terminated),
    #[regex(r"[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?([lLsSyYdDfF]|[bB][dD])?")]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?([dDfF]|[bB][dD])?")]
    #[regex(r"0[xX][0-9A-Fa-f]+")]
    Number,
    #[token("?")]
    #[regex(r"\$\{[A-Za-z_][A-Za-z0-9_.]*\}")]
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
    #[token("::")]
    #[token("?::")]
    #[token("=>")]
    #[token("->")]
    #[token("+")]
    #[token("-")]
    #[token("*")]
    #[token("/")]
    #[token("%")]
    #[token("^")]
    #[token("||")]
    #[token("&&")]
    #[token("=")]
    #[token("==")]
    #[token("<=>")]
    #[token("!=")]
    #[token("<>")]
    #[token("<")]
    #[token("<=")]
    #[token(">")]
    #[token(">=")]
    #[token("&")]
    #[token("|")]
    #[token("~")]
    #[token("!")]
    #[token("<<")]
    #[token(">>")]
    #[token(">>>")]
    Punctuation,
}

fn block_comment(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_block_comment(lexer.remainder(), true);
    lexer.bump(scanned.length);
    scanned.terminated
}

fn backquoted_identifier(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_quoted(lexer.remainder(), b'`', false);
    lexer.bump(scanned.length);
    scanned.terminated
}

/// Whether the string's prefix makes it raw (no escapes).
fn is_raw(lexer: &logos::Lexer<RawToken>) -> bool {
    lexer.slice().len() > 1
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

/// Splits Databricks SQL into tokens. Never fails: unterminated forms and
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
    sink.tokens
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
    fn databricks_forms() {
        assert_eq!(
            texts("select `a``b`, \"s\\\"\", r'\\d', 1L, 1.5BD, x -> x /* a /* b */ */ ${v}"),
            [
                "select",
                "`a``b`",
                ",",
                "\"s\\\"\"",
                ",",
                "r'\\d'",
                ",",
                "1L",
                ",",
                "1.5BD",
                ",",
                "x",
                "->",
                "x",
                "${v}"
            ]
        );
        assert_eq!(lex("'abc")[0].flags, Token::UNTERMINATED);
    }
}
