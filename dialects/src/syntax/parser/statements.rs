//! Statements: the script loop, and statements other than queries, which
//! are kept opaque.

use super::Parser;
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, TokenKind};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic};

impl Parser<'_, '_> {
    pub(super) fn parse_script(&mut self) -> Vec<Statement> {
        let mut statements = Vec::new();
        loop {
            while self.eat(TokenKind::Semicolon) {}
            if self.at(TokenKind::EndOfInput) {
                break;
            }
            self.recovering = false;
            self.depth = 0;
            let start_position = self.position;
            if let Some(kind_offset) = self.with_before_statement() {
                statements.push(self.parse_opaque_statement(kind_offset));
            } else if self.at_query_start() {
                let query = self.parse_query();
                statements.push(Statement::Query(Box::new(query)));
                if !matches!(
                    self.peek().kind,
                    TokenKind::Semicolon | TokenKind::EndOfInput
                ) {
                    self.error_expected("`;` or the end of the statement");
                    self.skip_to_statement_end();
                }
            } else {
                statements.push(self.parse_opaque_statement(0));
            }
            if self.position == start_position {
                // Defensive: never loop without consuming input.
                self.advance();
            }
        }
        statements
    }

    pub(super) fn at_query_start(&self) -> bool {
        let token = self.peek();
        match token.kind {
            TokenKind::LeftParen => true,
            TokenKind::Word => match token.keyword {
                Keyword::Select | Keyword::With | Keyword::Values => true,
                Keyword::From => self.hooks.supports_from_first(),
                _ => false,
            },
            _ => false,
        }
    }

    /// `WITH s AS (...) INSERT INTO t ...`: CTEs ahead of a statement that
    /// is not a query. Returns how many tokens the WITH clause spans. The
    /// scan only counts parentheses: after each group closing at the top
    /// level, a `,`, `AS` or `USING` continues the clause and anything else
    /// follows it.
    pub(super) fn with_before_statement(&self) -> Option<usize> {
        if !self.at_keyword(Keyword::With) {
            return None;
        }
        let mut offset = 1;
        let mut depth = 0usize;
        loop {
            let token = self.peek_nth(offset);
            match token.kind {
                TokenKind::EndOfInput | TokenKind::Semicolon => return None,
                TokenKind::LeftParen => depth += 1,
                TokenKind::RightParen if depth == 0 => return None,
                TokenKind::RightParen => {
                    depth -= 1;
                    let next = self.peek_nth(offset + 1);
                    let continues = next.kind == TokenKind::Comma
                        || next.is_keyword(Keyword::As)
                        || next.is_keyword(Keyword::Using);
                    if depth == 0 && !continues {
                        let statement_follows = next.kind == TokenKind::Word
                            && !matches!(
                                next.keyword,
                                Keyword::Select | Keyword::With | Keyword::Values | Keyword::From
                            )
                            && self
                                .hooks
                                .is_statement_keyword(&self.text(next.span).to_ascii_uppercase());
                        return statement_follows.then_some(offset + 1);
                    }
                }
                _ => {}
            }
            offset += 1;
        }
    }

    /// A statement fusionc does not model: named by its leading keywords
    /// (after `kind_offset` tokens of CTEs) and skipped to the next `;`
    /// outside parentheses (strings are single tokens already).
    pub(super) fn parse_opaque_statement(&mut self, kind_offset: usize) -> Statement {
        let start = self.start();
        let leading = self.peek_nth(kind_offset);
        let leading_word = self.text(leading.span).to_ascii_uppercase();
        let known_statement =
            leading.kind == TokenKind::Word && self.hooks.is_statement_keyword(&leading_word);
        let mut kind = String::new();
        let mut words = 0;
        while self.peek_nth(kind_offset + words).kind == TokenKind::Word && words < 4 {
            let word = self
                .text(self.peek_nth(kind_offset + words).span)
                .to_ascii_uppercase();
            let describes_object = words == 0
                || matches!(
                    word.as_str(),
                    "OR" | "REPLACE"
                        | "TEMP"
                        | "TEMPORARY"
                        | "TABLE"
                        | "VIEW"
                        | "SCHEMA"
                        | "MACRO"
                        | "FUNCTION"
                        | "SEQUENCE"
                        | "INDEX"
                        | "TYPE"
                        | "SECRET"
                        | "UNIQUE"
                        | "INTO"
                        | "DATABASE"
                );
            let first_allows_more = matches!(
                kind.split(' ').next().unwrap_or(""),
                "CREATE" | "DROP" | "ALTER" | "INSERT" | "DELETE"
            );
            if !(words == 0 || (describes_object && first_allows_more)) {
                break;
            }
            if !kind.is_empty() {
                kind.push(' ');
            }
            kind.push_str(&word);
            words += 1;
        }
        if kind.is_empty() {
            kind = self.text(self.peek().span).to_string();
        }
        let mut depth = 0usize;
        loop {
            match self.peek().kind {
                TokenKind::EndOfInput => break,
                TokenKind::Semicolon if depth == 0 => break,
                TokenKind::LeftParen => depth += 1,
                TokenKind::RightParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.advance();
        }
        let span = self.span_from(start);
        if known_statement {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnsupportedStatement,
                    format!("{kind} statement kept as opaque text: fusionc does not analyse it"),
                )
                .at(self.file, span),
            );
        } else {
            // Not a statement of this dialect: most often a misspelt SELECT/WITH/FROM.
            let found = self.describe(leading);
            let mut diagnostic = Diagnostic::new(
                Code::UnexpectedToken,
                format!("expected a statement such as SELECT or WITH, found {found}"),
            )
            .with_primary(self.file, leading.span, "not the start of a statement");
            let starters = ["SELECT", "WITH", "FROM", "VALUES"];
            if let Some(suggestion) = closest_name(&leading_word, starters) {
                diagnostic = diagnostic.with_help(format!("did you mean {suggestion}?"));
            }
            self.diagnostics.push(diagnostic);
        }
        Statement::Opaque { kind, span }
    }
}
