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

use crate::syntax::ast::*;
use crate::syntax::hooks::{KeywordCategory, SyntaxHooks};
use crate::syntax::token::{Keyword, Token, TokenKind};
use fusion_ir::codes::Code;
use fusion_ir::diagnostic::{closest_name, Diagnostic};
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, UnaryOp};
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

/// How deep a statement may nest, in units: a nesting level (parentheses,
/// subqueries, calls, prefix operators) costs [`NESTING_COST`], each link of
/// a left-deep chain (`a + b + c`, `select .. union select ..`) costs
/// [`CHAIN_COST`]. Beyond the budget the statement is reported instead of
/// risking the stack: the tree, its lowering and its printers all recurse.
/// The budget allows about 100 nested levels or about 270 chained operators.
const DEPTH_BUDGET: u32 = 1_100;
const NESTING_COST: u32 = 10;
const CHAIN_COST: u32 = 4;
const TOO_DEEP: &str = "the statement nests too deeply (about 100 levels, or about 270 chained operators); fusionc stops reading it here";

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

    // ---- token access ----

    fn peek(&self) -> Token {
        self.tokens[self.position]
    }

    fn peek_nth(&self, offset: usize) -> Token {
        let last = self.tokens.len() - 1;
        self.tokens[(self.position + offset).min(last)]
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.peek().kind == kind
    }

    fn at_keyword(&self, keyword: Keyword) -> bool {
        self.peek().is_keyword(keyword)
    }

    fn nth_is_keyword(&self, offset: usize, keyword: Keyword) -> bool {
        self.peek_nth(offset).is_keyword(keyword)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek();
        if token.kind != TokenKind::EndOfInput {
            self.position += 1;
            self.previous_end = token.span.end;
        }
        token
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        if self.at(kind) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn eat_keyword(&mut self, keyword: Keyword) -> bool {
        if self.at_keyword(keyword) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn text(&self, span: Span) -> &'source str {
        self.source.get(span.range()).unwrap_or("")
    }

    fn span_from(&self, start: u32) -> Span {
        Span::new(start, self.previous_end.max(start))
    }

    fn start(&self) -> u32 {
        self.peek().span.start
    }

    // ---- diagnostics and recovery ----

    fn describe(&self, token: Token) -> String {
        match token.kind {
            TokenKind::EndOfInput => "the end of the input".to_string(),
            TokenKind::Word if token.keyword != Keyword::None => {
                format!("keyword {}", token.keyword.as_str())
            }
            TokenKind::Word | TokenKind::QuotedIdent => {
                format!("identifier `{}`", self.text(token.span))
            }
            TokenKind::String | TokenKind::EscapeString | TokenKind::DollarString => {
                "a string literal".to_string()
            }
            TokenKind::Number => format!("number `{}`", self.text(token.span)),
            _ => format!("`{}`", self.text(token.span)),
        }
    }

    /// Reports that `expected` was wanted at the current token.
    fn error_expected(&mut self, expected: &str) {
        if self.recovering {
            return;
        }
        self.recovering = true;
        let token = self.peek();
        let found = self.describe(token);
        let (code, span) = if token.kind == TokenKind::EndOfInput {
            (Code::UnexpectedEnd, token.span)
        } else {
            (Code::UnexpectedToken, token.span)
        };
        self.diagnostics.push(
            Diagnostic::new(code, format!("expected {expected}, found {found}")).with_primary(
                self.file,
                span,
                format!("expected {expected}"),
            ),
        );
    }

    fn error_at(&mut self, code: Code, span: Span, message: String) {
        if self.recovering {
            return;
        }
        self.recovering = true;
        self.diagnostics
            .push(Diagnostic::new(code, message).at(self.file, span));
    }

    fn expect(&mut self, kind: TokenKind, expected: &str) -> bool {
        if self.eat(kind) {
            true
        } else {
            self.error_expected(expected);
            false
        }
    }

    fn expect_keyword(&mut self, keyword: Keyword) -> bool {
        if self.eat_keyword(keyword) {
            true
        } else {
            self.error_expected(&format!("keyword {}", keyword.as_str()));
            false
        }
    }

    /// Expects the `)` that closes a group; if something else stands there,
    /// reports it and skips to the matching `)` so the caller resumes after
    /// the group.
    fn expect_close_paren(&mut self) {
        if self.eat(TokenKind::RightParen) {
            return;
        }
        self.error_expected("`)`");
        let mut depth = 0usize;
        loop {
            match self.peek().kind {
                TokenKind::EndOfInput | TokenKind::Semicolon => return,
                TokenKind::LeftParen => depth += 1,
                TokenKind::RightParen => {
                    if depth == 0 {
                        self.advance();
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.advance();
        }
    }

    /// Skips to a token that starts a clause, at this nesting level, or to
    /// the end of the enclosing group or statement.
    fn skip_to_clause_boundary(&mut self) {
        let mut depth = 0usize;
        loop {
            let token = self.peek();
            match token.kind {
                TokenKind::EndOfInput | TokenKind::Semicolon => return,
                TokenKind::LeftParen => depth += 1,
                TokenKind::RightParen => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                TokenKind::Word if depth == 0 && is_clause_keyword(token.keyword) => return,
                _ => {}
            }
            self.advance();
        }
    }

    /// Skips to the `;` ending this statement (not consuming it).
    fn skip_to_statement_end(&mut self) {
        while !matches!(
            self.peek().kind,
            TokenKind::EndOfInput | TokenKind::Semicolon
        ) {
            self.advance();
        }
    }

    /// Enters one level of nesting; past [`DEPTH_BUDGET`] reports the statement
    /// as too deeply nested and skips it, returning `false`.
    fn enter(&mut self) -> bool {
        self.depth += NESTING_COST;
        if self.depth > DEPTH_BUDGET {
            self.depth -= NESTING_COST;
            let span = self.peek().span;
            self.error_at(Code::UnexpectedToken, span, TOO_DEEP.to_string());
            self.skip_to_statement_end();
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth -= NESTING_COST;
    }

    /// Where the parser stands, to read a stretch again another way.
    fn checkpoint(&self) -> Checkpoint {
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
    fn restore(&mut self, checkpoint: Checkpoint) {
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

    // ---- names ----

    fn name_allowed(&self, token: Token, usage: NameUsage) -> bool {
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

    fn at_name(&self, usage: NameUsage) -> bool {
        if usage == NameUsage::BareAlias && self.bare_word_starts_clause() {
            return false;
        }
        self.name_allowed(self.peek(), usage)
    }

    /// `LIMIT 10`, `OFFSET 5`, `FETCH FIRST`, `EXCEPT SELECT`: where these
    /// words are not reserved (Snowflake, Spark), what follows tells a
    /// clause from an alias (`from t offset match_condition (...)` names `t`
    /// OFFSET).
    fn bare_word_starts_clause(&self) -> bool {
        let token = self.peek();
        if token.kind != TokenKind::Word {
            return false;
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
                self.nth_is_keyword(1, Keyword::First)
                    || self
                        .text(self.peek_nth(1).span)
                        .eq_ignore_ascii_case("NEXT")
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

    fn ident_from(token: Token) -> Ident {
        Ident {
            span: token.span,
            quoted: token.kind == TokenKind::QuotedIdent,
        }
    }

    fn parse_ident(&mut self, usage: NameUsage) -> Option<Ident> {
        if self.at_name(usage) {
            Some(Self::ident_from(self.advance()))
        } else {
            self.error_expected("an identifier");
            None
        }
    }

    fn parse_ident_list_in_parens(&mut self) -> Vec<Ident> {
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

    fn parse_object_name(&mut self, usage: NameUsage) -> ObjectName {
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

    /// A join keyword of the dialect (`ASOF`, `SEMI`...) before `JOIN`,
    /// which is no alias though the word could be one.
    fn at_dialect_join(&self) -> bool {
        let token = self.peek();
        token.kind == TokenKind::Word
            && matches!(
                token.keyword,
                Keyword::Asof | Keyword::Semi | Keyword::Anti | Keyword::Positional
            )
            && self.hooks.supports_join_keyword(token.keyword)
            && (self.nth_is_keyword(1, Keyword::Join) || self.nth_is_keyword(1, Keyword::Left))
    }

    /// `[AS] alias [(c1, c2)]` after a relation, if present.
    fn parse_table_alias(&mut self) -> Option<TableAlias> {
        let name = if self.eat_keyword(Keyword::As) {
            self.parse_ident(NameUsage::Label)?
        } else if self.at_name(NameUsage::BareAlias)
            && !self.at_distribution_clause()
            && !self.at_dialect_join()
        {
            Self::ident_from(self.advance())
        } else {
            return None;
        };
        let mut column_types = Vec::new();
        let columns = if self.at(TokenKind::LeftParen) {
            if self.hooks.supports_column_definition_lists() {
                self.parse_column_definitions(&mut column_types)
            } else {
                self.parse_ident_list_in_parens()
            }
        } else {
            Vec::new()
        };
        Some(TableAlias {
            name,
            columns,
            column_types,
        })
    }

    /// `(a, b)` or, with types, `(a int, b text)`: the columns of an alias.
    /// The types are kept only when every column has one.
    fn parse_column_definitions(&mut self, column_types: &mut Vec<TypeName>) -> Vec<Ident> {
        let mut columns = Vec::new();
        let mut types = Vec::new();
        self.advance();
        while let Some(column) = self.parse_ident(NameUsage::Label) {
            columns.push(column);
            if !matches!(self.peek().kind, TokenKind::Comma | TokenKind::RightParen) {
                types.push(self.parse_type_name());
            }
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect_close_paren();
        if types.len() == columns.len() {
            *column_types = types;
        }
        columns
    }

    /// `WITH ORDINALITY` after a table function, where the dialect has it.
    fn eat_with_ordinality(&mut self) -> bool {
        if self.hooks.supports_column_definition_lists()
            && self.at_keyword(Keyword::With)
            && self.nth_is_keyword(1, Keyword::Ordinality)
        {
            self.advance();
            self.advance();
            return true;
        }
        false
    }

    // ---- statements ----

    fn parse_script(&mut self) -> Vec<Statement> {
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

    fn at_query_start(&self) -> bool {
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
    fn with_before_statement(&self) -> Option<usize> {
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
    fn parse_opaque_statement(&mut self, kind_offset: usize) -> Statement {
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

    // ---- queries ----

    fn parse_query(&mut self) -> Query {
        let start = self.start();
        if !self.enter() {
            let span = self.span_from(start);
            return Query {
                with: None,
                body: SetExpr::Error(span),
                order_by: None,
                limit: None,
                limit_percent: false,
                offset: None,
                distribution: Vec::new(),
                span,
            };
        }
        let with = if self.at_keyword(Keyword::With) {
            Some(self.parse_with())
        } else {
            None
        };
        let body = self.parse_set_expr(0);
        let mut order_by = None;
        let mut limit = None;
        let mut limit_percent = false;
        let mut offset = None;
        let mut distribution = Vec::new();
        loop {
            if self.at_distribution_clause() {
                let clause_start = self.start();
                let keyword = self.advance().span;
                self.advance();
                self.recovering = false;
                let keys = self.parse_order_keys();
                distribution.push(Distribution {
                    keyword,
                    keys,
                    span: self.span_from(clause_start),
                });
            } else if self.at_keyword(Keyword::Order) && order_by.is_none() {
                order_by = Some(self.parse_order_by_clause());
            } else if self.at_keyword(Keyword::Limit) && limit.is_none() {
                self.advance();
                self.recovering = false;
                if self.eat_keyword(Keyword::All) {
                    continue;
                }
                let value = self.parse_expr();
                limit_percent = self.eat(TokenKind::Percent) || self.eat_word("PERCENT");
                limit = Some(value);
            } else if self.at_keyword(Keyword::Offset) && offset.is_none() {
                self.advance();
                self.recovering = false;
                offset = Some(self.parse_expr());
                if self.at_keyword(Keyword::Rows) || self.at_keyword(Keyword::Row) {
                    self.advance();
                }
            } else if self.at_keyword(Keyword::Fetch) && limit.is_none() {
                // `FETCH FIRST|NEXT n ROW|ROWS ONLY|WITH TIES`: the standard LIMIT.
                self.advance();
                self.recovering = false;
                if !self.eat_keyword(Keyword::First) && !self.eat_word("NEXT") {
                    self.error_expected("FIRST or NEXT");
                }
                if !self.at_keyword(Keyword::Row) && !self.at_keyword(Keyword::Rows) {
                    limit = Some(self.parse_expr());
                }
                if !self.eat_keyword(Keyword::Rows) && !self.eat_keyword(Keyword::Row) {
                    self.error_expected("ROW or ROWS");
                }
                if self.at_keyword(Keyword::With) && self.nth_is_keyword(1, Keyword::Ties) {
                    self.advance();
                    self.advance();
                } else {
                    self.expect_keyword(Keyword::Only);
                }
            } else {
                break;
            }
        }
        self.leave();
        Query {
            with,
            body,
            order_by,
            limit,
            limit_percent,
            offset,
            distribution,
            span: self.span_from(start),
        }
    }

    /// `CLUSTER BY`, `DISTRIBUTE BY` or `SORT BY` (Spark) starts here.
    fn at_distribution_clause(&self) -> bool {
        let token = self.peek();
        self.hooks.supports_distribution_clauses()
            && token.kind == TokenKind::Word
            && self.nth_is_keyword(1, Keyword::By)
            && ["CLUSTER", "DISTRIBUTE", "SORT"]
                .iter()
                .any(|word| self.text(token.span).eq_ignore_ascii_case(word))
    }

    fn parse_with(&mut self) -> With {
        let start = self.start();
        self.advance();
        let recursive = self.eat_keyword(Keyword::Recursive);
        let mut ctes = Vec::new();
        loop {
            let cte_start = self.start();
            // `WITH 'x' AS (...)`: DuckDB accepts a string as the name.
            let name = if self.at(TokenKind::String) {
                Some(Self::ident_from(self.advance()))
            } else {
                self.parse_ident(NameUsage::Label)
            };
            let Some(name) = name else {
                self.skip_to_clause_boundary();
                break;
            };
            let columns = if self.at(TokenKind::LeftParen) {
                self.parse_ident_list_in_parens()
            } else {
                Vec::new()
            };
            let using_key = if self.at_keyword(Keyword::Using)
                && self.text(self.peek_nth(1).span).eq_ignore_ascii_case("KEY")
            {
                self.advance();
                self.advance();
                self.parse_ident_list_in_parens()
            } else {
                Vec::new()
            };
            self.expect_keyword(Keyword::As);
            let materialized = if self.eat_keyword(Keyword::Materialized) {
                Some(true)
            } else if self.at_keyword(Keyword::Not) && self.nth_is_keyword(1, Keyword::Materialized)
            {
                self.advance();
                self.advance();
                Some(false)
            } else {
                None
            };
            let query_start = self.start();
            let query = if self.expect(TokenKind::LeftParen, "`(` and the CTE's query") {
                let query = self.parse_query();
                self.expect_close_paren();
                query
            } else {
                self.skip_to_clause_boundary();
                let span = self.span_from(query_start);
                Query {
                    with: None,
                    body: SetExpr::Error(span),
                    order_by: None,
                    limit: None,
                    limit_percent: false,
                    offset: None,
                    distribution: Vec::new(),
                    span,
                }
            };
            ctes.push(Cte {
                name,
                columns,
                using_key,
                materialized,
                query: Box::new(query),
                span: self.span_from(cte_start),
            });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        With {
            recursive,
            ctes,
            span: self.span_from(start),
        }
    }

    /// Set operations: `INTERSECT` binds tighter than `UNION` and `EXCEPT`,
    /// all left-associative.
    fn parse_set_expr(&mut self, min_precedence: u8) -> SetExpr {
        let start = self.start();
        let depth_on_entry = self.depth;
        let mut left = self.parse_set_operand();
        loop {
            let (operator, precedence) = match self.peek().keyword {
                Keyword::Union if self.peek().kind == TokenKind::Word => (SetOperator::Union, 1),
                Keyword::Except if self.peek().kind == TokenKind::Word => (SetOperator::Except, 1),
                Keyword::Intersect if self.peek().kind == TokenKind::Word => {
                    (SetOperator::Intersect, 2)
                }
                Keyword::None
                    if self.peek().kind == TokenKind::Word
                        && self.hooks.is_except_synonym(
                            &self.text(self.peek().span).to_ascii_uppercase(),
                        ) =>
                {
                    (SetOperator::Except, 1)
                }
                _ => break,
            };
            if precedence < min_precedence {
                break;
            }
            self.advance();
            self.recovering = false;
            let quantifier = if self.eat_keyword(Keyword::All) {
                SetQuantifier::All
            } else if self.eat_keyword(Keyword::Distinct) {
                SetQuantifier::Distinct
            } else {
                SetQuantifier::None
            };
            let by_name = if self.at_keyword(Keyword::By) && self.nth_is_keyword(1, Keyword::Name) {
                self.advance();
                self.advance();
                true
            } else {
                false
            };
            if !self.enter() {
                break;
            }
            let right = self.parse_set_expr(precedence + 1);
            self.leave();
            // Each operation nests the tree one level deeper on the left.
            self.depth += CHAIN_COST;
            if self.depth > DEPTH_BUDGET {
                let span = self.peek().span;
                self.error_at(Code::UnexpectedToken, span, TOO_DEEP.to_string());
                self.skip_to_statement_end();
            }
            left = SetExpr::SetOperation {
                operator,
                quantifier,
                by_name,
                left: Box::new(left),
                right: Box::new(right),
                span: self.span_from(start),
            };
        }
        self.depth = depth_on_entry;
        left
    }

    fn parse_set_operand(&mut self) -> SetExpr {
        let token = self.peek();
        match (token.kind, token.keyword) {
            (TokenKind::Word, Keyword::Select) => SetExpr::Select(Box::new(self.parse_select())),
            (TokenKind::Word, Keyword::From) if self.hooks.supports_from_first() => {
                SetExpr::Select(Box::new(self.parse_select()))
            }
            (TokenKind::Word, Keyword::Values) => {
                let values = self.parse_values();
                let alias = if self.hooks.values_query_takes_alias() {
                    self.parse_table_alias()
                } else {
                    None
                };
                SetExpr::Values(values, alias)
            }
            (TokenKind::LeftParen, _) => {
                self.advance();
                let query = self.parse_query();
                self.expect_close_paren();
                SetExpr::Parenthesized(Box::new(query))
            }
            _ => {
                self.error_expected("SELECT, VALUES or a parenthesised query");
                let span = Span::new(token.span.start, token.span.start);
                SetExpr::Error(span)
            }
        }
    }

    fn parse_values(&mut self) -> Values {
        let start = self.start();
        self.advance();
        let mut rows = Vec::new();
        loop {
            if !self.expect(TokenKind::LeftParen, "`(` and a row of values") {
                break;
            }
            let mut row = Vec::new();
            if !self.at(TokenKind::RightParen) {
                loop {
                    row.push(self.parse_expr());
                    if !self.eat(TokenKind::Comma) || self.at(TokenKind::RightParen) {
                        break;
                    }
                }
            }
            self.expect_close_paren();
            rows.push(row);
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        Values {
            rows,
            span: self.span_from(start),
        }
    }

    fn parse_select(&mut self) -> Select {
        let start = self.start();
        let mut select = Select {
            distinct: None,
            items: Vec::new(),
            from_first: false,
            from: None,
            where_clause: None,
            group_by: None,
            having: None,
            qualify: None,
            windows: Vec::new(),
            sample: None,
            top: None,
            as_value: None,
            exclude: Vec::new(),
            span: Span::EMPTY,
        };
        if self.at_keyword(Keyword::From) {
            self.advance();
            select.from_first = true;
            select.from = Some(self.parse_table_expr());
        }
        if self.eat_keyword(Keyword::Select) {
            self.recovering = false;
            if self.eat_keyword(Keyword::Distinct) {
                if self.eat_keyword(Keyword::On) {
                    let mut on = Vec::new();
                    if self.expect(TokenKind::LeftParen, "`(`") {
                        on = self.parse_expr_list_until_close();
                    }
                    select.distinct = Some(Distinct::On(on));
                } else {
                    select.distinct = Some(Distinct::Distinct);
                }
            } else {
                self.eat_keyword(Keyword::All);
            }
            if self.hooks.supports_select_top()
                && self.peek().kind == TokenKind::Word
                && self.text(self.peek().span).eq_ignore_ascii_case("TOP")
                && matches!(
                    self.peek_nth(1).kind,
                    TokenKind::Number | TokenKind::LeftParen | TokenKind::Parameter
                )
            {
                self.advance();
                select.top = Some(self.parse_expr_bp(precedence::UNARY));
            }
            if self.hooks.supports_select_as_value()
                && self.at_keyword(Keyword::As)
                && self.peek_nth(1).kind == TokenKind::Word
                && (self.nth_is_keyword(1, Keyword::Struct)
                    || self
                        .text(self.peek_nth(1).span)
                        .eq_ignore_ascii_case("VALUE"))
            {
                self.advance();
                select.as_value = Some(self.advance().span);
            }
            self.parse_select_items(&mut select.items);
            if self.at_select_list_exclude() {
                self.advance();
                if self.at(TokenKind::LeftParen) {
                    select.exclude = self.parse_ident_list_in_parens();
                } else {
                    while let Some(column) = self.parse_ident(NameUsage::Column) {
                        select.exclude.push(column);
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                }
            }
        }
        self.parse_select_clauses(&mut select);
        select.span = self.span_from(start);
        select
    }

    fn parse_select_items(&mut self, items: &mut Vec<SelectItem>) {
        loop {
            if self.at_select_list_end() {
                if items.is_empty() {
                    self.error_expected("a select item");
                }
                break;
            }
            let item_start = self.start();
            let prefix_alias = self.parse_prefix_alias();
            let expr = self.parse_expr();
            let alias = if prefix_alias.is_some() {
                prefix_alias
            } else if self.eat_keyword(Keyword::As) {
                self.parse_ident(NameUsage::Label)
            } else if self.at_name(NameUsage::BareAlias) && !self.at_select_list_exclude() {
                Some(Self::ident_from(self.advance()))
            } else if self.at(TokenKind::String) {
                // `select 1 'one'`: a string as an alias (DuckDB, Postgres).
                Some(Self::ident_from(self.advance()))
            } else {
                None
            };
            items.push(SelectItem {
                expr,
                alias,
                span: self.span_from(item_start),
            });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
    }

    /// `EXCLUDE (a)` or `EXCLUDE a, b` ending a select list (Redshift); a
    /// bare `EXCLUDE` is an alias.
    fn at_select_list_exclude(&self) -> bool {
        self.hooks.supports_select_list_exclude()
            && self.at_keyword(Keyword::Exclude)
            && (self.peek_nth(1).kind == TokenKind::LeftParen
                || self.name_allowed(self.peek_nth(1), NameUsage::Column))
    }

    /// `alias: expr` (DuckDB): the alias and its colon, if written.
    fn parse_prefix_alias(&mut self) -> Option<Ident> {
        let is_prefix_alias = self.hooks.supports_prefix_alias()
            && self.at_name(NameUsage::Label)
            && self.peek_nth(1).kind == TokenKind::Colon;
        if !is_prefix_alias {
            return None;
        }
        let alias = Self::ident_from(self.advance());
        self.advance();
        Some(alias)
    }

    /// Skips the body of a `TABLESAMPLE` or `USING SAMPLE` clause: numbers,
    /// `%`, method names, `ROWS`/`PERCENT`, `REPEATABLE` and parenthesised
    /// groups, up to whatever cannot belong to it.
    fn skip_sample_spec(&mut self) {
        loop {
            let token = self.peek();
            match token.kind {
                TokenKind::Number | TokenKind::Percent => {
                    self.advance();
                }
                TokenKind::LeftParen => {
                    self.advance();
                    self.expect_close_paren_skipping();
                }
                // `SAMPLE ROW (10)`: ROW names the method, like BERNOULLI.
                TokenKind::Word
                    if token.keyword == Keyword::None
                        || token.keyword == Keyword::Row
                        || self.hooks.keyword_category(token.keyword)
                            == KeywordCategory::Unreserved =>
                {
                    self.advance();
                }
                _ => return,
            }
        }
    }

    /// Skips to and past the `)` closing a group whose `(` was consumed.
    fn expect_close_paren_skipping(&mut self) {
        let mut depth = 0usize;
        loop {
            match self.peek().kind {
                TokenKind::EndOfInput | TokenKind::Semicolon => {
                    self.error_expected("`)`");
                    return;
                }
                TokenKind::LeftParen => depth += 1,
                TokenKind::RightParen => {
                    if depth == 0 {
                        self.advance();
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.advance();
        }
    }

    /// Where a select list ends; a trailing comma before it is accepted (DuckDB).
    fn at_select_list_end(&self) -> bool {
        let token = self.peek();
        match token.kind {
            TokenKind::EndOfInput | TokenKind::Semicolon | TokenKind::RightParen => true,
            TokenKind::Word => is_clause_keyword(token.keyword) && token.keyword != Keyword::Window,
            _ => false,
        }
    }

    fn parse_select_clauses(&mut self, select: &mut Select) {
        loop {
            let token = self.peek();
            let keyword = if token.kind == TokenKind::Word {
                token.keyword
            } else {
                Keyword::None
            };
            match keyword {
                Keyword::From if select.from.is_none() => {
                    self.advance();
                    self.recovering = false;
                    select.from = Some(self.parse_table_expr());
                }
                Keyword::Where if select.where_clause.is_none() => {
                    self.advance();
                    self.recovering = false;
                    select.where_clause = Some(self.parse_expr());
                }
                Keyword::Group if select.group_by.is_none() => {
                    select.group_by = Some(self.parse_group_by());
                }
                Keyword::Having if select.having.is_none() => {
                    self.advance();
                    self.recovering = false;
                    select.having = Some(self.parse_expr());
                }
                Keyword::Qualify if select.qualify.is_none() && self.hooks.supports_qualify() => {
                    self.advance();
                    self.recovering = false;
                    select.qualify = Some(self.parse_expr());
                }
                Keyword::Using
                    if select.sample.is_none() && self.nth_is_keyword(1, Keyword::Sample) =>
                {
                    let sample_start = self.start();
                    self.advance();
                    self.advance();
                    self.recovering = false;
                    self.skip_sample_spec();
                    select.sample = Some(self.span_from(sample_start));
                }
                Keyword::Window if select.windows.is_empty() => {
                    self.advance();
                    self.recovering = false;
                    self.parse_named_windows(&mut select.windows);
                }
                _ => {
                    if self.at_query_end() {
                        return;
                    }
                    let expected = if select.from.is_none() {
                        "`,`, FROM, WHERE, GROUP BY or the end of the query"
                    } else {
                        "`,`, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT or the end of the query"
                    };
                    let reported = !self.recovering;
                    self.error_expected(expected);
                    if reported {
                        self.suggest_misspelt_clause();
                    }
                    let before = self.position;
                    self.skip_to_clause_boundary();
                    if self.position == before {
                        // A clause keyword that may not repeat (a second WHERE).
                        self.advance();
                    }
                }
            }
        }
    }

    /// `select a form t`: the misspelt keyword was read as an alias and the
    /// error lands on the next token. When the word before the error is
    /// close to a clause keyword, the diagnostic says so.
    fn suggest_misspelt_clause(&mut self) {
        let Some(previous) = self.position.checked_sub(1).map(|index| self.tokens[index]) else {
            return;
        };
        if previous.kind != TokenKind::Word || previous.keyword != Keyword::None {
            return;
        }
        let word = self.text(previous.span);
        let clauses = [
            "FROM", "WHERE", "GROUP", "HAVING", "QUALIFY", "WINDOW", "ORDER", "LIMIT",
        ];
        if let Some(suggestion) = closest_name(word, clauses) {
            if let Some(diagnostic) = self.diagnostics.last_mut() {
                *diagnostic = diagnostic
                    .clone()
                    .with_secondary(
                        self.file,
                        previous.span,
                        format!("read as an alias; did you mean {suggestion}?"),
                    )
                    .with_help(format!("did you mean {suggestion}?"));
            }
        }
    }

    fn at_query_end(&self) -> bool {
        if self.at_distribution_clause() {
            return true;
        }
        let token = self.peek();
        match token.kind {
            TokenKind::EndOfInput | TokenKind::Semicolon | TokenKind::RightParen => true,
            TokenKind::Word => {
                matches!(
                    token.keyword,
                    Keyword::Union
                        | Keyword::Intersect
                        | Keyword::Except
                        | Keyword::Order
                        | Keyword::Limit
                        | Keyword::Offset
                        | Keyword::Fetch
                ) || (token.keyword == Keyword::None
                    && self
                        .hooks
                        .is_except_synonym(&self.text(token.span).to_ascii_uppercase()))
            }
            _ => false,
        }
    }

    fn parse_group_by(&mut self) -> GroupBy {
        let start = self.start();
        self.advance();
        self.recovering = false;
        self.expect_keyword(Keyword::By);
        if self.hooks.supports_group_by_all() && self.at_keyword(Keyword::All) {
            self.advance();
            return GroupBy {
                all: true,
                elements: Vec::new(),
                span: self.span_from(start),
            };
        }
        let mut elements = Vec::new();
        loop {
            elements.push(self.parse_grouping_element());
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        GroupBy {
            all: false,
            elements,
            span: self.span_from(start),
        }
    }

    fn parse_grouping_element(&mut self) -> GroupingElement {
        let start = self.start();
        if self.at(TokenKind::LeftParen) && self.peek_nth(1).kind == TokenKind::RightParen {
            self.advance();
            self.advance();
            return GroupingElement::Empty(self.span_from(start));
        }
        let is_call = self.peek_nth(1).kind == TokenKind::LeftParen;
        if is_call && self.at_keyword(Keyword::Rollup) {
            self.advance();
            let sets = self.parse_grouping_sets_list();
            return GroupingElement::Rollup(sets, self.span_from(start));
        }
        if is_call && self.at_keyword(Keyword::Cube) {
            self.advance();
            let sets = self.parse_grouping_sets_list();
            return GroupingElement::Cube(sets, self.span_from(start));
        }
        if self.at_keyword(Keyword::Grouping) && self.nth_is_keyword(1, Keyword::Sets) {
            self.advance();
            self.advance();
            let sets = self.parse_grouping_sets_list();
            return GroupingElement::GroupingSets(sets, self.span_from(start));
        }
        GroupingElement::Expr(self.parse_expr())
    }

    /// `( set, set, ... )` where a set is `expr`, `(expr, ...)` or `()`.
    fn parse_grouping_sets_list(&mut self) -> Vec<Vec<Expr>> {
        let mut sets = Vec::new();
        if !self.expect(TokenKind::LeftParen, "`(`") {
            return sets;
        }
        loop {
            if self.at(TokenKind::LeftParen) {
                self.advance();
                if self.eat(TokenKind::RightParen) {
                    sets.push(Vec::new());
                } else {
                    sets.push(self.parse_expr_list_until_close());
                }
            } else if self.at_keyword(Keyword::Rollup)
                || self.at_keyword(Keyword::Cube)
                || self.at_keyword(Keyword::Grouping) && self.nth_is_keyword(1, Keyword::Sets)
            {
                // Nested grouping constructs are flattened into their sets.
                match self.parse_grouping_element() {
                    GroupingElement::Rollup(inner, _)
                    | GroupingElement::Cube(inner, _)
                    | GroupingElement::GroupingSets(inner, _) => sets.extend(inner),
                    GroupingElement::Expr(expr) => sets.push(vec![expr]),
                    GroupingElement::Empty(_) => sets.push(Vec::new()),
                }
            } else {
                sets.push(vec![self.parse_expr()]);
            }
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect_close_paren();
        sets
    }

    fn parse_named_windows(&mut self, windows: &mut Vec<NamedWindow>) {
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

    fn parse_order_by_clause(&mut self) -> OrderBy {
        let start = self.start();
        self.advance();
        self.recovering = false;
        self.expect_keyword(Keyword::By);
        if self.hooks.supports_by_all() && self.at_keyword(Keyword::All) {
            let key_start = self.start();
            let all_span = self.advance().span;
            let (descending, nulls_first) = self.parse_sort_direction();
            let star = Expr {
                kind: ExprKind::Star(Box::new(Star {
                    qualifier: Vec::new(),
                    exclude: Vec::new(),
                    replace: Vec::new(),
                    rename: Vec::new(),
                    ilike: None,
                })),
                span: all_span,
            };
            return OrderBy {
                all: true,
                keys: vec![OrderKey {
                    expr: star,
                    descending,
                    nulls_first,
                    span: self.span_from(key_start),
                }],
                span: self.span_from(start),
            };
        }
        let keys = self.parse_order_keys();
        OrderBy {
            all: false,
            keys,
            span: self.span_from(start),
        }
    }

    fn parse_order_keys(&mut self) -> Vec<OrderKey> {
        let mut keys = Vec::new();
        loop {
            let start = self.start();
            let expr = self.parse_expr();
            let (descending, nulls_first) = self.parse_sort_direction();
            keys.push(OrderKey {
                expr,
                descending,
                nulls_first,
                span: self.span_from(start),
            });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        keys
    }

    fn parse_sort_direction(&mut self) -> (bool, Option<bool>) {
        let descending = if self.eat_keyword(Keyword::Desc) {
            true
        } else {
            self.eat_keyword(Keyword::Asc);
            false
        };
        let nulls_first = if self.at_keyword(Keyword::Nulls) {
            self.advance();
            if self.eat_keyword(Keyword::First) {
                Some(true)
            } else if self.eat_keyword(Keyword::Last) {
                Some(false)
            } else {
                self.error_expected("FIRST or LAST");
                None
            }
        } else {
            None
        };
        (descending, nulls_first)
    }

    // ---- FROM ----

    fn parse_table_expr(&mut self) -> TableExpr {
        let start = self.start();
        let depth_on_entry = self.depth;
        let mut left = self.parse_table_primary();
        loop {
            // Each join nests the tree one level deeper on the left.
            self.depth += CHAIN_COST;
            if self.depth > DEPTH_BUDGET {
                let span = self.peek().span;
                self.error_at(Code::UnexpectedToken, span, TOO_DEEP.to_string());
                self.skip_to_statement_end();
                break;
            }
            if self.eat(TokenKind::Comma) {
                let right = self.parse_table_primary();
                left = TableExpr::Join {
                    operator: JoinOperator::Comma,
                    natural: false,
                    left: Box::new(left),
                    right: Box::new(right),
                    constraint: JoinConstraint::None,
                    span: self.span_from(start),
                };
                continue;
            }
            if self.hooks.supports_lateral_view()
                && self.at_keyword(Keyword::Lateral)
                && self.peek_nth(1).kind == TokenKind::Word
                && self
                    .text(self.peek_nth(1).span)
                    .eq_ignore_ascii_case("VIEW")
            {
                left = self.parse_lateral_view(left, start);
                continue;
            }
            let Some((operator, natural)) = self.parse_join_operator() else {
                break;
            };
            let right = self.parse_table_primary();
            let constraint = if matches!(operator, JoinOperator::AsOf | JoinOperator::AsOfLeft)
                && self.hooks.supports_match_condition()
                && self.peek().kind == TokenKind::Word
                && self
                    .text(self.peek().span)
                    .eq_ignore_ascii_case("MATCH_CONDITION")
                && self.peek_nth(1).kind == TokenKind::LeftParen
            {
                self.advance();
                self.advance();
                self.recovering = false;
                let condition = self.parse_expr();
                self.expect_close_paren();
                let on = self.eat_keyword(Keyword::On).then(|| self.parse_expr());
                JoinConstraint::MatchCondition { condition, on }
            } else if self.eat_keyword(Keyword::On) {
                self.recovering = false;
                JoinConstraint::On(self.parse_expr())
            } else if self.eat_keyword(Keyword::Using) {
                JoinConstraint::Using(self.parse_ident_list_in_parens())
            } else {
                let needs_constraint = !natural
                    && !matches!(
                        operator,
                        JoinOperator::Cross | JoinOperator::Positional | JoinOperator::Comma
                    );
                let may_omit =
                    operator == JoinOperator::Inner && self.hooks.inner_join_may_omit_constraint();
                if needs_constraint
                    && !may_omit
                    && !self.hooks.supports_join_keyword(Keyword::Using)
                {
                    self.error_expected("ON or USING");
                }
                JoinConstraint::None
            };
            left = TableExpr::Join {
                operator,
                natural,
                left: Box::new(left),
                right: Box::new(right),
                constraint,
                span: self.span_from(start),
            };
        }
        self.depth = depth_on_entry;
        left
    }

    /// `LATERAL VIEW [OUTER] f(args) [alias] [AS col, ...]` after `left`: a
    /// lateral join to a generator, left-outer when `OUTER`.
    fn parse_lateral_view(&mut self, left: TableExpr, start: u32) -> TableExpr {
        let view_start = self.start();
        self.advance();
        self.advance();
        let outer = self.eat_keyword(Keyword::Outer);
        let name = self.parse_object_name(NameUsage::Label);
        let mut args = Vec::new();
        if self.expect(TokenKind::LeftParen, "`(`") {
            args = self.parse_call_arguments_until_close();
        }
        let table_name = if self.at_name(NameUsage::BareAlias) {
            Some(Self::ident_from(self.advance()))
        } else {
            None
        };
        let mut columns = Vec::new();
        if self.eat_keyword(Keyword::As) {
            while let Some(column) = self.parse_ident(NameUsage::Label) {
                columns.push(column);
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
        }
        let alias = match (table_name, columns.first()) {
            (Some(name), _) => Some(TableAlias {
                name,
                columns,
                column_types: Vec::new(),
            }),
            // Without a table alias the generator is named by its first column.
            (None, Some(first)) => Some(TableAlias {
                name: *first,
                columns,
                column_types: Vec::new(),
            }),
            (None, None) => None,
        };
        let right = TableExpr::Function {
            lateral: true,
            name,
            args,
            with_ordinality: false,
            alias,
            span: self.span_from(view_start),
        };
        TableExpr::Join {
            operator: if outer {
                JoinOperator::Left
            } else {
                JoinOperator::Cross
            },
            natural: false,
            left: Box::new(left),
            right: Box::new(right),
            constraint: JoinConstraint::None,
            span: self.span_from(start),
        }
    }

    /// Reads the join keywords up to and including `JOIN`, if a join starts here.
    fn parse_join_operator(&mut self) -> Option<(JoinOperator, bool)> {
        let mut offset = 0;
        let natural = self.nth_is_keyword(0, Keyword::Natural);
        if natural {
            offset += 1;
        }
        let first = self.peek_nth(offset);
        if first.kind != TokenKind::Word {
            return None;
        }
        let outer_then_join = |parser: &Self, at: usize| -> Option<usize> {
            if parser.nth_is_keyword(at, Keyword::Outer)
                && parser.nth_is_keyword(at + 1, Keyword::Join)
            {
                Some(at + 2)
            } else if parser.nth_is_keyword(at, Keyword::Join) {
                Some(at + 1)
            } else {
                None
            }
        };
        let (operator, consumed) = match first.keyword {
            Keyword::Join => (JoinOperator::Inner, offset + 1),
            Keyword::Inner if self.nth_is_keyword(offset + 1, Keyword::Join) => {
                (JoinOperator::Inner, offset + 2)
            }
            Keyword::Left => (JoinOperator::Left, outer_then_join(self, offset + 1)?),
            Keyword::Right => (JoinOperator::Right, outer_then_join(self, offset + 1)?),
            Keyword::Full => (JoinOperator::Full, outer_then_join(self, offset + 1)?),
            Keyword::Cross if self.nth_is_keyword(offset + 1, Keyword::Join) => {
                (JoinOperator::Cross, offset + 2)
            }
            Keyword::Semi | Keyword::Anti | Keyword::Positional
                if self.hooks.supports_join_keyword(first.keyword)
                    && self.nth_is_keyword(offset + 1, Keyword::Join) =>
            {
                let operator = match first.keyword {
                    Keyword::Semi => JoinOperator::Semi,
                    Keyword::Anti => JoinOperator::Anti,
                    _ => JoinOperator::Positional,
                };
                (operator, offset + 2)
            }
            Keyword::Asof if self.hooks.supports_join_keyword(Keyword::Asof) => {
                if self.nth_is_keyword(offset + 1, Keyword::Join) {
                    (JoinOperator::AsOf, offset + 2)
                } else if self.nth_is_keyword(offset + 1, Keyword::Left) {
                    (JoinOperator::AsOfLeft, outer_then_join(self, offset + 2)?)
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        for _ in 0..consumed {
            self.advance();
        }
        self.recovering = false;
        Some((operator, natural))
    }

    fn parse_table_primary(&mut self) -> TableExpr {
        let start = self.start();
        if !self.enter() {
            return TableExpr::Error(self.span_from(start));
        }
        let prefix_alias = self.parse_prefix_alias();
        let mut table = self.parse_table_primary_inner(start);
        if let (Some(name), Some(slot)) = (prefix_alias, table.alias_mut()) {
            if slot.is_none() {
                *slot = Some(TableAlias {
                    name,
                    columns: Vec::new(),
                    column_types: Vec::new(),
                });
            }
        }
        while self.hooks.supports_pivot()
            && (self.at_keyword(Keyword::Pivot) || self.at_keyword(Keyword::Unpivot))
            && matches!(
                self.peek_nth(1).kind,
                TokenKind::LeftParen | TokenKind::Word
            )
        {
            table = self.parse_pivot(table, start);
        }
        if self.at_keyword(Keyword::Tablesample)
            || (self.hooks.supports_sample_clause()
                && self.at_keyword(Keyword::Sample)
                && matches!(
                    self.peek_nth(1).kind,
                    TokenKind::LeftParen | TokenKind::Word
                ))
        {
            let sample_start = self.start();
            self.advance();
            self.skip_sample_spec();
            table = TableExpr::Sampled {
                inner: Box::new(table),
                sample: self.span_from(sample_start),
                span: self.span_from(start),
            };
        }
        self.leave();
        table
    }

    /// `PIVOT (agg(x) FOR col IN (...))` or `UNPIVOT [INCLUDE NULLS] (v FOR
    /// col IN (...))` after `inner`, with its alias. The body is kept as a
    /// span: its columns are checked by no pass yet.
    fn parse_pivot(&mut self, inner: TableExpr, start: u32) -> TableExpr {
        let unpivot = self.advance().keyword == Keyword::Unpivot;
        // `UNPIVOT INCLUDE NULLS (...)`, `EXCLUDE NULLS`.
        while self.peek().kind == TokenKind::Word && !self.at(TokenKind::LeftParen) {
            if self.nth_is_keyword(0, Keyword::Nulls) {
                self.advance();
                break;
            }
            self.advance();
        }
        let body_start = self.start();
        if self.expect(TokenKind::LeftParen, "`(`") {
            self.expect_close_paren_skipping();
        }
        let body = self.span_from(body_start);
        let alias = self.parse_table_alias();
        TableExpr::Pivot {
            inner: Box::new(inner),
            unpivot,
            body,
            alias,
            span: self.span_from(start),
        }
    }

    fn parse_table_primary_inner(&mut self, start: u32) -> TableExpr {
        let lateral = self.eat_keyword(Keyword::Lateral);
        let token = self.peek();
        match token.kind {
            TokenKind::LeftParen => {
                if self.paren_starts_query() {
                    // `((values (1)) as v(id) join t on ...)`: what looks like a
                    // query may be the first relation of a parenthesised join;
                    // read it again as one when no `)` follows the query.
                    let checkpoint = self.checkpoint();
                    self.advance();
                    let query = self.parse_query();
                    let reported = self.diagnostics.len() > checkpoint.diagnostics;
                    if self.at(TokenKind::RightParen) || reported {
                        self.expect_close_paren();
                        let alias = self.parse_table_alias();
                        return TableExpr::Derived {
                            lateral,
                            query: Box::new(query),
                            alias,
                            span: self.span_from(start),
                        };
                    }
                    self.restore(checkpoint);
                }
                self.advance();
                let inner = self.parse_table_expr();
                self.expect_close_paren();
                let alias = self.parse_table_alias();
                return TableExpr::Parenthesized {
                    inner: Box::new(inner),
                    alias,
                    span: self.span_from(start),
                };
            }
            TokenKind::String if self.hooks.supports_file_as_table() => {
                let path = self.advance().span;
                let alias = self.parse_table_alias();
                return TableExpr::File {
                    path,
                    alias,
                    span: self.span_from(start),
                };
            }
            _ => {}
        }
        // `TABLE('name')`, `TABLE($var)`, `TABLE(?)`: a table named at run time.
        if self.hooks.supports_table_literal()
            && self.at_keyword(Keyword::Table)
            && self.peek_nth(1).kind == TokenKind::LeftParen
            && matches!(
                self.peek_nth(2).kind,
                TokenKind::String
                    | TokenKind::DollarString
                    | TokenKind::Parameter
                    | TokenKind::Colon
            )
        {
            self.advance();
            self.advance();
            let target = self.parse_expr();
            self.expect_close_paren();
            let alias = self.parse_table_alias();
            return TableExpr::Indirect {
                target: Box::new(target),
                alias,
                span: self.span_from(start),
            };
        }
        // `TABLE(f(...))`: a table function behind the standard's wrapper.
        if self.at_keyword(Keyword::Table)
            && self.peek_nth(1).kind == TokenKind::LeftParen
            && self.name_allowed(self.peek_nth(2), NameUsage::Label)
        {
            self.advance();
            self.advance();
            let name = self.parse_object_name(NameUsage::Label);
            let mut args = Vec::new();
            if self.expect(TokenKind::LeftParen, "`(`") {
                args = self.parse_call_arguments_until_close();
            }
            self.expect_close_paren();
            let alias = self.parse_table_alias();
            return TableExpr::Function {
                lateral,
                name,
                args,
                with_ordinality: false,
                alias,
                span: self.span_from(start),
            };
        }
        if self.at_keyword(Keyword::Values) {
            let values = self.parse_values();
            let alias = self.parse_table_alias();
            return TableExpr::Values {
                values,
                alias,
                span: self.span_from(start),
            };
        }
        if self.at_keyword(Keyword::Unnest) && self.peek_nth(1).kind == TokenKind::LeftParen {
            self.advance();
            self.advance();
            let args = self.parse_expr_list_until_close();
            let with_ordinality = if self.at_keyword(Keyword::With)
                && (self.nth_is_keyword(1, Keyword::Ordinality)
                    || self.nth_is_keyword(1, Keyword::Offset))
            {
                self.advance();
                self.advance();
                true
            } else {
                false
            };
            let mut alias = self.parse_table_alias();
            let mut with_ordinality = with_ordinality;
            // BigQuery: `UNNEST(x) AS v WITH OFFSET [AS] pos`.
            if !with_ordinality
                && self.at_keyword(Keyword::With)
                && self.nth_is_keyword(1, Keyword::Offset)
            {
                self.advance();
                self.advance();
                with_ordinality = true;
                let offset_alias = self.parse_table_alias();
                if let (Some(alias), Some(offset_alias)) = (alias.as_mut(), offset_alias) {
                    alias.columns.push(offset_alias.name);
                }
            }
            return TableExpr::Unnest {
                args,
                alias,
                with_ordinality,
                span: self.span_from(start),
            };
        }
        if !self.at_name(NameUsage::Column) && !self.at_name(NameUsage::Function) {
            self.error_expected("a table name, a subquery or a table function");
            return TableExpr::Error(Span::new(start, start));
        }
        // `ROWS FROM (f(x) AS a(c int), g(y)) WITH ORDINALITY` (Postgres).
        if self.hooks.supports_column_definition_lists()
            && self.at_keyword(Keyword::Rows)
            && self.nth_is_keyword(1, Keyword::From)
            && self.peek_nth(2).kind == TokenKind::LeftParen
        {
            self.advance();
            self.advance();
            self.advance();
            let mut functions = Vec::new();
            loop {
                let function_start = self.start();
                let name = self.parse_object_name(NameUsage::Label);
                let mut args = Vec::new();
                if self.expect(TokenKind::LeftParen, "`(`") {
                    args = self.parse_call_arguments_until_close();
                }
                let alias = self.parse_table_alias();
                functions.push(TableExpr::Function {
                    lateral: false,
                    name,
                    args,
                    with_ordinality: false,
                    alias,
                    span: self.span_from(function_start),
                });
                if !self.eat(TokenKind::Comma) {
                    break;
                }
            }
            self.expect_close_paren();
            let with_ordinality = self.eat_with_ordinality();
            let alias = self.parse_table_alias();
            return TableExpr::RowsFrom {
                functions,
                with_ordinality,
                alias,
                span: self.span_from(start),
            };
        }
        let name = self.parse_table_name();
        if self.at(TokenKind::LeftParen) {
            self.advance();
            let args = self.parse_table_function_arguments_until_close();
            let with_ordinality = self.eat_with_ordinality();
            let alias = self.parse_table_alias();
            return TableExpr::Function {
                lateral,
                name,
                args,
                with_ordinality,
                alias,
                span: self.span_from(start),
            };
        }
        let mut points = Vec::new();
        let mut clause = self.parse_time_travel(&mut points);
        let alias = self.parse_table_alias();
        if clause.is_none() {
            clause = self.parse_time_travel(&mut points);
        }
        let named = TableExpr::Named {
            name,
            alias,
            span: self.span_from(start),
        };
        match clause {
            Some(clause) => TableExpr::TimeTravel {
                inner: Box::new(named),
                clause,
                points,
                span: self.span_from(start),
            },
            None => named,
        }
    }

    /// A table's name in FROM: dotted, and with dashes where the dialect
    /// allows them (`my-project.dataset.table`).
    fn parse_table_name(&mut self) -> ObjectName {
        if !self.hooks.supports_dashed_table_names() {
            return self.parse_object_name(NameUsage::Label);
        }
        let mut parts = Vec::new();
        loop {
            if !self.at_name(NameUsage::Label) {
                if parts.is_empty() {
                    self.error_expected("an identifier");
                }
                break;
            }
            let first = self.advance();
            let mut span = first.span;
            let mut ended_by_dot = false;
            // `my-project`, `x-0`: dashes glued to their neighbours, no spaces.
            while first.kind != TokenKind::QuotedIdent
                && self.at(TokenKind::Minus)
                && self.start() == span.end
            {
                let dash = self.peek();
                let piece = self.peek_nth(1);
                if piece.span.start != dash.span.end
                    || !matches!(piece.kind, TokenKind::Word | TokenKind::Number)
                {
                    break;
                }
                self.advance();
                self.advance();
                // `x-0.y`: the number swallowed the dot that separates parts.
                if piece.kind == TokenKind::Number && self.text(piece.span).ends_with('.') {
                    span = Span::new(span.start, piece.span.end - 1);
                    ended_by_dot = true;
                    break;
                }
                span = Span::new(span.start, piece.span.end);
                // `my-2nd`: a number and the word glued to it.
                while self.peek().kind == TokenKind::Word && self.start() == span.end {
                    span = Span::new(span.start, self.advance().span.end);
                }
            }
            parts.push(Ident {
                span,
                quoted: first.kind == TokenKind::QuotedIdent,
            });
            if ended_by_dot {
                continue;
            }
            if self.at(TokenKind::Dot) && self.name_allowed(self.peek_nth(1), NameUsage::Label) {
                self.advance();
                continue;
            }
            break;
        }
        ObjectName { parts }
    }

    /// A time-travel clause after a table's name, if one starts here; its
    /// expressions go to `points`.
    fn parse_time_travel(&mut self, points: &mut Vec<Expr>) -> Option<Span> {
        let syntax = self.hooks.time_travel();
        let start = self.start();
        if syntax.at_before {
            // `AT (TIMESTAMP => x)`, `BEFORE (STATEMENT => id)`,
            // `CHANGES (INFORMATION => DEFAULT) AT (...) END (...)`.
            let mut found = false;
            loop {
                let token = self.peek();
                let is_clause = token.kind == TokenKind::Word
                    && self.peek_nth(1).kind == TokenKind::LeftParen
                    && self.name_allowed(self.peek_nth(2), NameUsage::Label)
                    && self.peek_nth(3).kind == TokenKind::FatArrow
                    && ["AT", "BEFORE", "CHANGES", "END"]
                        .iter()
                        .any(|word| self.text(token.span).eq_ignore_ascii_case(word));
                if !is_clause {
                    break;
                }
                self.advance();
                self.advance();
                self.advance();
                self.advance();
                points.push(self.parse_expr());
                self.expect_close_paren();
                found = true;
            }
            if found {
                return Some(self.span_from(start));
            }
        }
        if syntax.as_of
            && self.peek().kind == TokenKind::Word
            && ["TIMESTAMP", "VERSION"]
                .iter()
                .any(|word| self.text(self.peek().span).eq_ignore_ascii_case(word))
            && self.nth_is_keyword(1, Keyword::As)
            && self.text(self.peek_nth(2).span).eq_ignore_ascii_case("OF")
        {
            self.advance();
            self.advance();
            self.advance();
            points.push(self.parse_expr());
            return Some(self.span_from(start));
        }
        if syntax.for_system_time
            && self.at_keyword(Keyword::For)
            && self
                .text(self.peek_nth(1).span)
                .eq_ignore_ascii_case("SYSTEM_TIME")
            && self.nth_is_keyword(2, Keyword::As)
            && self.text(self.peek_nth(3).span).eq_ignore_ascii_case("OF")
        {
            for _ in 0..4 {
                self.advance();
            }
            points.push(self.parse_expr());
            return Some(self.span_from(start));
        }
        None
    }

    /// After `(` in FROM or an expression: does a query follow (possibly
    /// behind more parentheses)?
    fn paren_starts_query(&self) -> bool {
        let mut offset = 0;
        while self.peek_nth(offset).kind == TokenKind::LeftParen {
            offset += 1;
        }
        let token = self.peek_nth(offset);
        token.kind == TokenKind::Word
            && match token.keyword {
                Keyword::Select | Keyword::With | Keyword::Values => true,
                Keyword::From => self.hooks.supports_from_first(),
                _ => false,
            }
    }

    // ---- expressions ----

    fn parse_expr(&mut self) -> Expr {
        self.parse_expr_bp(0)
    }

    fn parse_expr_list_until_close(&mut self) -> Vec<Expr> {
        let mut list = Vec::new();
        if !self.at(TokenKind::RightParen) {
            loop {
                list.push(self.parse_expr());
                if !self.eat(TokenKind::Comma) || self.at(TokenKind::RightParen) {
                    break;
                }
            }
        }
        self.expect_close_paren();
        list
    }

    fn error_expr(&self, start: u32) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: Span::new(start, self.previous_end.max(start)),
        }
    }

    fn parse_expr_bp(&mut self, min_precedence: u8) -> Expr {
        let start = self.start();
        if !self.enter() {
            return self.error_expr(start);
        }
        let depth_on_entry = self.depth;
        let mut left = self.parse_prefix();
        loop {
            left = match self.parse_infix(left, min_precedence, start) {
                Ok(expr) => expr,
                Err(unchanged) => {
                    left = unchanged;
                    break;
                }
            };
            // Each operator in a chain nests the tree one level deeper.
            self.depth += CHAIN_COST;
            if self.depth > DEPTH_BUDGET {
                self.depth = depth_on_entry;
                self.leave();
                let span = self.peek().span;
                self.error_at(Code::UnexpectedToken, span, TOO_DEEP.to_string());
                self.skip_to_statement_end();
                return left;
            }
        }
        self.depth = depth_on_entry;
        self.leave();
        left
    }

    /// One infix or postfix step on `left`, if the next token is an operator
    /// binding at least `min_precedence`. `Ok` continues the loop; `Err`
    /// hands `left` back unchanged because no operator applies.
    fn parse_infix(&mut self, left: Expr, min_precedence: u8, start: u32) -> Result<Expr, Expr> {
        let token = self.peek();
        use precedence::*;
        let binary = |operator: BinaryOp, precedence: u8| Some((operator, precedence));
        let simple = match token.kind {
            TokenKind::Plus => binary(BinaryOp::Add, ADDITIVE),
            TokenKind::Minus => binary(BinaryOp::Subtract, ADDITIVE),
            TokenKind::Star => binary(BinaryOp::Multiply, MULTIPLICATIVE),
            TokenKind::Slash => binary(BinaryOp::Divide, MULTIPLICATIVE),
            TokenKind::Percent => binary(BinaryOp::Modulo, MULTIPLICATIVE),
            TokenKind::Concat => binary(BinaryOp::Concat, OTHER),
            TokenKind::Equals | TokenKind::DoubleEquals => binary(BinaryOp::Eq, COMPARISON),
            TokenKind::NotEquals => binary(BinaryOp::NotEq, COMPARISON),
            TokenKind::Less => binary(BinaryOp::Lt, COMPARISON),
            TokenKind::LessEquals => binary(BinaryOp::LtEq, COMPARISON),
            TokenKind::Greater => binary(BinaryOp::Gt, COMPARISON),
            TokenKind::GreaterEquals => binary(BinaryOp::GtEq, COMPARISON),
            TokenKind::Ampersand => binary(BinaryOp::BitwiseAnd, OTHER),
            TokenKind::Pipe => binary(BinaryOp::BitwiseOr, OTHER),
            TokenKind::ShiftLeft => binary(BinaryOp::ShiftLeft, OTHER),
            TokenKind::ShiftRight => binary(BinaryOp::ShiftRight, OTHER),
            TokenKind::Word if token.keyword == Keyword::And => binary(BinaryOp::And, AND),
            TokenKind::Word if token.keyword == Keyword::Or => binary(BinaryOp::Or, OR),
            // `a rlike b`, `(a, b) overlaps (c, d)`: word operators of a dialect.
            TokenKind::Word if token.keyword == Keyword::None => self
                .hooks
                .extra_binary_operator(token.kind, self.text(token.span)),
            TokenKind::Caret
            | TokenKind::DoubleStar
            | TokenKind::DoubleSlash
            | TokenKind::Tilde
            | TokenKind::OtherOperator
            | TokenKind::LongArrow => self
                .hooks
                .extra_binary_operator(token.kind, self.text(token.span))
                .or_else(|| match token.kind {
                    TokenKind::Caret => binary(BinaryOp::Power, POWER),
                    TokenKind::LongArrow | TokenKind::Tilde | TokenKind::OtherOperator => {
                        binary(BinaryOp::Other(Name::new(self.text(token.span))), OTHER)
                    }
                    _ => None,
                }),
            _ => None,
        };
        if let Some((operator, precedence)) = simple {
            if precedence < min_precedence {
                return Err(left);
            }
            // `LIMIT 10%`: a `%` with nothing after it is no modulo.
            if token.kind == TokenKind::Percent && self.operand_cannot_follow(1) {
                return Err(left);
            }
            self.advance();
            let right = self.parse_expr_bp(precedence + 1);
            return Ok(Expr {
                kind: ExprKind::Binary {
                    operator,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span: self.span_from(start),
            });
        }
        match token.kind {
            TokenKind::Arrow => {
                let is_lambda = self.hooks.supports_arrow_lambda()
                    && self.in_call_arguments
                    && lambda_params(&left).is_some();
                if is_lambda {
                    if LAMBDA < min_precedence {
                        return Err(left);
                    }
                    self.advance();
                    let params = lambda_params(&left).unwrap_or_default();
                    let body = self.parse_expr_bp(LAMBDA);
                    return Ok(Expr {
                        kind: ExprKind::Lambda {
                            params,
                            body: Box::new(body),
                        },
                        span: self.span_from(start),
                    });
                }
                if OTHER < min_precedence {
                    return Err(left);
                }
                self.advance();
                let right = self.parse_expr_bp(OTHER + 1);
                Ok(Expr {
                    kind: ExprKind::Binary {
                        operator: BinaryOp::Other(Name::new("->")),
                        left: Box::new(left),
                        right: Box::new(right),
                    },
                    span: self.span_from(start),
                })
            }
            // `raw:['price']` (Databricks): a key written in brackets.
            TokenKind::Colon
                if self.hooks.supports_colon_bracket_path()
                    && INDEX >= min_precedence
                    && can_have_path(&left)
                    && self.peek_nth(1).kind == TokenKind::LeftBracket
                    && matches!(
                        self.peek_nth(2).kind,
                        TokenKind::String | TokenKind::QuotedIdent
                    )
                    && self.peek_nth(3).kind == TokenKind::RightBracket =>
            {
                self.advance();
                self.advance();
                let key = Self::ident_from(self.advance());
                self.advance();
                Ok(Expr {
                    kind: ExprKind::ColonPath {
                        expr: Box::new(left),
                        key,
                    },
                    span: self.span_from(start),
                })
            }
            // A clause keyword glued to the colon is a key too: `v:from`.
            TokenKind::Colon
                if self.hooks.supports_colon_path()
                    && INDEX >= min_precedence
                    && can_have_path(&left)
                    && matches!(
                        self.peek_nth(1).kind,
                        TokenKind::Word | TokenKind::QuotedIdent | TokenKind::String
                    )
                    && (!is_clause_keyword(self.peek_nth(1).keyword)
                        || self.peek_nth(1).span.start == token.span.end) =>
            {
                self.advance();
                let key = Self::ident_from(self.advance());
                Ok(Expr {
                    kind: ExprKind::ColonPath {
                        expr: Box::new(left),
                        key,
                    },
                    span: self.span_from(start),
                })
            }
            TokenKind::DoubleColon => {
                if CAST < min_precedence {
                    return Err(left);
                }
                // `x ?:: int` (Databricks): a cast that yields NULL on failure.
                let syntax = if self.text(token.span).starts_with('?') {
                    CastSyntax::TryDoubleColon
                } else {
                    CastSyntax::DoubleColon
                };
                self.advance();
                let type_name = self.parse_type_name();
                Ok(Expr {
                    kind: ExprKind::Cast {
                        expr: Box::new(left),
                        type_name,
                        syntax,
                    },
                    span: self.span_from(start),
                })
            }
            TokenKind::LeftBracket => {
                if INDEX < min_precedence {
                    return Err(left);
                }
                self.advance();
                Ok(self.parse_index_or_slice(left, start))
            }
            TokenKind::Dot => {
                // `(expr).field`, `f(x).field`, `x[1].field`: field access on a value.
                if INDEX < min_precedence || !self.name_allowed(self.peek_nth(1), NameUsage::Label)
                {
                    if self.peek_nth(1).kind == TokenKind::Star {
                        return Err(left);
                    }
                    return Err(left);
                }
                self.advance();
                let field = Self::ident_from(self.advance());
                Ok(Expr {
                    kind: ExprKind::Field {
                        expr: Box::new(left),
                        field,
                    },
                    span: self.span_from(start),
                })
            }
            TokenKind::Word => self.parse_keyword_infix(left, min_precedence, start),
            _ => Err(left),
        }
    }

    /// Whether the token at `offset` ends an expression rather than starting one.
    fn operand_cannot_follow(&self, offset: usize) -> bool {
        let token = self.peek_nth(offset);
        match token.kind {
            TokenKind::EndOfInput
            | TokenKind::Semicolon
            | TokenKind::RightParen
            | TokenKind::Comma => true,
            TokenKind::Word => is_clause_keyword(token.keyword),
            _ => false,
        }
    }

    fn parse_keyword_infix(
        &mut self,
        left: Expr,
        min_precedence: u8,
        start: u32,
    ) -> Result<Expr, Expr> {
        use precedence::*;
        let token = self.peek();
        match token.keyword {
            Keyword::Is => {
                if IS < min_precedence {
                    return Err(left);
                }
                self.advance();
                let negated = self.eat_keyword(Keyword::Not);
                let kind = if self.eat_keyword(Keyword::Null) {
                    ExprKind::IsNull {
                        expr: Box::new(left),
                        negated,
                    }
                } else if self.eat_keyword(Keyword::True) {
                    ExprKind::IsBoolean {
                        expr: Box::new(left),
                        value: true,
                        negated,
                    }
                } else if self.eat_keyword(Keyword::False) {
                    ExprKind::IsBoolean {
                        expr: Box::new(left),
                        value: false,
                        negated,
                    }
                } else if self.hooks.supports_is_json()
                    && self.peek().kind == TokenKind::Word
                    && self.text(self.peek().span).eq_ignore_ascii_case("JSON")
                {
                    self.advance();
                    let next = self.peek();
                    let kind = (next.kind == TokenKind::Word
                        && matches!(
                            self.text(next.span).to_ascii_uppercase().as_str(),
                            "VALUE" | "SCALAR" | "OBJECT" | "ARRAY"
                        ))
                    .then(|| self.advance().span);
                    // `WITH UNIQUE [KEYS]`, `WITHOUT UNIQUE [KEYS]`, `UNIQUE [KEYS]`.
                    let with = self.at_keyword(Keyword::With) || self.at_keyword(Keyword::Without);
                    let offset = usize::from(with);
                    let unique_follows = self
                        .text(self.peek_nth(offset).span)
                        .eq_ignore_ascii_case("UNIQUE");
                    let mut unique_keys = false;
                    if unique_follows {
                        unique_keys = !self.at_keyword(Keyword::Without);
                        for _ in 0..=offset {
                            self.advance();
                        }
                        self.eat_word("KEYS");
                    }
                    ExprKind::IsJson {
                        expr: Box::new(left),
                        kind,
                        unique_keys,
                        negated,
                    }
                } else if self.at_keyword(Keyword::Distinct) {
                    self.advance();
                    self.expect_keyword(Keyword::From);
                    let right = self.parse_expr_bp(IS + 1);
                    ExprKind::IsDistinctFrom {
                        left: Box::new(left),
                        right: Box::new(right),
                        negated,
                    }
                } else {
                    self.error_expected("NULL, TRUE, FALSE or DISTINCT FROM");
                    return Ok(Expr {
                        kind: ExprKind::Error,
                        span: self.span_from(start),
                    });
                };
                Ok(Expr {
                    kind,
                    span: self.span_from(start),
                })
            }
            Keyword::Isnull | Keyword::Notnull => {
                if IS < min_precedence {
                    return Err(left);
                }
                self.advance();
                Ok(Expr {
                    kind: ExprKind::IsNull {
                        expr: Box::new(left),
                        negated: token.keyword == Keyword::Notnull,
                    },
                    span: self.span_from(start),
                })
            }
            Keyword::Not => {
                let next = self.peek_nth(1);
                let negatable = next.kind == TokenKind::Word
                    && matches!(
                        next.keyword,
                        Keyword::In
                            | Keyword::Between
                            | Keyword::Like
                            | Keyword::Ilike
                            | Keyword::Similar
                            | Keyword::Glob
                    );
                if !negatable || PATTERN < min_precedence {
                    return Err(left);
                }
                self.advance();
                self.parse_pattern_infix(left, true, start)
            }
            Keyword::In | Keyword::Between | Keyword::Like | Keyword::Ilike | Keyword::Glob => {
                if PATTERN < min_precedence {
                    return Err(left);
                }
                self.parse_pattern_infix(left, false, start)
            }
            Keyword::Similar if self.nth_is_keyword(1, Keyword::To) => {
                if PATTERN < min_precedence {
                    return Err(left);
                }
                self.parse_pattern_infix(left, false, start)
            }
            Keyword::At
                if self.nth_is_keyword(1, Keyword::Time)
                    && self.nth_is_keyword(2, Keyword::Zone) =>
            {
                if AT_TIME_ZONE < min_precedence {
                    return Err(left);
                }
                self.advance();
                self.advance();
                self.advance();
                let zone = self.parse_expr_bp(AT_TIME_ZONE + 1);
                Ok(Expr {
                    kind: ExprKind::AtTimeZone {
                        expr: Box::new(left),
                        zone: Box::new(zone),
                    },
                    span: self.span_from(start),
                })
            }
            Keyword::Collate => {
                if COLLATE < min_precedence {
                    return Err(left);
                }
                self.advance();
                let Some(collation) = self.parse_ident(NameUsage::Label) else {
                    return Ok(self.error_expr(start));
                };
                Ok(Expr {
                    kind: ExprKind::Collate {
                        expr: Box::new(left),
                        collation,
                    },
                    span: self.span_from(start),
                })
            }
            _ => Err(left),
        }
    }

    /// `IN`, `BETWEEN`, `LIKE`, `ILIKE`, `GLOB`, `SIMILAR TO`, after an
    /// optional `NOT` already consumed.
    fn parse_pattern_infix(&mut self, left: Expr, negated: bool, start: u32) -> Result<Expr, Expr> {
        use precedence::*;
        let keyword = self.advance().keyword;
        let kind = match keyword {
            // `x IN UNNEST(array)` (BigQuery): membership in an array value.
            Keyword::In
                if self.hooks.supports_in_unnest()
                    && self.at_keyword(Keyword::Unnest)
                    && self.peek_nth(1).kind == TokenKind::LeftParen =>
            {
                let call_start = self.start();
                let name = ObjectName {
                    parts: vec![Self::ident_from(self.advance())],
                };
                let array = self.parse_function_call(name, call_start);
                self.membership(left, array, negated, start)
            }
            // `'red' IN tags` (DuckDB): membership in a list value.
            Keyword::In
                if !self.at(TokenKind::LeftParen)
                    && self.hooks.supports_bracket_and_brace_literals() =>
            {
                let collection = self.parse_expr_bp(PATTERN + 1);
                self.membership(left, collection, negated, start)
            }
            Keyword::In => {
                if !self.expect(TokenKind::LeftParen, "`(` after IN") {
                    return Ok(self.error_expr(start));
                }
                if self.paren_starts_query() {
                    let query = self.parse_query();
                    self.expect_close_paren();
                    ExprKind::InSubquery {
                        expr: Box::new(left),
                        query: Box::new(query),
                        negated,
                    }
                } else {
                    let list = self.parse_expr_list_until_close();
                    ExprKind::InList {
                        expr: Box::new(left),
                        list,
                        negated,
                    }
                }
            }
            Keyword::Between => {
                let low = self.parse_expr_bp(PATTERN + 1);
                self.expect_keyword(Keyword::And);
                let high = self.parse_expr_bp(PATTERN + 1);
                ExprKind::Between {
                    expr: Box::new(left),
                    low: Box::new(low),
                    high: Box::new(high),
                    negated,
                }
            }
            _ => {
                let operator = match keyword {
                    Keyword::Like => PatternOperator::Like,
                    Keyword::Ilike => PatternOperator::Ilike,
                    Keyword::Glob => PatternOperator::Glob,
                    _ => {
                        self.expect_keyword(Keyword::To);
                        PatternOperator::SimilarTo
                    }
                };
                let pattern = self.parse_expr_bp(PATTERN + 1);
                let escape = if self.eat_keyword(Keyword::Escape) {
                    Some(Box::new(self.parse_expr_bp(PATTERN + 1)))
                } else {
                    None
                };
                ExprKind::Pattern {
                    operator,
                    expr: Box::new(left),
                    pattern: Box::new(pattern),
                    escape,
                    negated,
                }
            }
        };
        Ok(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    fn parse_index_or_slice(&mut self, left: Expr, start: u32) -> Expr {
        let lower = if self.at(TokenKind::Colon) {
            None
        } else {
            Some(Box::new(self.parse_expr()))
        };
        let kind = if self.eat(TokenKind::Colon) {
            let upper = if self.at(TokenKind::RightBracket) || self.at(TokenKind::Colon) {
                None
            } else {
                Some(Box::new(self.parse_expr()))
            };
            // `x[a:b:step]`: the step is read and kept out of the IR.
            if self.eat(TokenKind::Colon) && !self.at(TokenKind::RightBracket) {
                self.parse_expr();
            }
            ExprKind::Slice {
                expr: Box::new(left),
                start: lower,
                end: upper,
            }
        } else {
            match lower {
                Some(index) => ExprKind::Index {
                    expr: Box::new(left),
                    index,
                },
                None => ExprKind::Error,
            }
        };
        self.expect(TokenKind::RightBracket, "`]`");
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    fn parse_prefix(&mut self) -> Expr {
        let start = self.start();
        let token = self.peek();
        let kind = match token.kind {
            TokenKind::Number => {
                self.advance();
                self.check_number(token.span);
                ExprKind::Number
            }
            TokenKind::String => {
                self.advance();
                // `U&'d!0061t' UESCAPE '!'`: the escape character of a
                // Unicode string, part of the literal.
                let text = self.text(token.span);
                if (text.starts_with("U&") || text.starts_with("u&"))
                    && self.peek().kind == TokenKind::Word
                    && self.text(self.peek().span).eq_ignore_ascii_case("UESCAPE")
                    && self.peek_nth(1).kind == TokenKind::String
                {
                    self.advance();
                    self.advance();
                }
                ExprKind::String(StringStyle::Plain)
            }
            TokenKind::EscapeString => {
                self.advance();
                ExprKind::String(StringStyle::Escape)
            }
            TokenKind::DollarString => {
                self.advance();
                ExprKind::String(StringStyle::Dollar)
            }
            TokenKind::Parameter => {
                self.advance();
                ExprKind::Parameter
            }
            // `:1`, `:name`: a bind parameter, the colon glued to it.
            TokenKind::Colon
                if self.hooks.supports_colon_parameters()
                    && matches!(self.peek_nth(1).kind, TokenKind::Number | TokenKind::Word)
                    && self.peek_nth(1).span.start == token.span.end =>
            {
                self.advance();
                self.advance();
                ExprKind::Parameter
            }
            TokenKind::OtherOperator
                if self
                    .hooks
                    .prefix_operator_function(self.text(token.span))
                    .is_some() =>
            {
                self.advance();
                let operand = self.parse_expr_bp(precedence::UNARY);
                ExprKind::PrefixCall {
                    operator: token.span,
                    operand: Box::new(operand),
                }
            }
            TokenKind::Minus | TokenKind::Plus | TokenKind::Tilde => {
                self.advance();
                let operand = self.parse_expr_bp(precedence::UNARY);
                let operator = match token.kind {
                    TokenKind::Minus => UnaryOp::Negate,
                    TokenKind::Plus => UnaryOp::Plus,
                    _ => UnaryOp::BitwiseNot,
                };
                ExprKind::Unary {
                    operator,
                    operand: Box::new(operand),
                }
            }
            TokenKind::Star
                if self.peek_nth(1).kind == TokenKind::Word
                    && self
                        .text(self.peek_nth(1).span)
                        .eq_ignore_ascii_case("COLUMNS")
                    && self.peek_nth(2).kind == TokenKind::LeftParen =>
            {
                self.advance();
                let columns = self.parse_word_prefix();
                ExprKind::Unpack(Box::new(columns))
            }
            TokenKind::Star => {
                self.advance();
                ExprKind::Star(Box::new(self.parse_star_modifiers(Vec::new())))
            }
            TokenKind::LeftParen => return self.parse_parenthesized_expr(),
            TokenKind::LeftBracket if self.hooks.supports_bracket_and_brace_literals() => {
                self.advance();
                let items = self.parse_bracket_items();
                ExprKind::Array {
                    items,
                    keyword: false,
                }
            }
            TokenKind::LeftBrace if self.hooks.supports_bracket_and_brace_literals() => {
                self.advance();
                if self.hooks.supports_star_object() && self.at_star_object() {
                    let mut qualifier = Vec::new();
                    while !self.at(TokenKind::Star) {
                        qualifier.push(Self::ident_from(self.advance()));
                        self.advance();
                    }
                    self.advance();
                    let star = self.parse_star_modifiers(qualifier);
                    self.expect(TokenKind::RightBrace, "`}`");
                    ExprKind::StarObject(Box::new(star))
                } else {
                    self.parse_struct_literal()
                }
            }
            TokenKind::Word | TokenKind::QuotedIdent => return self.parse_word_prefix(),
            _ => {
                self.error_expected("an expression");
                return Expr {
                    kind: ExprKind::Error,
                    span: Span::new(start, start),
                };
            }
        };
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    /// After `{`: `*` or `t.*`, the columns of an object constant.
    fn at_star_object(&self) -> bool {
        let mut offset = 0;
        while self.name_allowed(self.peek_nth(offset), NameUsage::Label)
            && self.peek_nth(offset + 1).kind == TokenKind::Dot
        {
            offset += 2;
        }
        self.peek_nth(offset).kind == TokenKind::Star
    }

    /// Reports numbers whose digit separators are misplaced (`1__0`, `1_`).
    fn check_number(&mut self, span: Span) {
        let text = self.text(span);
        let bytes = text.as_bytes();
        let misplaced = bytes.windows(2).any(|pair| {
            (pair[0] == b'_' && !pair[1].is_ascii_hexdigit())
                || (pair[1] == b'_' && !pair[0].is_ascii_hexdigit())
        }) || bytes.last() == Some(&b'_');
        if misplaced {
            // A malformed literal does not derail parsing: report it without
            // entering recovery, so a second one is reported too.
            self.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidLiteral,
                    format!("`{text}`: an underscore in a number must stand between two digits"),
                )
                .at(self.file, span),
            );
        }
    }

    fn parse_bracket_items(&mut self) -> Vec<Expr> {
        let mut items = Vec::new();
        while !self.at(TokenKind::RightBracket) {
            items.push(self.parse_expr());
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RightBracket, "`]`");
        items
    }

    fn parse_struct_literal(&mut self) -> ExprKind {
        let mut entries = Vec::new();
        while !self.at(TokenKind::RightBrace) {
            let key_token = self.peek();
            let key = match key_token.kind {
                TokenKind::String | TokenKind::QuotedIdent => Self::ident_from(self.advance()),
                _ if self.at_name(NameUsage::Label) => Self::ident_from(self.advance()),
                _ => {
                    self.error_expected("a struct key");
                    break;
                }
            };
            self.expect(TokenKind::Colon, "`:`");
            let value = self.parse_expr();
            entries.push((key, value));
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RightBrace, "`}`");
        ExprKind::StructLiteral(entries)
    }

    fn parse_parenthesized_expr(&mut self) -> Expr {
        let start = self.start();
        if self.paren_starts_query() {
            self.advance();
            let query = self.parse_query();
            self.expect_close_paren();
            return Expr {
                kind: ExprKind::Subquery(Box::new(query)),
                span: self.span_from(start),
            };
        }
        self.advance();
        if self.at(TokenKind::RightParen) {
            // `()`: an empty tuple, as the parameter list of a lambda.
            self.advance();
            return Expr {
                kind: ExprKind::Tuple(Vec::new()),
                span: self.span_from(start),
            };
        }
        let first = self.parse_expr();
        if self.at(TokenKind::Comma) {
            let mut items = vec![first];
            while self.eat(TokenKind::Comma) {
                if self.at(TokenKind::RightParen) {
                    break;
                }
                items.push(self.parse_expr());
            }
            self.expect_close_paren();
            return Expr {
                kind: ExprKind::Tuple(items),
                span: self.span_from(start),
            };
        }
        self.expect_close_paren();
        Expr {
            kind: ExprKind::Parenthesized(Box::new(first)),
            span: self.span_from(start),
        }
    }

    fn parse_word_prefix(&mut self) -> Expr {
        let start = self.start();
        let token = self.peek();
        let next = self.peek_nth(1);
        if token.kind == TokenKind::Word {
            match token.keyword {
                Keyword::Null => {
                    self.advance();
                    return self.finish(ExprKind::Null, start);
                }
                Keyword::True | Keyword::False => {
                    self.advance();
                    return self.finish(ExprKind::Boolean(token.keyword == Keyword::True), start);
                }
                Keyword::Not => {
                    self.advance();
                    // `NOT EXISTS (...)` reads as one construct.
                    if self.at_keyword(Keyword::Exists)
                        && self.peek_nth(1).kind == TokenKind::LeftParen
                    {
                        let mut exists = self.parse_word_prefix();
                        if let ExprKind::Exists { negated, .. } = &mut exists.kind {
                            *negated = true;
                        }
                        exists.span = self.span_from(start);
                        return exists;
                    }
                    let operand = self.parse_expr_bp(precedence::NOT);
                    return self.finish(
                        ExprKind::Unary {
                            operator: UnaryOp::Not,
                            operand: Box::new(operand),
                        },
                        start,
                    );
                }
                Keyword::Case => return self.parse_case(),
                Keyword::Cast | Keyword::TryCast | Keyword::None
                    if next.kind == TokenKind::LeftParen
                        && (token.keyword != Keyword::None
                            || self.hooks.is_try_cast_word(self.text(token.span))) =>
                {
                    self.advance();
                    self.advance();
                    let expr = self.parse_expr();
                    self.expect_keyword(Keyword::As);
                    let type_name = self.parse_type_name();
                    // `cast(d as string format 'YYYY' at time zone 'UTC')`
                    // (BigQuery): the format and its zone change the text,
                    // not the type; they are read and not kept.
                    if self.peek().kind == TokenKind::Word
                        && self.text(self.peek().span).eq_ignore_ascii_case("FORMAT")
                        && !matches!(
                            self.peek_nth(1).kind,
                            TokenKind::RightParen | TokenKind::Comma
                        )
                    {
                        self.advance();
                        self.parse_expr_bp(precedence::AT_TIME_ZONE + 1);
                        if self.at_keyword(Keyword::At)
                            && self.nth_is_keyword(1, Keyword::Time)
                            && self.nth_is_keyword(2, Keyword::Zone)
                        {
                            self.advance();
                            self.advance();
                            self.advance();
                            self.parse_expr();
                        }
                    }
                    self.expect_close_paren();
                    let syntax = if token.keyword == Keyword::Cast {
                        CastSyntax::Cast
                    } else {
                        CastSyntax::TryCast
                    };
                    return self.finish(
                        ExprKind::Cast {
                            expr: Box::new(expr),
                            type_name,
                            syntax,
                        },
                        start,
                    );
                }
                Keyword::Exists if next.kind == TokenKind::LeftParen => {
                    self.advance();
                    self.advance();
                    let query = self.parse_query();
                    self.expect_close_paren();
                    return self.finish(
                        ExprKind::Exists {
                            query: Box::new(query),
                            negated: false,
                        },
                        start,
                    );
                }
                Keyword::Interval => return self.parse_interval(),
                Keyword::Any | Keyword::Some | Keyword::All
                    if next.kind == TokenKind::LeftParen =>
                {
                    // `x = ANY (select ...)`, `x > ALL (array)`.
                    self.advance();
                    let operand = self.parse_parenthesized_expr();
                    return self.finish(
                        ExprKind::Quantified {
                            all: token.keyword == Keyword::All,
                            operand: Box::new(operand),
                        },
                        start,
                    );
                }
                Keyword::Array | Keyword::Struct | Keyword::Map
                    if next.kind == TokenKind::Less
                        && self.hooks.supports_angle_bracket_types() =>
                {
                    // `ARRAY<INT64>[1, 2]`, `STRUCT<a INT64>(1)`: a typed constructor.
                    let type_name = self.parse_type_name();
                    let value_start = self.start();
                    let value = if self.eat(TokenKind::LeftBracket) {
                        let items = self.parse_bracket_items();
                        self.finish(
                            ExprKind::Array {
                                items,
                                keyword: true,
                            },
                            value_start,
                        )
                    } else if self.at(TokenKind::LeftParen) {
                        let name = ObjectName {
                            parts: vec![Self::ident_from(token)],
                        };
                        self.parse_function_call(name, value_start)
                    } else {
                        self.error_expected("`[` or `(` after a constructor type");
                        self.error_expr(value_start)
                    };
                    return self.finish(
                        ExprKind::Cast {
                            expr: Box::new(value),
                            type_name,
                            syntax: CastSyntax::Cast,
                        },
                        start,
                    );
                }
                Keyword::Array if next.kind == TokenKind::LeftBracket => {
                    self.advance();
                    self.advance();
                    let items = self.parse_bracket_items();
                    return self.finish(
                        ExprKind::Array {
                            items,
                            keyword: true,
                        },
                        start,
                    );
                }
                Keyword::Array if next.kind == TokenKind::LeftParen && self.nth_starts_query(2) => {
                    self.advance();
                    self.advance();
                    let query = self.parse_query();
                    self.expect_close_paren();
                    return self.finish(ExprKind::ArraySubquery(Box::new(query)), start);
                }
                Keyword::Array
                    if next.kind == TokenKind::LeftParen
                        && self.peek_nth(2).kind == TokenKind::LeftParen =>
                {
                    // `ARRAY((SELECT ...))`: the subquery sits in extra parentheses.
                    self.advance();
                    let inner = self.parse_parenthesized_expr();
                    let mut unwrapped = &inner;
                    while let ExprKind::Parenthesized(nested) = &unwrapped.kind {
                        unwrapped = nested;
                    }
                    if let ExprKind::Subquery(query) = &unwrapped.kind {
                        let query = query.clone();
                        return self.finish(ExprKind::ArraySubquery(query), start);
                    }
                    let call = FunctionCall {
                        name: ObjectName {
                            parts: vec![Self::ident_from(token)],
                        },
                        args: vec![FunctionArg {
                            name: None,
                            value: inner,
                            variadic: false,
                        }],
                        distinct: false,
                        order_by: Vec::new(),
                        within_group: Vec::new(),
                        filter: None,
                        ignore_nulls: None,
                        nulls_inside: false,
                        limit: None,
                        having_bound: None,
                        over: None,
                    };
                    return self.finish(ExprKind::Function(Box::new(call)), start);
                }
                Keyword::Map
                    if next.kind == TokenKind::LeftBrace
                        && self.hooks.supports_bracket_and_brace_literals() =>
                {
                    self.advance();
                    self.advance();
                    let mut entries = Vec::new();
                    while !self.at(TokenKind::RightBrace) {
                        let key = self.parse_expr();
                        self.expect(TokenKind::Colon, "`:`");
                        let value = self.parse_expr();
                        entries.push((key, value));
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                    self.expect(TokenKind::RightBrace, "`}`");
                    return self.finish(ExprKind::MapLiteral(entries), start);
                }
                Keyword::Row if next.kind == TokenKind::LeftParen => {
                    self.advance();
                    self.advance();
                    let items = self.parse_expr_list_until_close();
                    return self.finish(ExprKind::Row(items), start);
                }
                Keyword::Lambda
                    if self.hooks.supports_arrow_lambda()
                        && self.name_allowed(next, NameUsage::Label) =>
                {
                    // DuckDB 1.3: `lambda x, y: x + y`.
                    self.advance();
                    let mut params = Vec::new();
                    while let Some(param) = self.parse_ident(NameUsage::Label) {
                        params.push(param);
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                    self.expect(TokenKind::Colon, "`:`");
                    let body = self.parse_expr_bp(precedence::LAMBDA);
                    return self.finish(
                        ExprKind::Lambda {
                            params,
                            body: Box::new(body),
                        },
                        start,
                    );
                }
                _ => {}
            }
            if next.kind == TokenKind::String || next.kind == TokenKind::EscapeString {
                let upper = self.text(token.span).to_ascii_uppercase();
                if self.hooks.is_typed_literal_prefix(&upper) {
                    let type_name = self.parse_type_name();
                    let style = if self.peek().kind == TokenKind::EscapeString {
                        StringStyle::Escape
                    } else {
                        StringStyle::Plain
                    };
                    let value = self.advance().span;
                    return self.finish(
                        ExprKind::TypedString {
                            type_name,
                            value,
                            style,
                        },
                        start,
                    );
                }
            }
            // `TIMESTAMP WITH TIME ZONE '...'`.
            if token.keyword == Keyword::Timestamp
                && next.is_keyword(Keyword::With)
                && self.peek_nth(4).kind == TokenKind::String
            {
                let type_name = self.parse_type_name();
                let value = self.advance().span;
                return self.finish(
                    ExprKind::TypedString {
                        type_name,
                        value,
                        style: StringStyle::Plain,
                    },
                    start,
                );
            }
        }
        // A name: a column path, a qualified star, or a function call.
        if next.kind == TokenKind::LeftParen && self.name_allowed(token, NameUsage::Function) {
            let name = ObjectName {
                parts: vec![Self::ident_from(self.advance())],
            };
            return self.parse_function_call(name, start);
        }
        if !self.name_allowed(token, NameUsage::Column) {
            self.error_expected("an expression");
            return Expr {
                kind: ExprKind::Error,
                span: Span::new(start, start),
            };
        }
        let mut parts = vec![Self::ident_from(self.advance())];
        while self.at(TokenKind::Dot) {
            let after = self.peek_nth(1);
            if after.kind == TokenKind::Star {
                self.advance();
                self.advance();
                let star = self.parse_star_modifiers(parts);
                return self.finish(ExprKind::Star(Box::new(star)), start);
            }
            if !self.name_allowed(after, NameUsage::Label) {
                break;
            }
            self.advance();
            parts.push(Self::ident_from(self.advance()));
        }
        if self.at(TokenKind::LeftParen) && parts.len() > 1 {
            return self.parse_function_call(ObjectName { parts }, start);
        }
        // `current_date`: a function called without parentheses.
        if parts.len() == 1 && !parts[0].quoted {
            let upper = self.text(parts[0].span).to_ascii_uppercase();
            if self.hooks.is_niladic_function(&upper) {
                let call = FunctionCall {
                    name: ObjectName { parts },
                    args: Vec::new(),
                    distinct: false,
                    order_by: Vec::new(),
                    within_group: Vec::new(),
                    filter: None,
                    ignore_nulls: None,
                    nulls_inside: false,
                    limit: None,
                    having_bound: None,
                    over: None,
                };
                return self.finish(ExprKind::Function(Box::new(call)), start);
            }
        }
        self.finish(ExprKind::Identifier(parts), start)
    }

    fn nth_starts_query(&self, offset: usize) -> bool {
        let token = self.peek_nth(offset);
        token.kind == TokenKind::Word
            && matches!(
                token.keyword,
                Keyword::Select | Keyword::With | Keyword::Values
            )
    }

    fn finish(&self, kind: ExprKind, start: u32) -> Expr {
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    fn parse_star_modifiers(&mut self, qualifier: Vec<Ident>) -> Star {
        let modifiers = self.hooks.star_modifiers();
        let mut star = Star {
            qualifier,
            exclude: Vec::new(),
            replace: Vec::new(),
            rename: Vec::new(),
            ilike: None,
        };
        loop {
            if modifiers.ilike
                && self.at_keyword(Keyword::Ilike)
                && self.peek_nth(1).kind == TokenKind::String
            {
                self.advance();
                star.ilike = Some(self.advance().span);
                continue;
            }
            if (modifiers.exclude && self.at_keyword(Keyword::Exclude))
                || (modifiers.except && self.at_keyword(Keyword::Except))
            {
                self.advance();
                if self.at(TokenKind::LeftParen) {
                    self.advance();
                    loop {
                        let name = self.parse_object_name(NameUsage::Label);
                        if let Some(last) = name.parts.last() {
                            star.exclude.push(*last);
                        } else {
                            break;
                        }
                        if !self.eat(TokenKind::Comma) {
                            break;
                        }
                    }
                    self.expect_close_paren();
                } else if modifiers.unparenthesized_list {
                    let name = self.parse_object_name(NameUsage::Label);
                    star.exclude.extend(name.parts.last().copied());
                } else {
                    self.error_expected("`(`");
                }
            } else if modifiers.replace
                && self.at_keyword(Keyword::Replace)
                && self.peek_nth(1).kind == TokenKind::LeftParen
            {
                self.advance();
                self.advance();
                loop {
                    let expr = self.parse_expr();
                    self.expect_keyword(Keyword::As);
                    match self.parse_ident(NameUsage::Label) {
                        Some(name) => star.replace.push((expr, name)),
                        None => break,
                    }
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect_close_paren();
            } else if modifiers.rename
                && self.at_keyword(Keyword::Rename)
                && self.peek_nth(1).kind == TokenKind::LeftParen
            {
                self.advance();
                self.advance();
                while let Some(old) = self
                    .parse_object_name(NameUsage::Label)
                    .parts
                    .last()
                    .copied()
                {
                    self.expect_keyword(Keyword::As);
                    match self.parse_ident(NameUsage::Label) {
                        Some(new) => star.rename.push((old, new)),
                        None => break,
                    }
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect_close_paren();
            } else if modifiers.unparenthesized_rename
                && self.at_keyword(Keyword::Rename)
                && self.name_allowed(self.peek_nth(1), NameUsage::Column)
            {
                // `* RENAME a AS b` (Snowflake): one column, no parentheses.
                self.advance();
                let old = self
                    .parse_object_name(NameUsage::Label)
                    .parts
                    .last()
                    .copied();
                self.expect_keyword(Keyword::As);
                if let (Some(old), Some(new)) = (old, self.parse_ident(NameUsage::Label)) {
                    star.rename.push((old, new));
                }
            } else {
                break;
            }
        }
        star
    }

    fn parse_case(&mut self) -> Expr {
        let start = self.start();
        self.advance();
        let operand = if self.at_keyword(Keyword::When) {
            None
        } else {
            Some(Box::new(self.parse_expr()))
        };
        let mut branches = Vec::new();
        while self.eat_keyword(Keyword::When) {
            let condition = self.parse_expr();
            self.expect_keyword(Keyword::Then);
            let result = self.parse_expr();
            branches.push((condition, result));
        }
        if branches.is_empty() {
            self.error_expected("WHEN");
        }
        let else_result = if self.eat_keyword(Keyword::Else) {
            Some(Box::new(self.parse_expr()))
        } else {
            None
        };
        self.expect_keyword(Keyword::End);
        self.finish(
            ExprKind::Case {
                operand,
                branches,
                else_result,
            },
            start,
        )
    }

    fn parse_interval(&mut self) -> Expr {
        let start = self.start();
        self.advance();
        let value = match self.peek().kind {
            TokenKind::String | TokenKind::EscapeString | TokenKind::Number => {
                let token = self.advance();
                let kind = if token.kind == TokenKind::Number {
                    ExprKind::Number
                } else {
                    ExprKind::String(StringStyle::Plain)
                };
                Expr {
                    kind,
                    span: token.span,
                }
            }
            TokenKind::LeftParen => self.parse_parenthesized_expr(),
            TokenKind::Minus => self.parse_expr_bp(precedence::UNARY),
            _ => {
                self.error_expected("an interval value");
                self.error_expr(start)
            }
        };
        let unit = if self.peek().kind == TokenKind::Word {
            let upper = self.text(self.peek().span).to_ascii_uppercase();
            let singular = upper.strip_suffix('S').unwrap_or(&upper);
            if self.hooks.is_interval_unit(&upper) || self.hooks.is_interval_unit(singular) {
                Some(self.advance().span)
            } else {
                None
            }
        } else {
            None
        };
        if unit.is_none() && !matches!(value.kind, ExprKind::String(_) | ExprKind::Error) {
            self.error_expected("an interval unit such as DAY or MONTH");
        }
        let mut interval = self.finish(
            ExprKind::Interval {
                value: Box::new(value),
                unit,
            },
            start,
        );
        // `interval 5 hours 30 minutes` (Spark): the sum of its parts.
        while unit.is_some()
            && self.hooks.supports_multi_unit_intervals()
            && matches!(self.peek().kind, TokenKind::String | TokenKind::Number)
            && self.nth_is_interval_unit(1)
        {
            let part_start = self.start();
            let value_token = self.advance();
            let kind = if value_token.kind == TokenKind::Number {
                ExprKind::Number
            } else {
                ExprKind::String(StringStyle::Plain)
            };
            let value = Expr {
                kind,
                span: value_token.span,
            };
            let part_unit = Some(self.advance().span);
            let part = self.finish(
                ExprKind::Interval {
                    value: Box::new(value),
                    unit: part_unit,
                },
                part_start,
            );
            interval = self.finish(
                ExprKind::Binary {
                    operator: BinaryOp::Add,
                    left: Box::new(interval),
                    right: Box::new(part),
                },
                start,
            );
        }
        interval
    }

    /// Whether the token at `offset` is an interval unit, singular or plural.
    fn nth_is_interval_unit(&self, offset: usize) -> bool {
        let token = self.peek_nth(offset);
        if token.kind != TokenKind::Word {
            return false;
        }
        let upper = self.text(token.span).to_ascii_uppercase();
        let singular = upper.strip_suffix('S').unwrap_or(&upper);
        self.hooks.is_interval_unit(&upper) || self.hooks.is_interval_unit(singular)
    }

    /// `name(` has been read up to the name; reads the arguments and what
    /// may follow the call (`WITHIN GROUP`, `FILTER`, `OVER`).
    fn parse_function_call(&mut self, name: ObjectName, start: u32) -> Expr {
        self.advance();
        let function_name = name
            .parts
            .last()
            .map(|part| self.text(part.span).to_ascii_lowercase())
            .unwrap_or_default();
        let mut call = FunctionCall {
            name,
            args: Vec::new(),
            distinct: false,
            order_by: Vec::new(),
            within_group: Vec::new(),
            filter: None,
            ignore_nulls: None,
            nulls_inside: false,
            limit: None,
            having_bound: None,
            over: None,
        };
        if self.eat_keyword(Keyword::Distinct) {
            call.distinct = true;
        } else if self.at_keyword(Keyword::All)
            && !matches!(
                self.peek_nth(1).kind,
                TokenKind::RightParen | TokenKind::Comma
            )
        {
            self.advance();
        }
        let outer_in_call = self.in_call_arguments;
        self.in_call_arguments = true;
        if !self.at(TokenKind::RightParen) {
            loop {
                if self.at_keyword(Keyword::Order) && self.nth_is_keyword(1, Keyword::By) {
                    break;
                }
                let argument = self.parse_call_argument(&function_name);
                call.args.push(argument);
                // Keyword-separated arguments: `extract(year from d)`,
                // `substring(s from 2 for 3)`, `trim(both 'x' from s)`.
                let separated = self.eat(TokenKind::Comma)
                    || (self.hooks.has_keyword_separated_arguments(&function_name)
                        && (self.eat_keyword(Keyword::From)
                            || self.eat_keyword(Keyword::For)
                            || self.eat_keyword(Keyword::In)
                            || self.eat_word("PLACING")));
                if !separated || self.at(TokenKind::RightParen) {
                    break;
                }
            }
        }
        // `array_agg(x ignore nulls order by x)`: before or after the order.
        if (self.at_keyword(Keyword::Ignore) || self.at_keyword(Keyword::Respect))
            && self.nth_is_keyword(1, Keyword::Nulls)
        {
            call.ignore_nulls = Some(self.advance().keyword == Keyword::Ignore);
            call.nulls_inside = true;
            self.advance();
        }
        if self.at_keyword(Keyword::Order) && self.nth_is_keyword(1, Keyword::By) {
            self.advance();
            self.advance();
            call.order_by = self.parse_order_keys();
        }
        if (self.at_keyword(Keyword::Ignore) || self.at_keyword(Keyword::Respect))
            && self.nth_is_keyword(1, Keyword::Nulls)
        {
            call.ignore_nulls = Some(self.advance().keyword == Keyword::Ignore);
            call.nulls_inside = true;
            self.advance();
        }
        // BigQuery's aggregate clauses: `array_agg(x limit 10)`,
        // `any_value(x having max y)`. They bound or choose rows but add no
        // column.
        if self.at_keyword(Keyword::Limit) {
            self.advance();
            call.limit = Some(Box::new(self.parse_expr()));
        }
        if self.at_keyword(Keyword::Having)
            && self.peek_nth(1).kind == TokenKind::Word
            && matches!(
                self.text(self.peek_nth(1).span)
                    .to_ascii_uppercase()
                    .as_str(),
                "MAX" | "MIN"
            )
        {
            self.advance();
            let word = self.advance().span;
            let max = self.text(word).eq_ignore_ascii_case("max");
            call.having_bound = Some(AggregateHaving {
                max,
                value: Box::new(self.parse_expr()),
            });
        }
        self.in_call_arguments = outer_in_call;
        self.expect_close_paren();
        if self.at_keyword(Keyword::Within) && self.nth_is_keyword(1, Keyword::Group) {
            self.advance();
            self.advance();
            if self.expect(TokenKind::LeftParen, "`(`") {
                self.expect_keyword(Keyword::Order);
                self.expect_keyword(Keyword::By);
                call.within_group = self.parse_order_keys();
                self.expect_close_paren();
            }
        }
        if self.at_keyword(Keyword::Filter) && self.peek_nth(1).kind == TokenKind::LeftParen {
            self.advance();
            self.advance();
            self.eat_keyword(Keyword::Where);
            call.filter = Some(Box::new(self.parse_expr()));
            self.expect_close_paren();
        }
        if (self.at_keyword(Keyword::Ignore) || self.at_keyword(Keyword::Respect))
            && self.nth_is_keyword(1, Keyword::Nulls)
        {
            call.ignore_nulls = Some(self.advance().keyword == Keyword::Ignore);
            self.advance();
        }
        if self.at_keyword(Keyword::Over) {
            self.advance();
            if self.at(TokenKind::LeftParen) {
                call.over = Some(self.parse_window_spec_in_parens());
            } else {
                let window_start = self.start();
                let base = self.parse_ident(NameUsage::Label);
                call.over = Some(WindowSpec {
                    base,
                    partition_by: Vec::new(),
                    order_by: Vec::new(),
                    frame: None,
                    span: self.span_from(window_start),
                });
            }
        }
        self.finish(ExprKind::Function(Box::new(call)), start)
    }

    fn eat_word(&mut self, upper_case_word: &str) -> bool {
        let token = self.peek();
        if token.kind == TokenKind::Word
            && self.text(token.span).eq_ignore_ascii_case(upper_case_word)
        {
            self.advance();
            true
        } else {
            false
        }
    }

    fn parse_call_argument(&mut self, function_name: &str) -> FunctionArg {
        let token = self.peek();
        let next = self.peek_nth(1);
        if self.name_allowed(token, NameUsage::Label)
            && matches!(next.kind, TokenKind::ColonEquals | TokenKind::FatArrow)
        {
            self.advance();
            self.advance();
            return FunctionArg {
                name: Some(Self::ident_from(token)),
                value: self.parse_expr(),
                variadic: false,
            };
        }
        let start = self.start();
        // `ml.predict(model d.m, table d.t)`: a model or a relation by name.
        if self.hooks.supports_relation_arguments()
            && token.kind == TokenKind::Word
            && (token.keyword == Keyword::Table
                || self.text(token.span).eq_ignore_ascii_case("MODEL"))
            && self.name_allowed(next, NameUsage::Column)
        {
            let keyword = self.advance().span;
            let name = self.parse_table_name();
            return FunctionArg {
                name: None,
                value: self.finish(ExprKind::RelationArgument { keyword, name }, start),
                variadic: false,
            };
        }
        // `xmlelement(name item, ...)`: the element's name, not a column.
        if self.hooks.supports_sql_xml()
            && function_name == "xmlelement"
            && token.kind == TokenKind::Word
            && self.text(token.span).eq_ignore_ascii_case("NAME")
            && self.name_allowed(next, NameUsage::Label)
        {
            self.advance();
            let element = Self::ident_from(self.advance());
            return FunctionArg {
                name: None,
                value: self.finish(ExprKind::XmlName(element), start),
                variadic: false,
            };
        }
        let variadic = self.hooks.supports_variadic_arguments()
            && token.kind == TokenKind::Word
            && self.text(token.span).eq_ignore_ascii_case("VARIADIC")
            && !matches!(next.kind, TokenKind::Comma | TokenKind::RightParen);
        if variadic {
            self.advance();
        }
        // `position(a in b)`: the first argument stops before IN.
        let value = if function_name == "position" {
            self.parse_expr_bp(precedence::PATTERN + 1)
        } else if function_name == "trim"
            && (self.at_keyword(Keyword::Both)
                || self.at_keyword(Keyword::Leading)
                || self.at_keyword(Keyword::Trailing))
        {
            let side = self.advance();
            if self.at_keyword(Keyword::From) {
                Expr {
                    kind: ExprKind::Identifier(vec![Self::ident_from(side)]),
                    span: side.span,
                }
            } else {
                self.parse_expr()
            }
        } else {
            self.parse_expr()
        };
        // `struct(1 as a)`: the alias names the field, like a named argument.
        if self.hooks.allows_aliased_arguments(function_name) && self.at_keyword(Keyword::As) {
            self.advance();
            let name = self.parse_ident(NameUsage::Label);
            return FunctionArg {
                name,
                value,
                variadic,
            };
        }
        FunctionArg {
            name: None,
            value,
            variadic,
        }
    }

    /// `left [NOT] IN collection` where the collection is one value (an
    /// array or list), not a parenthesised list: a binary `IN`, negated by
    /// an outer NOT.
    fn membership(&self, left: Expr, collection: Expr, negated: bool, start: u32) -> ExprKind {
        let membership = Expr {
            kind: ExprKind::Binary {
                operator: BinaryOp::Other(Name::new("IN")),
                left: Box::new(left),
                right: Box::new(collection),
            },
            span: self.span_from(start),
        };
        if negated {
            ExprKind::Unary {
                operator: UnaryOp::Not,
                operand: Box::new(membership),
            }
        } else {
            membership.kind
        }
    }

    /// Arguments of a table function in FROM, after its `(`: call
    /// arguments, plus `name = value` where the dialect names them so (see
    /// `SyntaxHooks::supports_equals_named_table_arguments`).
    fn parse_table_function_arguments_until_close(&mut self) -> Vec<FunctionArg> {
        let equals_named = self.hooks.supports_equals_named_table_arguments();
        self.parse_arguments_until_close(equals_named)
    }

    /// Arguments of a call, after its `(`.
    fn parse_call_arguments_until_close(&mut self) -> Vec<FunctionArg> {
        self.parse_arguments_until_close(false)
    }

    fn parse_arguments_until_close(&mut self, equals_named: bool) -> Vec<FunctionArg> {
        let mut args = Vec::new();
        let outer_in_call = self.in_call_arguments;
        self.in_call_arguments = true;
        if !self.at(TokenKind::RightParen) {
            loop {
                let token = self.peek();
                if equals_named
                    && self.name_allowed(token, NameUsage::Label)
                    && self.peek_nth(1).kind == TokenKind::Equals
                {
                    self.advance();
                    self.advance();
                    args.push(FunctionArg {
                        name: Some(Self::ident_from(token)),
                        value: self.parse_expr(),
                        variadic: false,
                    });
                } else {
                    args.push(self.parse_call_argument(""));
                }
                if !self.eat(TokenKind::Comma) || self.at(TokenKind::RightParen) {
                    break;
                }
            }
        }
        self.in_call_arguments = outer_in_call;
        self.expect_close_paren();
        args
    }

    fn parse_window_spec_in_parens(&mut self) -> WindowSpec {
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

    fn parse_frame_bound(&mut self) -> FrameBound {
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

    // ---- type names ----

    /// Whether the next token closes an angle-bracketed type: `>`, or the
    /// first half of `>>` (`array<array<int>>`).
    fn at_closing_angle(&self) -> bool {
        matches!(
            self.peek().kind,
            TokenKind::Greater | TokenKind::ShiftRight | TokenKind::GreaterEquals
        ) || self.at(TokenKind::EndOfInput)
    }

    /// Consumes one `>`, splitting `>>` and `>=` so that the rest stays.
    fn expect_closing_angle(&mut self) {
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

    fn parse_type_name(&mut self) -> TypeName {
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

    fn parse_type_name_inner(&mut self, start: u32) -> TypeName {
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
                    if self.eat_word("COMMENT") {
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

/// The parameters of a lambda, when `left` can be its parameter list: a
/// single name or a parenthesised list of names.
fn lambda_params(left: &Expr) -> Option<Vec<Ident>> {
    match &left.kind {
        ExprKind::Identifier(parts) if parts.len() == 1 => Some(parts.clone()),
        ExprKind::Parenthesized(inner) => lambda_params(inner),
        ExprKind::Tuple(items) => items
            .iter()
            .map(|item| match &item.kind {
                ExprKind::Identifier(parts) if parts.len() == 1 => Some(parts[0]),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Whether `left` can be followed by a `:key` path: a value, not a literal
/// (`x[1:2]` in a slice keeps its colon).
fn can_have_path(left: &Expr) -> bool {
    matches!(
        left.kind,
        ExprKind::Identifier(_)
            | ExprKind::Field { .. }
            | ExprKind::Index { .. }
            | ExprKind::ColonPath { .. }
            | ExprKind::Function(_)
            | ExprKind::Parenthesized(_)
            | ExprKind::Parameter
    )
}

/// Keywords that start a clause of a query: recovery resumes at them.
fn is_clause_keyword(keyword: Keyword) -> bool {
    matches!(
        keyword,
        Keyword::From
            | Keyword::Where
            | Keyword::Group
            | Keyword::Having
            | Keyword::Qualify
            | Keyword::Window
            | Keyword::Order
            | Keyword::Limit
            | Keyword::Offset
            | Keyword::Fetch
            | Keyword::Union
            | Keyword::Intersect
            | Keyword::Except
    )
}
