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
}

/// A dialect's semantics with a project's UDFs consulted first: what the
/// binder is given when the project declares functions.
pub struct WithUserFunctions<'a> {
    pub dialect: &'a dyn DialectSemantics,
    pub functions: &'a UserFunctions,
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
}
