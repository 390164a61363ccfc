//! A project's user-defined functions: declared in YAML with the signature
//! language of the catalogs, and consulted before the dialect's catalog.
//!
//! ```yaml
//! functions:
//!   - "clean_phone(raw varchar, country varchar?) -> varchar"
//!   - name: analytics.fiscal_quarter
//!     signature: "(d date) -> number"
//! ```

use super::{parse_declaration, FunctionCatalog};
use fusion_ir::name::Name;
use fusion_ir::query::{BinaryOp, Ident};
use fusion_ir::semantics::{DialectSemantics, FunctionDef, TableFunctionColumn};
use fusion_ir::types::SqlType;

/// One declaration as the project writes it: a whole signature, or a name
/// and a signature (which may then leave the name out: `(x int) -> int`).
#[derive(Clone, Copy, Debug)]
pub struct UserFunctionDeclaration<'a> {
    pub name: Option<&'a str>,
    pub signature: &'a str,
}

/// A declaration that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFunctionError {
    /// The declared name, or the signature text when there is no name.
    pub declaration: String,
    pub message: String,
}

/// The functions a project declares.
#[derive(Clone, Debug, Default)]
pub struct UserFunctions {
    catalog: FunctionCatalog,
}

impl UserFunctions {
    /// Reads the declarations with the dialect's type names. Declarations that
    /// cannot be read are left out and returned as errors (to report with
    /// `Code::InvalidFunctionSignature`); the others are kept.
    pub fn from_declarations<'a>(
        declarations: impl IntoIterator<Item = UserFunctionDeclaration<'a>>,
        semantics: &dyn DialectSemantics,
    ) -> (UserFunctions, Vec<UserFunctionError>) {
        let mut functions = UserFunctions::default();
        let mut errors = Vec::new();
        let parse_type_name = |text: &str| semantics.parse_type_name(text);
        for declaration in declarations {
            let signature = declaration.signature.trim();
            // `{name, signature: "(x int) -> int"}`: the name comes from the key.
            let text = match (declaration.name, signature.starts_with('(')) {
                (Some(name), true) => format!("{name}{signature}"),
                _ => signature.to_owned(),
            };
            match parse_declaration(&text, &parse_type_name) {
                Ok(definitions) => {
                    for mut definition in definitions {
                        if let Some(name) = declaration.name {
                            definition.name = Name::new(name);
                        }
                        functions.catalog.add(definition);
                    }
                }
                Err(message) => errors.push(UserFunctionError {
                    declaration: declaration
                        .name
                        .map(str::to_owned)
                        .unwrap_or_else(|| signature.to_owned()),
                    message,
                }),
            }
        }
        (functions, errors)
    }

    pub fn lookup(&self, name: &str) -> Option<&FunctionDef> {
        self.catalog.lookup(name)
    }

    pub fn is_empty(&self) -> bool {
        self.catalog.is_empty()
    }

    /// Registers the function a `CREATE FUNCTION` statement (from a hook or
    /// a macro) defines, its parameter and result types read with the
    /// dialect's type names. Returns the function's name, or `None` when the
    /// text is not a `CREATE FUNCTION` statement fusionc can read (the
    /// function then stays undeclared).
    ///
    /// Example: `create or replace function util.clean(raw varchar, n int
    /// default 1) returns varchar language sql as $$ ... $$` declares
    /// `util.clean(raw varchar, n int?) -> varchar`.
    pub fn add_create_function(
        &mut self,
        statement: &str,
        semantics: &dyn DialectSemantics,
    ) -> Option<String> {
        let definition = read_create_function(statement, semantics)?;
        let name = definition.name.as_str().to_owned();
        self.catalog.add(definition);
        Some(name)
    }
}

/// Words that may stand between `CREATE` and `FUNCTION`.
const CREATE_FUNCTION_MODIFIERS: &[&str] = &[
    "or",
    "replace",
    "temp",
    "temporary",
    "secure",
    "external",
    "aggregate",
    "table",
];

/// Words that end a `RETURNS` type.
const AFTER_RETURN_TYPE: &[&str] = &[
    "language",
    "as",
    "immutable",
    "stable",
    "volatile",
    "strict",
    "called",
    "security",
    "comment",
    "options",
    "not",
    "null",
    "deterministic",
    "returns",
    "runtime_version",
    "handler",
    "packages",
    "imports",
    "memoize",
    "cost",
    "rows",
    "parallel",
    "set",
    "window",
    "leakproof",
    "support",
    "transform",
    "with",
];

/// Reads `CREATE [OR REPLACE] [TEMP] [AGGREGATE] FUNCTION [IF NOT EXISTS]
/// name (params) [RETURNS type] ...` into a function definition.
fn read_create_function(statement: &str, semantics: &dyn DialectSemantics) -> Option<FunctionDef> {
    use fusion_ir::query::FunctionKind;
    use fusion_ir::semantics::{Param, ResultNullability, ReturnType, Signature};

    let text = statement.trim_start();
    let mut rest = strip_word(text, "create")?;
    let mut aggregate = false;
    loop {
        let (word, after) = next_word(rest)?;
        let lower = word.to_ascii_lowercase();
        if lower == "function" {
            rest = after;
            break;
        }
        if !CREATE_FUNCTION_MODIFIERS.contains(&lower.as_str()) {
            return None;
        }
        aggregate |= lower == "aggregate";
        rest = after;
    }
    if let Some(after) = strip_word(rest, "if")
        .and_then(|after| strip_word(after, "not"))
        .and_then(|after| strip_word(after, "exists"))
    {
        rest = after;
    }
    let open = rest.find('(')?;
    let name: String = rest[..open]
        .trim()
        .chars()
        .filter(|character| !matches!(character, '"' | '`' | '[' | ']'))
        .collect();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let close = open + matching_paren(&rest[open..])?;
    let mut params = Vec::new();
    for part in super::type_text::split_top_level(&rest[open + 1..close])? {
        params.push(read_parameter(&part, semantics)?);
    }
    // Optional parameters come last; a default before a required one is
    // not modelled, and the parameter is then taken as required.
    let last_required = params.iter().rposition(|param: &Param| !param.optional);
    if let Some(last_required) = last_required {
        for param in &mut params[..last_required] {
            param.optional = false;
        }
    }
    let after_params = &rest[close + 1..];
    let (returns, kind) = match find_word(after_params, "returns") {
        Some(position) => {
            let type_text = return_type_text(&after_params[position + "returns".len()..]);
            let lower = type_text.to_ascii_lowercase();
            if lower.starts_with("table") || lower.starts_with("setof") {
                (ReturnType::Exact(SqlType::Unknown), FunctionKind::Table)
            } else {
                let ty = semantics
                    .parse_type_name(&type_text)
                    .unwrap_or(SqlType::Unknown);
                (ReturnType::Exact(ty), FunctionKind::Scalar)
            }
        }
        // BigQuery SQL functions may leave the result type to inference.
        None => (ReturnType::Exact(SqlType::Unknown), FunctionKind::Scalar),
    };
    let kind = if aggregate {
        FunctionKind::Aggregate
    } else {
        kind
    };
    Some(FunctionDef {
        name: Name::new(&name),
        kind,
        // A project's own declaration does not say; its body is the
        // project's, and the state-aware run hashes that.
        volatile: false,
        signatures: vec![Signature {
            params,
            returns,
            variable_classes: Vec::new(),
        }],
        nullability: match kind {
            FunctionKind::Aggregate | FunctionKind::Window => ResultNullability::Always,
            FunctionKind::Scalar | FunctionKind::Table => ResultNullability::FromArguments,
        },
    })
}

/// One parameter: `[IN] [name] type [DEFAULT expr | = expr]`; a type the
/// dialect does not know (BigQuery's `ANY TYPE`) accepts any value.
fn read_parameter(
    text: &str,
    semantics: &dyn DialectSemantics,
) -> Option<fusion_ir::semantics::Param> {
    use fusion_ir::semantics::{Param, ParamType};
    let mut text = text.trim();
    for mode in ["inout", "in", "out", "variadic"] {
        if let Some(after) = strip_word(text, mode) {
            text = after.trim_start();
            break;
        }
    }
    let (declaration, optional) = match find_word(text, "default").or_else(|| text.find('=')) {
        Some(position) => (text[..position].trim(), true),
        None => (text, false),
    };
    if declaration.is_empty() {
        return None;
    }
    // `name type` when the whole is not a type; `type` alone otherwise.
    let (name, type_text) = match semantics.parse_type_name(declaration) {
        Some(_) => (None, declaration),
        None => match declaration.split_once(char::is_whitespace) {
            Some((name, type_text)) => (Some(name), type_text.trim()),
            None => (None, declaration),
        },
    };
    let ty = match semantics.parse_type_name(type_text) {
        Some(ty) => ParamType::Exact(ty),
        None => ParamType::Any,
    };
    Some(Param {
        name: name.map(|name| Name::new(name.trim_matches(['"', '`']))),
        ty,
        optional,
        variadic: false,
    })
}

/// The type after `RETURNS`, up to the next clause keyword or body.
fn return_type_text(text: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut rest = text;
    let mut depth = 0i32;
    while let Some((word, after)) = next_word(rest) {
        let lower = word.to_ascii_lowercase();
        if depth == 0
            && (AFTER_RETURN_TYPE.contains(&lower.as_str()) || word.starts_with(['$', '\'', '"']))
            && !words.is_empty()
        {
            break;
        }
        depth += word.matches(['(', '<']).count() as i32;
        depth -= word.matches([')', '>']).count() as i32;
        words.push(word);
        rest = after;
    }
    words.join(" ")
}

/// The next whitespace-separated word and the text after it.
fn next_word(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    if text.is_empty() {
        return None;
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    Some((&text[..end], &text[end..]))
}

/// `text` after a leading `word` (any case) followed by a space or `(`.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let text = text.trim_start();
    let head = text.get(..word.len())?;
    let rest = &text[word.len()..];
    (head.eq_ignore_ascii_case(word)
        && rest.starts_with(|character: char| character.is_whitespace() || character == '('))
    .then_some(rest)
}

/// The byte position of `word` as a whole word (any case) in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut start = 0;
    while let Some(found) = lower[start..].find(word) {
        let position = start + found;
        let before = lower[..position].chars().next_back();
        let after = lower[position + word.len()..].chars().next();
        let boundary = |character: Option<char>| {
            character.is_none_or(|character| !character.is_alphanumeric() && character != '_')
        };
        if boundary(before) && boundary(after) {
            return Some(position);
        }
        start = position + word.len();
    }
    None
}

/// The position of the `)` that closes the `(` at the start of `text`.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (position, character) in text.char_indices() {
        match character {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(position);
                }
            }
            _ => {}
        }
    }
    None
}

/// A dialect's semantics with a project's UDFs consulted first: what the
/// binder is given when the project declares functions.
pub struct WithUserFunctions<'a> {
    pub dialect: &'a dyn DialectSemantics,
    pub functions: &'a UserFunctions,
}

impl WithUserFunctions<'_> {
    /// What to bind with: the dialect's own semantics when the project
    /// declares no functions (no extra lookup per call), else this.
    pub fn semantics(&self) -> &dyn DialectSemantics {
        if self.functions.is_empty() {
            self.dialect
        } else {
            self
        }
    }
}

impl DialectSemantics for WithUserFunctions<'_> {
    fn name(&self) -> &'static str {
        self.dialect.name()
    }

    fn fold_identifier(&self, ident: &Ident) -> Name {
        self.dialect.fold_identifier(ident)
    }

    fn names_match(&self, left: Name, right: Name) -> bool {
        self.dialect.names_match(left, right)
    }

    fn type_name(&self, ty: &SqlType) -> String {
        self.dialect.type_name(ty)
    }

    fn parse_type_name(&self, text: &str) -> Option<SqlType> {
        self.dialect.parse_type_name(text)
    }

    fn function(&self, name: &str) -> Option<&FunctionDef> {
        self.functions
            .lookup(name)
            .or_else(|| self.dialect.function(name))
    }

    fn function_names(&self) -> Vec<&str> {
        let mut names = self.functions.catalog.names();
        names.extend(self.dialect.function_names());
        names
    }

    fn can_coerce(&self, from: &SqlType, to: &SqlType) -> bool {
        self.dialect.can_coerce(from, to)
    }

    fn can_cast(&self, from: &SqlType, to: &SqlType) -> bool {
        self.dialect.can_cast(from, to)
    }

    fn common_supertype(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        self.dialect.common_supertype(left, right)
    }

    fn binary_result(&self, op: BinaryOp, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        self.dialect.binary_result(op, left, right)
    }

    fn integer_literal_type(&self, text: &str) -> SqlType {
        self.dialect.integer_literal_type(text)
    }

    fn decimal_literal_type(&self, text: &str) -> SqlType {
        self.dialect.decimal_literal_type(text)
    }

    fn string_literal_type(&self) -> SqlType {
        self.dialect.string_literal_type()
    }

    fn sum_type(&self, input: &SqlType) -> SqlType {
        self.dialect.sum_type(input)
    }

    fn average_type(&self, input: &SqlType) -> SqlType {
        self.dialect.average_type(input)
    }

    fn aliases_visible_in_where(&self) -> bool {
        self.dialect.aliases_visible_in_where()
    }

    fn comparison_type(&self, left: &SqlType, right: &SqlType) -> Option<SqlType> {
        self.dialect.comparison_type(left, right)
    }

    fn string_literal_coerces_to(&self, to: &SqlType) -> bool {
        self.dialect.string_literal_coerces_to(to)
    }

    fn date_part_result(&self, function: &str, part: &str, input: &SqlType) -> Option<SqlType> {
        self.dialect.date_part_result(function, part, input)
    }

    fn table_function_columns(
        &self,
        name: &str,
        argument_types: &[SqlType],
    ) -> Option<Vec<TableFunctionColumn>> {
        self.dialect.table_function_columns(name, argument_types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dialect;

    #[test]
    fn declarations_shadow_and_extend_the_catalog() {
        let snowflake = crate::snowflake::Snowflake.semantics();
        let (functions, errors) = UserFunctions::from_declarations(
            [
                UserFunctionDeclaration {
                    name: None,
                    signature: "clean_phone(raw varchar, country varchar?) -> varchar",
                },
                UserFunctionDeclaration {
                    name: Some("analytics.fiscal_quarter"),
                    signature: "(d date) -> number",
                },
                UserFunctionDeclaration {
                    name: Some("broken"),
                    signature: "(x varchar -> varchar",
                },
            ],
            snowflake,
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].declaration, "broken");
        let semantics = WithUserFunctions {
            dialect: snowflake,
            functions: &functions,
        };
        assert!(semantics.function("CLEAN_PHONE").is_some());
        let quarter = semantics.function("analytics.fiscal_quarter");
        assert_eq!(
            quarter.map(|definition| definition.name.as_str()),
            Some("analytics.fiscal_quarter")
        );
        // The dialect's own functions are still there.
        assert!(semantics.function("iff").is_some());
    }

    #[test]
    fn create_function_statements_declare_functions() {
        let postgres = crate::postgres::Postgres.semantics();
        let mut functions = UserFunctions::default();
        let name = functions.add_create_function(
            "CREATE OR REPLACE FUNCTION util.clean(raw character varying(20), n integer DEFAULT 1)\n\
             RETURNS double precision LANGUAGE sql IMMUTABLE AS $$ select 1.0 $$",
            postgres,
        );
        assert_eq!(name.as_deref(), Some("util.clean"));
        let definition = functions.lookup("util.clean");
        let signature = definition.and_then(|definition| definition.signatures.first());
        assert_eq!(
            signature.map(|signature| signature.returns.clone()),
            Some(fusion_ir::semantics::ReturnType::Exact(SqlType::Float64))
        );
        assert_eq!(
            signature.map(|signature| (signature.params.len(), signature.params[1].optional)),
            Some((2, true))
        );
        let bigquery = crate::bigquery::BigQuery.semantics();
        assert_eq!(
            functions
                .add_create_function(
                    "create temp function add_one(x any type) as (x + 1)",
                    bigquery
                )
                .as_deref(),
            Some("add_one")
        );
        assert_eq!(
            functions.add_create_function("create table t (a int)", bigquery),
            None
        );
    }
}
