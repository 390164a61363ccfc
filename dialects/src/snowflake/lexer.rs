//! Snowflake's lexer: a logos token definition mapped onto the shared
//! [`TokenKind`]s.
//!
//! Snowflake differs from the Postgres family in its strings (`'...'` takes
//! both `''` and backslash escapes; `$$...$$` has no tag), its comments
//! (`//` starts a line comment; block comments do not nest), `$1` column
//! positions and `@stage` references, and `:` for paths into VARIANT values.

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
    #[regex(r"//[^\n]*", allow_greedy = true)]
    LineComment,
    #[token("/*", block_comment)]
    BlockComment(Terminated),
    #[regex(r"[A-Za-z_\u{80}-\u{10FFFF}][A-Za-z0-9_$\u{80}-\u{10FFFF}]*")]
    Word,
    /// `@stage/path` and `@~`: a stage named as a table.
    #[regex(r"@[A-Za-z0-9_~%][A-Za-z0-9_$./~%-]*")]
    Stage,
    #[token("\"", quoted_identifier)]
    QuotedIdent(Terminated),
    #[token("'", string)]
    String(Terminated),
    #[token("$$", dollar_string)]
    DollarString(Terminated),
    #[regex(r"[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?")]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?")]
    #[regex(r"0[xX][0-9A-Fa-f]+")]
    Number,
    #[token("?")]
    #[regex(r"\$[0-9]+")]
    #[regex(r"\$[A-Za-z_][A-Za-z0-9_]*")]
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
    #[token(":=")]
    #[token("=>")]
    #[token("->")]
    #[token("->>")]
    #[token("+")]
    #[token("-")]
    #[token("*")]
    #[token("/")]
    #[token("%")]
    #[token("^")]
    #[token("||")]
    #[token("=")]
    #[token("==")]
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
    #[token("@")]
    #[token("!")]
    #[token("#")]
    Punctuation,
}

fn block_comment(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_block_comment(lexer.remainder(), false);
    lexer.bump(scanned.length);
    scanned.terminated
}

fn quoted_identifier(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_quoted(lexer.remainder(), b'"', false);
    lexer.bump(scanned.length);
    scanned.terminated
}

/// `'...'`: both `''` and `\'` escape a quote.
fn string(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_quoted(lexer.remainder(), b'\'', true);
    lexer.bump(scanned.length);
    scanned.terminated
}

/// `$$...$$`: the body is literal.
fn dollar_string(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_to_delimiter(lexer.remainder(), "$$", false);
    lexer.bump(scanned.length);
    scanned.terminated
}

/// Splits Snowflake SQL into tokens. Never fails: unterminated forms and
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
            RawToken::Stage => sink.push(TokenKind::Word, span, true),
            RawToken::QuotedIdent(terminated) => {
                sink.push(TokenKind::QuotedIdent, span, terminated)
            }
            RawToken::String(terminated) => sink.push(TokenKind::String, span, terminated),
            RawToken::DollarString(terminated) => {
                sink.push(TokenKind::DollarString, span, terminated)
            }
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
    fn snowflake_forms() {
        assert_eq!(
            texts("v:a.b[0]::string // note\n'it''s \\' ok' $$x'y$$ $1 @stage/dir"),
            [
                "v",
                ":",
                "a",
                ".",
                "b",
                "[",
                "0",
                "]",
                "::",
                "string",
                "'it''s \\' ok'",
                "$$x'y$$",
                "$1",
                "@stage/dir"
            ]
        );
        let tokens = lex("'abc");
        assert_eq!(tokens[0].flags, Token::UNTERMINATED);
        let tokens = lex("a \u{1} b");
        assert_eq!(tokens[1].flags, Token::INVALID);
    }
}
