//! Type names: `int`, `decimal(10, 2)`, `struct<a int>`, `varchar[]`.

use super::{NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, Token, TokenKind};
use fusion_ir::name::Name;
use fusion_ir::span::Span;

impl Parser<'_, '_> {
    /// Whether the next token closes an angle-bracketed type: `>`, or the
    /// first half of `>>` (`array<array<int>>`).
    pub(super) fn at_closing_angle(&self) -> bool {
        matches!(
            self.peek().kind,
            TokenKind::Greater | TokenKind::ShiftRight | TokenKind::GreaterEquals
        ) || self.at(TokenKind::EndOfInput)
    }

    /// Consumes one `>`, splitting `>>` and `>=` so that the rest stays.
    pub(super) fn expect_closing_angle(&mut self) {
        let token = self.peek();
        let rest = match token.kind {
            TokenKind::Greater => {
                self.advance();
                return;
            }
            TokenKind::ShiftRight => TokenKind::Greater,
            TokenKind::GreaterEquals => TokenKind::Equals,
            _ => {
                self.error_expected("`>`");
                return;
            }
        };
        // Split the token in place: its first byte closes this type.
        let split = token.span.start + 1;
        self.split_tokens.push((self.position, token));
        self.previous_end = split;
        self.tokens[self.position] = Token::new(rest, Span::new(split, token.span.end));
    }

    pub(super) fn parse_type_name(&mut self) -> TypeName {
        let start = self.start();
        if !self.enter() {
            return TypeName {
                name: Name::new("?"),
                arguments: TypeArguments::None,
                array_dimensions: 0,
                collation: None,
                span: self.span_from(start),
            };
        }
        let type_name = self.parse_type_name_inner(start);
        self.leave();
        type_name
    }

    pub(super) fn parse_type_name_inner(&mut self, start: u32) -> TypeName {
        let mut words = String::new();
        if !self.at_name(NameUsage::Label) {
            self.error_expected("a type name");
            return TypeName {
                name: Name::new("?"),
                arguments: TypeArguments::None,
                array_dimensions: 0,
                collation: None,
                span: Span::new(start, start),
            };
        }
        let first = self.advance();
        words.push_str(&self.text(first.span).to_ascii_uppercase());
        // Qualified type names (`main.my_enum`) keep their dots.
        while self.at(TokenKind::Dot) && self.name_allowed(self.peek_nth(1), NameUsage::Label) {
            self.advance();
            let part = self.advance();
            words.push('.');
            words.push_str(&self.text(part.span).to_ascii_uppercase());
        }
        // Multi-word names.
        match words.as_str() {
            // `interval day to second`: the fields are part of the type's name.
            "INTERVAL"
                if self.peek().kind == TokenKind::Word
                    && self
                        .hooks
                        .is_interval_unit(&self.text(self.peek().span).to_ascii_uppercase()) =>
            {
                let unit = self.advance();
                words.push(' ');
                words.push_str(&self.text(unit.span).to_ascii_uppercase());
                if self.at_keyword(Keyword::To) && self.peek_nth(1).kind == TokenKind::Word {
                    self.advance();
                    let unit = self.advance();
                    words.push_str(" TO ");
                    words.push_str(&self.text(unit.span).to_ascii_uppercase());
                }
            }
            "DOUBLE" if self.at_keyword(Keyword::Precision) => {
                self.advance();
                words.push_str(" PRECISION");
            }
            "CHARACTER" | "CHAR" | "BIT" if self.at_keyword(Keyword::Varying) => {
                self.advance();
                words.push_str(" VARYING");
            }
            "TIMESTAMP" | "TIME"
                if (self.at_keyword(Keyword::With) || self.at_keyword(Keyword::Without))
                    && self.nth_is_keyword(1, Keyword::Time)
                    && self.nth_is_keyword(2, Keyword::Zone) =>
            {
                let with = self.advance().keyword == Keyword::With;
                self.advance();
                self.advance();
                words.push_str(if with {
                    " WITH TIME ZONE"
                } else {
                    " WITHOUT TIME ZONE"
                });
            }
            _ => {}
        }
        let angle_type = matches!(words.as_str(), "ARRAY" | "STRUCT" | "MAP");
        let arguments = if angle_type
            && self.hooks.supports_angle_bracket_types()
            && self.at(TokenKind::Less)
        {
            self.advance();
            let arguments = if words == "STRUCT" {
                let mut fields = Vec::new();
                while !self.at_closing_angle() {
                    let Some(field) = self.parse_ident(NameUsage::Label) else {
                        break;
                    };
                    // Spark writes `struct<a: int>`.
                    self.eat(TokenKind::Colon);
                    let field_type = self.parse_type_name();
                    // `NOT NULL` and `COMMENT '...'` after a field type.
                    if self.at_keyword(Keyword::Not) && self.nth_is_keyword(1, Keyword::Null) {
                        self.advance();
                        self.advance();
                    }
                    if self.eat_contextual_keyword("COMMENT") {
                        self.advance();
                    }
                    fields.push((field, field_type));
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                TypeArguments::Fields(fields)
            } else {
                let mut types = Vec::new();
                while !self.at_closing_angle() {
                    types.push(self.parse_type_name());
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                TypeArguments::Types(types)
            };
            self.expect_closing_angle();
            arguments
        } else if self.at(TokenKind::LeftParen) {
            self.advance();
            let arguments = match words.as_str() {
                "STRUCT" | "ROW" | "UNION" => {
                    let mut fields = Vec::new();
                    while !self.at(TokenKind::RightParen) {
                        let Some(field) = self.parse_ident(NameUsage::Label) else {
                            break;
                        };
                        let field_type = self.parse_type_name();
                        fields.push((field, field_type));
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                    TypeArguments::Fields(fields)
                }
                "MAP" | "LIST" => {
                    let mut types = Vec::new();
                    while !self.at(TokenKind::RightParen) {
                        types.push(self.parse_type_name());
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                    TypeArguments::Types(types)
                }
                _ => {
                    let mut modifiers = Vec::new();
                    while !self.at(TokenKind::RightParen) {
                        let token = self.peek();
                        if matches!(
                            token.kind,
                            TokenKind::Number
                                | TokenKind::String
                                | TokenKind::Word
                                | TokenKind::QuotedIdent
                        ) {
                            self.advance();
                            modifiers.push(token.span);
                        } else {
                            self.error_expected("a type modifier");
                            break;
                        }
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                    TypeArguments::Modifiers(modifiers)
                }
            };
            self.expect_close_paren();
            arguments
        } else {
            TypeArguments::None
        };
        let mut array_dimensions = 0u8;
        while self.at(TokenKind::LeftBracket)
            && (self.peek_nth(1).kind == TokenKind::RightBracket
                || (self.peek_nth(1).kind == TokenKind::Number
                    && self.peek_nth(2).kind == TokenKind::RightBracket))
        {
            self.advance();
            if self.at(TokenKind::Number) {
                self.advance();
            }
            self.advance();
            array_dimensions = array_dimensions.saturating_add(1);
        }
        // `time(3) with time zone`: the zone may follow the precision.
        if matches!(words.as_str(), "TIMESTAMP" | "TIME")
            && (self.at_keyword(Keyword::With) || self.at_keyword(Keyword::Without))
            && self.nth_is_keyword(1, Keyword::Time)
            && self.nth_is_keyword(2, Keyword::Zone)
        {
            let with = self.advance().keyword == Keyword::With;
            self.advance();
            self.advance();
            words.push_str(if with {
                " WITH TIME ZONE"
            } else {
                " WITHOUT TIME ZONE"
            });
        }
        let collation = if self.hooks.supports_type_collation() && self.at_keyword(Keyword::Collate)
        {
            self.advance();
            self.parse_ident(NameUsage::Label)
        } else {
            None
        };
        TypeName {
            name: Name::new(&words),
            arguments,
            array_dimensions,
            collation,
            span: self.span_from(start),
        }
    }
}
