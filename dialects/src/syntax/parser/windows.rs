//! Window specifications: `OVER (...)`, named windows, frames.

use super::{precedence, NameUsage, Parser};
use crate::syntax::ast::*;
use crate::syntax::token::{Keyword, TokenKind};
use fusion_ir::span::Span;

impl Parser<'_, '_> {
    pub(super) fn parse_named_windows(&mut self, windows: &mut Vec<NamedWindow>) {
        loop {
            let Some(name) = self.parse_ident(NameUsage::Label) else {
                return;
            };
            self.expect_keyword(Keyword::As);
            let spec = self.parse_window_spec_in_parens();
            windows.push(NamedWindow { name, spec });
            if !self.eat(TokenKind::Comma) {
                return;
            }
        }
    }

    pub(super) fn parse_window_spec_in_parens(&mut self) -> WindowSpec {
        let start = self.start();
        let mut spec = WindowSpec {
            base: None,
            partition_by: Vec::new(),
            order_by: Vec::new(),
            frame: None,
            span: Span::EMPTY,
        };
        if !self.expect(TokenKind::LeftParen, "`(`") {
            spec.span = self.span_from(start);
            return spec;
        }
        let token = self.peek();
        let starts_clause = token.kind == TokenKind::Word
            && matches!(
                token.keyword,
                Keyword::Partition
                    | Keyword::Order
                    | Keyword::Rows
                    | Keyword::Range
                    | Keyword::Groups
            );
        if !starts_clause && self.at_name(NameUsage::Label) {
            spec.base = Some(Self::ident_from(self.advance()));
        }
        if self.at_keyword(Keyword::Partition) {
            self.advance();
            self.expect_keyword(Keyword::By);
            loop {
                spec.partition_by.push(self.parse_expr());
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
        }
        if self.at_keyword(Keyword::Order) {
            self.advance();
            self.expect_keyword(Keyword::By);
            spec.order_by = self.parse_order_keys();
        }
        let units = match self.peek().keyword {
            Keyword::Rows => Some(FrameUnits::Rows),
            Keyword::Range => Some(FrameUnits::Range),
            Keyword::Groups => Some(FrameUnits::Groups),
            _ => None,
        };
        if let Some(units) = units.filter(|_| self.peek().kind == TokenKind::Word) {
            let frame_start = self.start();
            self.advance();
            let (start_bound, end_bound) = if self.eat_keyword(Keyword::Between) {
                let low = self.parse_frame_bound();
                self.expect_keyword(Keyword::And);
                (low, Some(self.parse_frame_bound()))
            } else {
                (self.parse_frame_bound(), None)
            };
            let exclusion = if self.at_keyword(Keyword::Exclude) {
                let exclusion_start = self.start();
                self.advance();
                if self.eat_keyword(Keyword::Current) {
                    self.expect_keyword(Keyword::Row);
                } else if self.eat_keyword(Keyword::No) {
                    self.expect_keyword(Keyword::Others);
                } else if !self.eat_keyword(Keyword::Group) && !self.eat_keyword(Keyword::Ties) {
                    self.error_expected("CURRENT ROW, GROUP, TIES or NO OTHERS");
                }
                Some(self.span_from(exclusion_start))
            } else {
                None
            };
            spec.frame = Some(WindowFrame {
                units,
                start: start_bound,
                end: end_bound,
                exclusion,
                span: self.span_from(frame_start),
            });
        }
        self.expect_close_paren();
        spec.span = self.span_from(start);
        spec
    }

    pub(super) fn parse_frame_bound(&mut self) -> FrameBound {
        if self.at_keyword(Keyword::Unbounded) {
            self.advance();
            if self.eat_keyword(Keyword::Preceding) {
                return FrameBound::UnboundedPreceding;
            }
            if self.eat_keyword(Keyword::Following) {
                return FrameBound::UnboundedFollowing;
            }
            self.error_expected("PRECEDING or FOLLOWING");
            return FrameBound::UnboundedPreceding;
        }
        if self.at_keyword(Keyword::Current) {
            self.advance();
            self.expect_keyword(Keyword::Row);
            return FrameBound::CurrentRow;
        }
        let offset = self.parse_expr_bp(precedence::AND + 1);
        if self.eat_keyword(Keyword::Preceding) {
            FrameBound::Preceding(Box::new(offset))
        } else if self.eat_keyword(Keyword::Following) {
            FrameBound::Following(Box::new(offset))
        } else {
            self.error_expected("PRECEDING or FOLLOWING");
            FrameBound::Preceding(Box::new(offset))
        }
    }
}
