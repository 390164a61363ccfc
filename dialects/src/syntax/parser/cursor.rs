//! The token cursor: looking at, consuming and matching tokens, contextual
//! keywords, keyword sets, and checkpoints to read a stretch again.

use super::{Checkpoint, Parser};
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, Token, TokenKind};
use fusion_ir::span::Span;

/// A set of keywords, built at compile time, tested with one bit lookup.
#[derive(Clone, Copy)]
pub(super) struct KeywordSet {
    bits: [u64; 4],
}

impl KeywordSet {
    pub(super) const fn new(keywords: &[Keyword]) -> KeywordSet {
        let mut bits = [0u64; 4];
        let mut index = 0;
        while index < keywords.len() {
            let keyword = keywords[index] as usize;
            bits[keyword / 64] |= 1 << (keyword % 64);
            index += 1;
        }
        KeywordSet { bits }
    }

    #[inline]
    pub(super) const fn contains(self, keyword: Keyword) -> bool {
        let keyword = keyword as usize;
        keyword / 64 < self.bits.len() && self.bits[keyword / 64] & (1 << (keyword % 64)) != 0
    }
}

/// Keywords that start a clause of a query: recovery resumes at them.
pub(super) const CLAUSE_KEYWORDS: KeywordSet = KeywordSet::new(&[
    Keyword::From,
    Keyword::Where,
    Keyword::Group,
    Keyword::Having,
    Keyword::Qualify,
    Keyword::Window,
    Keyword::Order,
    Keyword::Limit,
    Keyword::Offset,
    Keyword::Fetch,
    Keyword::Union,
    Keyword::Intersect,
    Keyword::Except,
]);

// The token primitives are `#[inline]`: they run for every token, and
// the grammar calling them now sits in other modules.
impl<'source> Parser<'source, '_> {
    #[inline]
    pub(super) fn peek(&self) -> Token {
        self.tokens[self.position]
    }

    #[inline]
    pub(super) fn peek_nth(&self, offset: usize) -> Token {
        let last = self.tokens.len() - 1;
        self.tokens[(self.position + offset).min(last)]
    }

    #[inline]
    pub(super) fn at(&self, kind: TokenKind) -> bool {
        self.peek().kind == kind
    }

    #[inline]
    pub(super) fn at_keyword(&self, keyword: Keyword) -> bool {
        self.peek().is_keyword(keyword)
    }

    #[inline]
    pub(super) fn nth_is_keyword(&self, offset: usize, keyword: Keyword) -> bool {
        self.peek_nth(offset).is_keyword(keyword)
    }

    #[inline]
    pub(super) fn advance(&mut self) -> Token {
        let token = self.peek();
        if token.kind != TokenKind::EndOfInput {
            self.position += 1;
            self.previous_end = token.span.end;
        }
        token
    }

    #[inline]
    pub(super) fn eat(&mut self, kind: TokenKind) -> bool {
        if self.at(kind) {
            self.advance();
            true
        } else {
            false
        }
    }

    #[inline]
    pub(super) fn eat_keyword(&mut self, keyword: Keyword) -> bool {
        if self.at_keyword(keyword) {
            self.advance();
            true
        } else {
            false
        }
    }

    #[inline]
    pub(super) fn text(&self, span: Span) -> &'source str {
        self.source.get(span.range()).unwrap_or("")
    }

    #[inline]
    pub(super) fn span_from(&self, start: u32) -> Span {
        Span::new(start, self.previous_end.max(start))
    }

    #[inline]
    pub(super) fn start(&self) -> u32 {
        self.peek().span.start
    }

    /// Where the parser stands, to read a stretch again another way.
    pub(super) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            position: self.position,
            previous_end: self.previous_end,
            diagnostics: self.diagnostics.len(),
            depth: self.depth,
            recovering: self.recovering,
            split_tokens: self.split_tokens.len(),
        }
    }

    /// Goes back to `checkpoint`, dropping what was reported since and
    /// joining again the tokens split since.
    pub(super) fn restore(&mut self, checkpoint: Checkpoint) {
        while self.split_tokens.len() > checkpoint.split_tokens {
            if let Some((position, token)) = self.split_tokens.pop() {
                self.tokens[position] = token;
            }
        }
        self.position = checkpoint.position;
        self.previous_end = checkpoint.previous_end;
        self.diagnostics.truncate(checkpoint.diagnostics);
        self.depth = checkpoint.depth;
        self.recovering = checkpoint.recovering;
    }

    pub(super) fn finish(&self, kind: ExprKind, start: u32) -> Expr {
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    // ---- contextual keywords ----
    //
    // Words the grammar gives a meaning in one place only (`VIEW` after
    // `LATERAL`, `MATCH_CONDITION` after an ASOF join) are not in the keyword
    // table, so that they stay ordinary names everywhere else; they are
    // matched by their text, in any case.

    /// Whether the token `offset` ahead is the bare word `upper_case_word`.
    #[inline]
    pub(super) fn nth_is_contextual_keyword(&self, offset: usize, upper_case_word: &str) -> bool {
        let token = self.peek_nth(offset);
        token.kind == TokenKind::Word && self.text(token.span).eq_ignore_ascii_case(upper_case_word)
    }

    /// Whether the current token is the bare word `upper_case_word`.
    #[inline]
    pub(super) fn at_contextual_keyword(&self, upper_case_word: &str) -> bool {
        self.nth_is_contextual_keyword(0, upper_case_word)
    }

    /// Whether the token `offset` ahead is one of the bare words `upper_case_words`.
    pub(super) fn nth_is_any_contextual_keyword(
        &self,
        offset: usize,
        upper_case_words: &[&str],
    ) -> bool {
        let token = self.peek_nth(offset);
        token.kind == TokenKind::Word
            && upper_case_words
                .iter()
                .any(|word| self.text(token.span).eq_ignore_ascii_case(word))
    }

    /// Consumes the bare word `upper_case_word` if it is the current token.
    pub(super) fn eat_contextual_keyword(&mut self, upper_case_word: &str) -> bool {
        if self.at_contextual_keyword(upper_case_word) {
            self.advance();
            true
        } else {
            false
        }
    }
}
