//! Postgres' lexer: a logos token definition mapped onto the shared
//! [`TokenKind`]s.
//!
//! Standard strings (`'...'`, `''` escapes), `E'...'` with backslash
//! escapes, bit and hex strings (`B'0101'`, `X'ff'`), `$tag$...$tag$`
//! dollar quoting, nested block comments, `$1` parameters, and Postgres'
//! operator zoo (`->>`, `#>`, `#>>`, `@>`, `<@`, `?|`, `&&`, `||`...).

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
    #[regex(r"[A-Za-z_\u{80}-\u{10FFFF}][A-Za-z0-9_$\u{80}-\u{10FFFF}]*")]
    Word,
    #[token("\"", quoted_identifier)]
    #[token("U&\"", quoted_identifier)]
    #[token("u&\"", quoted_identifier)]
    QuotedIdent(Terminated),
    #[token("'", plain_string)]
    #[token("B'", plain_string)]
    #[token("b'", plain_string)]
    #[token("X'", plain_string)]
    #[token("x'", plain_string)]
    #[token("N'", plain_string)]
    #[token("n'", plain_string)]
    #[token("U&'", plain_string)]
    #[token("u&'", plain_string)]
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
    #[regex(r"0[oO][0-7_]+")]
    Number,
    #[regex(r"\$[0-9]+")]
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
    #[token("#")]
    #[token("#>")]
    #[token("#>>")]
    #[token("#-")]
    #[token("@>")]
    #[token("<@")]
    #[token("@")]
    #[token("@@")]
    #[token("@?")]
    #[token("?")]
    #[token("?|")]
    #[token("?&")]
    #[token("&&")]
    #[token("~~")]
    #[token("~~*")]
    #[token("!~~")]
    #[token("!~~*")]
    #[token("~*")]
    #[token("!~")]
    #[token("!~*")]
    #[token("^@")]
    #[token("<->")]
    #[token("!")]
    #[token("|/")]
    #[token("||/")]
    #[token("-|-")]
    #[token("&<")]
    #[token("&>")]
    #[token("<<|")]
    #[token("|>>")]
    Punctuation,
}

fn block_comment(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_block_comment(lexer.remainder(), true);
    lexer.bump(scanned.length);
    scanned.terminated
}

fn quoted_identifier(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_quoted(lexer.remainder(), b'"', false);
    lexer.bump(scanned.length);
    scanned.terminated
}

fn plain_string(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_quoted(lexer.remainder(), b'\'', false);
    lexer.bump(scanned.length);
    scanned.terminated
}

fn escape_string(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let scanned = lexing::scan_quoted(lexer.remainder(), b'\'', true);
    lexer.bump(scanned.length);
    scanned.terminated
}

/// The body of `$tag$ ... $tag$` after its opening delimiter.
fn dollar_string(lexer: &mut logos::Lexer<RawToken>) -> Terminated {
    let delimiter = lexer.slice();
    let scanned = lexing::scan_to_delimiter(lexer.remainder(), delimiter, false);
    lexer.bump(scanned.length);
    scanned.terminated
}

/// Splits Postgres SQL into tokens. Never fails: unterminated forms and
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
            RawToken::EscapeString(terminated) => {
                sink.push(TokenKind::EscapeString, span, terminated)
            }
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
    fn postgres_forms() {
        assert_eq!(
            texts("j #>> '{a}' E'\\n' $f$x$f$ $1 /* a /* b */ */ x::int[] @> ?|"),
            [
                "j", "#>>", "'{a}'", "E'\\n'", "$f$x$f$", "$1", "x", "::", "int", "[", "]", "@>",
                "?|"
            ]
        );
        assert_eq!(lex("$$abc")[0].flags, Token::UNTERMINATED);
    }
}
