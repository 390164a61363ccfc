//! The shared recursive-descent parser, with precedence climbing for
//! expressions.
//!
//! Parsing never fails: every function returns a node, using `Error` nodes
//! where input could not be read, and records diagnostics on the side. After
//! an error the parser is *recovering*: further errors are suppressed until
//! it reaches a clause or statement boundary, so one typo yields one error.
//!
//! Dialect differences go through [`SyntaxHooks`]; nothing here names a
//! dialect.
//!
//! This module holds the [`Parser`] state and the entry points. The token
//! cursor is in `cursor`, errors and recovery in `recovery`; each grammar
//! area is one `impl Parser` in its own file: `statements`, `query` (WITH,
//! set operations, VALUES), `select` (the select list and its clauses),
//! `from` (table references and joins), `expressions` (the Pratt loop),
//! `primary` (operands), `calls`, `windows`, `types` and `names`.

mod calls;
mod cursor;
mod expressions;
mod from;
mod names;
mod primary;
mod query;
mod recovery;
mod select;
mod statements;
mod types;
mod windows;

use crate::syntax::ast::*;
use crate::syntax::hooks::SyntaxHooks;
use crate::syntax::token::{Token, TokenKind};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::Diagnostic;
use fusion_ir::span::{FileId, Span};

/// Binding powers of expression operators, lowest first, following the
/// Postgres table that DuckDB inherits: `OR` < `AND` < `NOT` < `IS` <
/// comparison < `BETWEEN`/`IN`/`LIKE` < other operators (`||`, `->`, `@>`) <
/// `+ -` < `* / %` < `^` < `AT TIME ZONE` < `COLLATE` < unary minus <
/// `[ ]` < `::` < `.`.
pub mod precedence {
    pub const LAMBDA: u8 = 5;
    pub const OR: u8 = 10;
    pub const AND: u8 = 20;
    pub const NOT: u8 = 30;
    pub const IS: u8 = 40;
    pub const COMPARISON: u8 = 50;
    pub const PATTERN: u8 = 60;
    pub const OTHER: u8 = 70;
    pub const ADDITIVE: u8 = 80;
    pub const MULTIPLICATIVE: u8 = 90;
    pub const POWER: u8 = 100;
    pub const AT_TIME_ZONE: u8 = 110;
    pub const COLLATE: u8 = 120;
    pub const UNARY: u8 = 130;
    pub const INDEX: u8 = 140;
    pub const CAST: u8 = 150;
}

/// The syntax tree of a text and the diagnostics of reading it.
#[derive(Debug, Default)]
pub struct ParseOutput {
    pub statements: Vec<Statement>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses every statement of `source`, given its tokens (without the
/// final `EndOfInput`, which this adds).
pub fn parse_statements(
    source: &str,
    tokens: Vec<Token>,
    hooks: &dyn SyntaxHooks,
    file: FileId,
) -> ParseOutput {
    let mut parser = Parser::new(source, tokens, hooks, file);
    let statements = parser.parse_script();
    ParseOutput {
        statements,
        diagnostics: parser.diagnostics,
    }
}

/// Parses `source` as one bare expression (`x::int + 1`), for tools and
/// tests that read expressions outside a query.
pub fn parse_expression(
    source: &str,
    tokens: Vec<Token>,
    hooks: &dyn SyntaxHooks,
    file: FileId,
) -> (Expr, Vec<Diagnostic>) {
    let mut parser = Parser::new(source, tokens, hooks, file);
    let expr = parser.parse_expr();
    if !parser.at(TokenKind::EndOfInput) {
        parser.error_expected("the end of the expression");
    }
    (expr, parser.diagnostics)
}

/// What a name is used as, which decides which keywords may spell it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameUsage {
    Column,
    Function,
    /// An alias without `AS`, where a keyword would be ambiguous.
    BareAlias,
    /// After `AS`, or any place only a name may stand: every keyword is allowed.
    Label,
}

struct Parser<'source, 'hooks> {
    source: &'source str,
    tokens: Vec<Token>,
    position: usize,
    /// End of the last consumed token, for node spans.
    previous_end: u32,
    hooks: &'hooks dyn SyntaxHooks,
    file: FileId,
    diagnostics: Vec<Diagnostic>,
    depth: u32,
    /// Set by an error, cleared at the next clause or statement boundary:
    /// errors in between are consequences of the first one.
    recovering: bool,
    /// Inside a call's argument list, where `x -> ...` is a lambda.
    in_call_arguments: bool,
    /// The tokens split in two (`>>` closing two types), with their
    /// position, so that a restore can put them back.
    split_tokens: Vec<(usize, Token)>,
}

/// A parser position to return to (see `Parser::checkpoint`).
#[derive(Clone, Copy)]
struct Checkpoint {
    position: usize,
    previous_end: u32,
    diagnostics: usize,
    depth: u32,
    recovering: bool,
    split_tokens: usize,
}

impl<'source, 'hooks> Parser<'source, 'hooks> {
    fn new(
        source: &'source str,
        raw_tokens: Vec<Token>,
        hooks: &'hooks dyn SyntaxHooks,
        file: FileId,
    ) -> Self {
        let mut diagnostics = Vec::new();
        let mut tokens = Vec::with_capacity(raw_tokens.len() + 1);
        for token in raw_tokens {
            if token.flags & Token::INVALID != 0 {
                let text = source.get(token.span.range()).unwrap_or("");
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidCharacter,
                        format!("no SQL token starts with {text:?}"),
                    )
                    .at(file, token.span),
                );
                continue;
            }
            if token.flags & Token::UNTERMINATED != 0 {
                let (what, closing) = match token.kind {
                    TokenKind::Comment => ("block comment", "`*/`"),
                    TokenKind::QuotedIdent => ("quoted identifier", "the closing `\"`"),
                    TokenKind::DollarString => ("dollar-quoted string", "the closing dollar tag"),
                    _ => ("string literal", "the closing quote"),
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::UnterminatedLiteral,
                        format!("this {what} is not closed"),
                    )
                    .at(file, Span::new(token.span.start, token.span.start + 1))
                    .with_help(format!("add {closing}")),
                );
            }
            if token.kind == TokenKind::Comment {
                continue;
            }
            tokens.push(token);
        }
        let end = u32::try_from(source.len()).unwrap_or(u32::MAX);
        tokens.push(Token::new(TokenKind::EndOfInput, Span::new(end, end)));
        Parser {
            source,
            tokens,
            position: 0,
            previous_end: 0,
            hooks,
            file,
            diagnostics,
            depth: 0,
            recovering: false,
            in_call_arguments: false,
            split_tokens: Vec::new(),
        }
    }
}
