//! The parser core shared by every SQL dialect: token kinds, the syntax
//! tree, the recursive-descent parser, the hooks through which dialects
//! differ, the lowering into `fusion_ir::query`, and text printers.
//!
//! A dialect contributes a lexer (its own logos token definition, mapped
//! onto [`token::TokenKind`]) and an implementation of
//! [`hooks::SyntaxHooks`]; [`parse_and_lower`] does the rest.

pub mod ast;
pub mod hooks;
pub mod lexing;
pub mod lower;
pub mod parser;
pub mod printer;
pub mod sql_printer;
pub mod token;
pub mod type_lowering;

use crate::Parsed;
use fusion_ir::semantics::DialectSemantics;
use fusion_ir::span::FileId;

/// Parses `tokens` of `source` and lowers every statement: the body of
/// each dialect's `Dialect::parse`.
pub fn parse_and_lower(
    source: &str,
    tokens: Vec<token::Token>,
    hooks: &dyn hooks::SyntaxHooks,
    semantics: &dyn DialectSemantics,
    file: FileId,
) -> Parsed {
    let output = parser::parse_statements(source, tokens, hooks, file);
    let statements = output
        .statements
        .iter()
        .map(|statement| lower::lower_statement(statement, source, hooks, semantics))
        .collect();
    Parsed {
        statements,
        diagnostics: output.diagnostics,
    }
}
