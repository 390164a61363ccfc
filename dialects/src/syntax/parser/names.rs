//! Identifiers and dotted object names, and which keywords may spell them.

use super::{NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::hooks::KeywordCategory;
use crate::syntax::token::{Keyword, Token, TokenKind};

impl Parser<'_, '_> {
    pub(super) fn name_allowed(&self, token: Token, usage: NameUsage) -> bool {
        match token.kind {
            TokenKind::QuotedIdent => true,
            TokenKind::Word if token.keyword == Keyword::None => {
                // `select a from t minus select ...`: a set operator, not an alias.
                usage != NameUsage::BareAlias
                    || token.span.len() != 5
                    || !self
                        .hooks
                        .is_except_synonym(&self.text(token.span).to_ascii_uppercase())
            }
            TokenKind::Word => {
                let category = self.hooks.keyword_category(token.keyword);
                match usage {
                    NameUsage::Label => true,
                    NameUsage::Column | NameUsage::BareAlias => {
                        matches!(
                            category,
                            KeywordCategory::Unreserved | KeywordCategory::ColumnName
                        )
                    }
                    NameUsage::Function => {
                        matches!(
                            category,
                            KeywordCategory::Unreserved | KeywordCategory::TypeOrFunctionName
                        )
                    }
                }
            }
            _ => false,
        }
    }

    pub(super) fn at_name(&self, usage: NameUsage) -> bool {
        if usage == NameUsage::BareAlias && self.bare_word_starts_clause() {
            return false;
        }
        self.name_allowed(self.peek(), usage)
    }

    /// `LIMIT 10`, `OFFSET 5`, `FETCH FIRST`, `EXCEPT SELECT`: where these
    /// words are not reserved (Snowflake, Spark), what follows tells a
    /// clause from an alias (`from t offset match_condition (...)` names `t`
    /// OFFSET).
    pub(super) fn bare_word_starts_clause(&self) -> bool {
        let token = self.peek();
        if token.kind != TokenKind::Word {
            return false;
        }
        if self.at_connect_by_clause() {
            return true;
        }
        match token.keyword {
            Keyword::Limit | Keyword::Offset => {
                matches!(
                    self.peek_nth(1).kind,
                    TokenKind::Number
                        | TokenKind::Parameter
                        | TokenKind::LeftParen
                        | TokenKind::Minus
                        | TokenKind::Plus
                ) || self.nth_is_keyword(1, Keyword::All)
                    || self.nth_is_keyword(1, Keyword::Null)
            }
            Keyword::Fetch => {
                self.nth_is_keyword(1, Keyword::First) || self.nth_is_contextual_keyword(1, "NEXT")
            }
            // `from t except select ...` (Snowflake does not reserve EXCEPT).
            Keyword::Union | Keyword::Except | Keyword::Intersect => {
                self.peek_nth(1).kind == TokenKind::LeftParen
                    || [
                        Keyword::Select,
                        Keyword::With,
                        Keyword::Values,
                        Keyword::From,
                        Keyword::All,
                        Keyword::Distinct,
                    ]
                    .into_iter()
                    .any(|keyword| self.nth_is_keyword(1, keyword))
            }
            _ => false,
        }
    }

    pub(super) fn ident_from(token: Token) -> Ident {
        Ident {
            span: token.span,
            quoted: token.kind == TokenKind::QuotedIdent,
        }
    }

    pub(super) fn parse_ident(&mut self, usage: NameUsage) -> Option<Ident> {
        if self.at_name(usage) {
            Some(Self::ident_from(self.advance()))
        } else {
            self.error_expected("an identifier");
            None
        }
    }

    pub(super) fn parse_ident_list_in_parens(&mut self) -> Vec<Ident> {
        let mut idents = Vec::new();
        if !self.expect(TokenKind::LeftParen, "`(`") {
            return idents;
        }
        while let Some(ident) = self.parse_ident(NameUsage::Label) {
            idents.push(ident);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect_close_paren();
        idents
    }

    pub(super) fn parse_object_name(&mut self, usage: NameUsage) -> ObjectName {
        let mut parts = Vec::new();
        if let Some(first) = self.parse_ident(usage) {
            parts.push(first);
            while self.at(TokenKind::Dot) && self.name_allowed(self.peek_nth(1), NameUsage::Label) {
                self.advance();
                parts.push(Self::ident_from(self.advance()));
            }
        }
        ObjectName { parts }
    }
}
