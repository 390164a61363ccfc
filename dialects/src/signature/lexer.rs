//! The tokens of the signature language, read with logos for the lalrpop
//! grammar (`grammar.lalrpop`, whose `extern` block names them).
//!
//! lalrpop's own lexer matches every token's pattern at each position; a
//! dialect's catalog of a few hundred declarations took about 30 M
//! instructions to read that way, about eight times what it takes now.

use logos::Logos;

/// One token; words and numbers keep their text.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"\s+")]
pub(super) enum Tok<'input> {
    #[token("scalar")]
    Scalar,
    #[token("volatile")]
    Volatile,
    #[token("aggregate")]
    Aggregate,
    #[token("agg")]
    Agg,
    #[token("window")]
    Window,
    #[token("table")]
    Table,
    #[token("where")]
    Where,
    #[token("in")]
    In,
    #[token("(")]
    LeftParen,
    #[token(")")]
    RightParen,
    #[token(",")]
    Comma,
    #[token("->")]
    Arrow,
    #[token("|")]
    Bar,
    #[token("?")]
    Question,
    #[token("...")]
    Ellipsis,
    #[token("<")]
    Less,
    #[token(">")]
    Greater,
    #[token("[")]
    LeftBracket,
    #[token("]")]
    RightBracket,
    #[token("!")]
    Bang,
    #[token("*")]
    Star,
    #[token("~")]
    Tilde,
    #[token("@")]
    At,
    #[regex(r"[0-9]+", |lexer| lexer.slice())]
    Number(&'input str),
    #[regex(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*", |lexer| lexer.slice())]
    Ident(&'input str),
}

impl std::fmt::Display for Tok<'_> {
    /// The token as written.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(match self {
            Tok::Scalar => "scalar",
            Tok::Volatile => "volatile",
            Tok::Aggregate => "aggregate",
            Tok::Agg => "agg",
            Tok::Window => "window",
            Tok::Table => "table",
            Tok::Where => "where",
            Tok::In => "in",
            Tok::LeftParen => "(",
            Tok::RightParen => ")",
            Tok::Comma => ",",
            Tok::Arrow => "->",
            Tok::Bar => "|",
            Tok::Question => "?",
            Tok::Ellipsis => "...",
            Tok::Less => "<",
            Tok::Greater => ">",
            Tok::LeftBracket => "[",
            Tok::RightBracket => "]",
            Tok::Bang => "!",
            Tok::Star => "*",
            Tok::Tilde => "~",
            Tok::At => "@",
            Tok::Number(text) | Tok::Ident(text) => text,
        })
    }
}

/// A character no token starts with, at a byte offset of the declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct LexError {
    pub location: usize,
}

/// The tokens of one declaration, with their byte ranges, as the grammar
/// reads them.
pub(super) struct Lexer<'input> {
    tokens: logos::SpannedIter<'input, Tok<'input>>,
}

impl<'input> Lexer<'input> {
    pub(super) fn new(text: &'input str) -> Self {
        Lexer {
            tokens: Tok::lexer(text).spanned(),
        }
    }
}

impl<'input> Iterator for Lexer<'input> {
    type Item = Result<(usize, Tok<'input>, usize), LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (token, span) = self.tokens.next()?;
        Some(match token {
            Ok(token) => Ok((span.start, token, span.end)),
            Err(()) => Err(LexError {
                location: span.start,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Lexer, Tok};

    fn tokens(text: &str) -> Vec<Tok<'_>> {
        Lexer::new(text)
            .map(|token| token.expect("a token").1)
            .collect()
    }

    #[test]
    fn words_keywords_and_marks() {
        assert_eq!(
            tokens("agg sum|total(x anystring..., t T?) -> @sum!"),
            vec![
                Tok::Agg,
                Tok::Ident("sum"),
                Tok::Bar,
                Tok::Ident("total"),
                Tok::LeftParen,
                Tok::Ident("x"),
                Tok::Ident("anystring"),
                Tok::Ellipsis,
                Tok::Comma,
                Tok::Ident("t"),
                Tok::Ident("T"),
                Tok::Question,
                Tok::RightParen,
                Tok::Arrow,
                Tok::At,
                Tok::Ident("sum"),
                Tok::Bang,
            ]
        );
        // A keyword is a keyword only as a whole word; dotted names are one
        // word.
        assert_eq!(
            tokens("tables in_x in udfs.my_fn NUMBER(38, 0)"),
            vec![
                Tok::Ident("tables"),
                Tok::Ident("in_x"),
                Tok::In,
                Tok::Ident("udfs.my_fn"),
                Tok::Ident("NUMBER"),
                Tok::LeftParen,
                Tok::Number("38"),
                Tok::Comma,
                Tok::Number("0"),
                Tok::RightParen,
            ]
        );
    }

    #[test]
    fn a_stray_character_is_an_error_at_its_offset() {
        let results: Vec<_> = Lexer::new("f(x #)").collect();
        assert!(results
            .iter()
            .any(|result| result.as_ref().err().map(|error| error.location) == Some(4)));
    }
}
